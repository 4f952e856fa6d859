// Netpol Studio's service worker: after the first visit the site works with the network off. It caches
// only the site's own files (same origin, GET) and never contacts anything else. Files are served from
// the cache and refreshed in the background; when a refresh brings a different index.html (a new
// version of the site), its files are cached first and then the open pages are told, so that they can
// offer a reload.
"use strict";

const CACHE = "netpol-studio";
const SCOPE = self.registration.scope;
// Files the page loads later (the analysis worker's loader, the sample flows): cached up front so that
// they work offline too.
const ALSO = ["boot.js", "worker.js", "samples/sample-design-flows.jsonl.gz"];

self.addEventListener("install", (event) => {
  event.waitUntil(refreshSite().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(page(request, event));
  } else {
    event.respondWith(file(request, event));
  }
});

/** The page: from the cache (refreshed in the background), else from the network. */
async function page(request, event) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request, { ignoreSearch: true }) || await cache.match(SCOPE);
  if (!cached) return fetch(request);
  event.waitUntil(refreshSite(await cached.clone().text()).catch(() => {}));
  return cached;
}

/** Any other file of the site: from the cache (refreshed in the background), else the network. */
async function file(request, event) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request, { ignoreSearch: true });
  const fresh = fetch(request).then(async (response) => {
    if (response.ok && response.type === "basic") await cache.put(request, response.clone());
    return response;
  });
  if (cached) {
    event.waitUntil(fresh.catch(() => {}));
    // The analysis worker's loader is named with a query (the module to load), and a worker takes its
    // URL from the response: answer with a copy that has no URL of its own, so that it keeps the query.
    if (cached.url !== request.url) {
      return new Response(await cached.blob(), { status: cached.status, headers: cached.headers });
    }
    return cached;
  }
  return fresh;
}

/**
 * Fetches index.html and every file it names (the page's wasm module in the boot script's data
 * attributes, the worker's in the `netpol-worker` meta tag); when it differs from `known` (the index
 * served from the cache), stores it all and tells the open pages that a new version is available. A release is taken
 * whole or not at all: when a file it names cannot be fetched (a deploy still uploading, or one that
 * broke half-way: index.html new, its wasm missing), nothing is stored and the cached version stays,
 * so a reload never lands on a page whose code is not there.
 */
async function refreshSite(known) {
  const response = await fetch(SCOPE, { cache: "no-cache" });
  if (!response.ok) return;
  const html = await response.clone().text();
  if (known !== undefined && html === known) return;
  const cache = await caches.open(CACHE);
  const names = new Set(ALSO);
  for (const match of html.matchAll(/(?:href|src|data-netpol-js|data-netpol-wasm)="([^"]+)"/g)) {
    names.add(match[1]);
  }
  const assets = await Promise.all(
    [...names].map(async (name) => {
      const url = new URL(name, SCOPE);
      if (url.origin !== self.location.origin) return null;
      const response = await fetch(url, { cache: "no-cache" });
      // Read the body now: unread responses hold their connections, and a release has more files
      // than the browser opens connections to one origin.
      const body = response.ok ? await response.blob() : null;
      const asset = body && new Response(body, { status: response.status, headers: response.headers });
      return { url, asset, required: !ALSO.includes(name) };
    }),
  );
  // The files index.html names must all be there; the extras (ALSO) are best effort.
  if (assets.some((a) => a && a.required && !a.asset)) return;
  await Promise.all(assets.filter((a) => a && a.asset).map((a) => cache.put(a.url, a.asset)));
  await cache.put(SCOPE, response);
  if (known !== undefined) {
    for (const client of await self.clients.matchAll({ type: "window" })) {
      client.postMessage({ type: "netpol-update-available" });
    }
  }
}
