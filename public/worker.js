// The analysis worker's loader: a module worker that loads the worker's own wasm module (its hashed
// names passed in the query string by the page, which reads them from index.html) and starts it; the
// module answers the page's messages (app/src/worker.rs).
const params = new URL(self.location.href).searchParams;
const own = (name) => {
  const url = new URL(params.get(name), self.location.href);
  if (url.origin !== self.location.origin) throw new Error(`worker: ${name} must come from this site`);
  return url.href;
};
const bindings = await import(own("js"));
await bindings.default({ module_or_path: own("wasm") });
