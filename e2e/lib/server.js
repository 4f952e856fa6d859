// A tiny static file server for the built site: the e2e suite starts one per test file, and
// `make run` uses it to serve dist/. It serves DIR at "/" and, to prove relative asset URLs, also under
// the sub-path SUBPATH ("/studio/"), as a project page on a static host would.
//
// Usage: node lib/server.js DIR [PORT]   (PORT 0 or absent: any free port)
"use strict";

const http = require("node:http");
const fs = require("node:fs");
const path = require("node:path");

const SUBPATH = "/studio/";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".yaml": "text/yaml; charset=utf-8",
  ".yml": "text/yaml; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
};

/** Maps a request path to a file below `root`, or null when it escapes the root or does not exist. */
function resolveFile(root, urlPath) {
  let rel = decodeURIComponent(urlPath.split("?")[0]);
  if (rel.startsWith(SUBPATH)) rel = "/" + rel.slice(SUBPATH.length);
  if (rel.endsWith("/")) rel += "index.html";
  const file = path.resolve(root, "." + rel);
  if (file !== root && !file.startsWith(root + path.sep)) return null;
  try {
    return fs.statSync(file).isFile() ? file : null;
  } catch {
    return null;
  }
}

/**
 * Starts serving `dir` on 127.0.0.1:`port` (0 = any free port).
 * Resolves to { origin, close() }.
 */
function startServer(dir, port = 0) {
  const root = path.resolve(dir);
  if (!fs.existsSync(path.join(root, "index.html"))) {
    return Promise.reject(new Error(`no index.html in ${root}: build the site first (make dist)`));
  }
  const server = http.createServer((req, res) => {
    const file = resolveFile(root, req.url);
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405).end();
      return;
    }
    if (!file) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      return;
    }
    const type = TYPES[path.extname(file)] || "application/octet-stream";
    res.writeHead(200, { "content-type": type, "cache-control": "no-store" });
    if (req.method === "HEAD") res.end();
    else fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const { port: bound } = server.address();
      resolve({
        origin: `http://127.0.0.1:${bound}`,
        close: () => new Promise((done) => server.close(done)),
      });
    });
  });
}

module.exports = { startServer, SUBPATH };

if (require.main === module) {
  const [dir, port] = process.argv.slice(2);
  if (!dir) {
    console.error("usage: node lib/server.js DIR [PORT]");
    process.exit(2);
  }
  startServer(dir, Number(port || 0)).then(
    ({ origin }) => console.log(`serving ${path.resolve(dir)} on ${origin}/ (and ${origin}${SUBPATH})`),
    (err) => {
      console.error(err.message);
      process.exit(2);
    },
  );
}
