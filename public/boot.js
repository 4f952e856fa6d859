// Starts the app without an inline script (the Content-Security-Policy forbids them). Trunk writes the
// names of the hashed wasm-bindgen module and wasm file into this script tag's data attributes
// (Trunk.toml `pattern_script`); they are relative to the page, so the site works under any path.
const tag = document.querySelector("script[data-netpol-js]");
const base = document.baseURI;
const bindings = await import(new URL(tag.dataset.netpolJs, base).href);
await bindings.default({ module_or_path: new URL(tag.dataset.netpolWasm, base) });
dispatchEvent(new CustomEvent("TrunkApplicationStarted"));
