// The shared e2e harness. Every test gets a fresh Chromium profile and a page guarded so that the test
// FAILS when the page requests anything outside its own origin or logs a console error (CSP violations
// included). Use `pageTest` for every browser test:
//
//   const { pageTest } = require("../lib/harness");
//   pageTest("the shell renders", async ({ page, open }) => { await open(); ... });
"use strict";

const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { execFileSync } = require("node:child_process");
const { chromium } = require("playwright-core");
const { startServer, SUBPATH } = require("./server");

const DIST = process.env.NETPOL_DIST || path.resolve(__dirname, "..", "..", "dist");

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Debian's Chromium (installed by `make setup`), or $CHROMIUM. */
function chromiumPath() {
  if (process.env.CHROMIUM) return process.env.CHROMIUM;
  try {
    return execFileSync("bash", ["-c", "command -v chromium"], { encoding: "utf8" }).trim();
  } catch {
    throw new Error("chromium not found: run `make setup`");
  }
}

// One static server per test file.
let server = null;
before(async () => {
  server = await startServer(DIST);
});
after(async () => {
  if (server) await server.close();
});

/** The origin of this file's static server, e.g. http://127.0.0.1:41234. */
function origin() {
  return server.origin;
}

/**
 * Launches Chromium on the profile `userDataDir` and guards every page of it. Problems (off-origin
 * requests, console errors, uncaught exceptions) are pushed onto `problems`.
 */
async function launch(userDataDir, problems) {
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath(),
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 900 },
  });
  const own = new URL(server.origin).origin;
  const offOrigin = (url) => {
    const u = new URL(url);
    if (u.protocol === "data:" || u.protocol === "blob:" || u.protocol === "about:") return false;
    return u.origin !== own;
  };
  // Nothing may leave the origin: record it as a failure and never let it reach the network.
  await context.route(
    (url) => offOrigin(url.href),
    (route) => {
      problems.push(`request outside the origin: ${route.request().url()}`);
      return route.abort();
    },
  );
  const guard = (page) => {
    page.on("console", (msg) => {
      if (msg.type() === "error") problems.push(`console error: ${msg.text()}`);
    });
    page.on("pageerror", (err) => problems.push(`uncaught exception: ${err.message}`));
  };
  context.pages().forEach(guard);
  context.on("page", guard);
  return context;
}

/**
 * Declares a browser test. `body` receives:
 * - `page`: a guarded page on a fresh profile;
 * - `open(subPath = "")`: loads the app (at "/" or under the sub-path `/studio/` when `{ subPath: true }`)
 *   and waits until the shell has rendered;
 * - `restart()`: closes the browser and relaunches it on the same profile, returning the new page
 *   (for persistence across a browser restart);
 * - `fresh()`: a second, guarded browser on a new empty profile (another user), returning its page;
 * - `problems`: the list the guard fills (the test fails when it is not empty at the end);
 * - `origin`: the server's origin.
 */
function pageTest(name, body, options = {}) {
  test(name, { timeout: 120_000, ...options }, async (t) => {
    const problems = [];
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), "netpol-e2e-"));
    let context = await launch(profile, problems);
    const extras = [];
    const fixture = {
      page: context.pages()[0] || (await context.newPage()),
      problems,
      origin: server.origin,
      open: async ({ subPath = false } = {}) => {
        const url = server.origin + (subPath ? SUBPATH : "/");
        await fixture.page.goto(url);
        await fixture.page.locator("[data-app-ready]").waitFor({ timeout: 30_000 });
        return fixture.page;
      },
      fresh: async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "netpol-e2e-"));
        const other = await launch(dir, problems);
        extras.push({ context: other, dir });
        return other.pages()[0] || (await other.newPage());
      },
      restart: async () => {
        await context.close();
        context = await launch(profile, problems);
        fixture.page = context.pages()[0] || (await context.newPage());
        return fixture.page;
      },
    };
    try {
      await body(fixture, t);
    } finally {
      for (const extra of extras) {
        await extra.context.close();
        fs.rmSync(extra.dir, { recursive: true, force: true });
      }
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    }
    assert.deepEqual(problems, [], "the page left its origin or logged errors");
  });
}

module.exports = { pageTest, origin, DIST, SUBPATH };
