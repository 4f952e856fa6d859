// Starts the app without an inline script (the Content-Security-Policy forbids them). Trunk writes the
// names of the hashed wasm-bindgen module and wasm file into this script tag's data attributes
// (Trunk.toml `pattern_script`); they are relative to the page, so the site works under any path.
const tag = document.querySelector("script[data-netpol-js]");
const base = document.baseURI;
try {
  const bindings = await import(new URL(tag.dataset.netpolJs, base).href);
  await bindings.default({ module_or_path: new URL(tag.dataset.netpolWasm, base) });
  dispatchEvent(new CustomEvent("TrunkApplicationStarted"));
} catch (err) {
  // The page names code that is not there (a deploy half-way through, or a stale copy): say so, with a
  // way out, rather than leave a blank page. Nothing the user saved is touched (it is in localStorage).
  console.warn("Netpol Studio could not start:", err);
  const box = document.createElement("div");
  box.className = "boot-failure";
  box.setAttribute("role", "alert");
  const title = document.createElement("h1");
  title.textContent = "Netpol Studio could not start";
  const text = document.createElement("p");
  text.textContent =
    "Its code did not load: the site may be in the middle of an update. Your saved design is kept in this browser. Reload in a moment.";
  const reload = document.createElement("button");
  reload.textContent = "Reload";
  reload.addEventListener("click", () => location.reload());
  box.append(title, text, reload);
  document.body.append(box);
}

// Offline use: a service worker (sw.js) caches the site's own files. When it finds a new version of the
// site, it says so and the page offers a reload.
if ("serviceWorker" in navigator && window.isSecureContext) {
  navigator.serviceWorker.addEventListener("message", (event) => {
    if (event.data?.type !== "netpol-update-available" || document.querySelector(".update-banner")) return;
    const banner = document.createElement("div");
    banner.className = "update-banner";
    banner.setAttribute("role", "status");
    banner.textContent = "A new version of Netpol Studio is available. ";
    const reload = document.createElement("button");
    reload.textContent = "Reload";
    reload.addEventListener("click", () => location.reload());
    banner.append(reload);
    document.body.append(banner);
  });
  navigator.serviceWorker.register(new URL("sw.js", base)).catch((err) => {
    console.warn("offline use is not available:", err);
  });
}
