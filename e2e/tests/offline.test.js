// Offline use: after the first visit the service worker serves the site with the network off, and the
// analysis worker and the sample flows still work; a new version of the site is offered by a banner.
"use strict";

const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { pageTest, DIST } = require("../lib/harness");

pageTest("after one visit the app works offline", async ({ open, page }) => {
  await open();
  // Wait until the service worker controls the page and has cached the site.
  await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 30_000 });
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.context().setOffline(true);
  try {
    await page.reload();
    await page.locator("[data-app-ready]").waitFor({ timeout: 30_000 });
    await page.locator("header.topbar").waitFor();
    await page.getByRole("link", { name: "Impact" }).click();
    await page.getByRole("button", { name: "Use sample flows" }).click();
    await page.locator("[data-count=broken]").waitFor({ timeout: 30_000 });
    assert.ok(Number(await page.locator("[data-figure=records]").innerText()) > 0);
  } finally {
    await page.context().setOffline(false);
  }
});

pageTest("the service worker caches only the site's own files", async ({ open, page, origin }) => {
  await open();
  await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 30_000 });
  const cached = await page.evaluate(async () => {
    const keys = [];
    for (const name of await caches.keys()) {
      for (const request of await (await caches.open(name)).keys()) keys.push(request.url);
    }
    return keys;
  });
  assert.ok(cached.length > 3, "the site is cached");
  for (const url of cached) assert.ok(url.startsWith(origin + "/"), `cached from elsewhere: ${url}`);
  assert.ok(cached.some((u) => u.endsWith(".wasm")), "the wasm module is cached");
});

pageTest("a new version of the site shows the reload banner, and Reload loads it", async ({ open, page, origin }) => {
  await open();
  await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 30_000 });
  await page.evaluate(() => navigator.serviceWorker.ready);
  assert.equal(await page.locator(".update-banner").count(), 0, "no banner while the site is unchanged");

  // The server now has another index.html (a new release): the service worker's background refresh,
  // on the next visit, finds it and tells the page.
  const released = fs
    .readFileSync(path.join(DIST, "index.html"), "utf8")
    .replace("</head>", '<meta name="netpol-release" content="2"></head>');
  assert.match(released, /netpol-release/);
  await page.context().route(`${origin}/`, (route) =>
    route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", body: released }),
  );
  await page.reload();
  await page.locator("[data-app-ready]").waitFor({ timeout: 30_000 });
  const banner = page.getByRole("status").filter({ hasText: "A new version of Netpol Studio is available" });
  await banner.waitFor({ timeout: 30_000 });
  assert.equal(await page.locator(".update-banner").count(), 1);

  await banner.getByRole("button", { name: "Reload" }).click();
  await page.locator("[data-app-ready]").waitFor({ timeout: 30_000 });
  await page.locator('meta[name="netpol-release"]').waitFor({ state: "attached", timeout: 30_000 });
  // The new version is the cached one now: no banner again.
  await page.waitForTimeout(1500);
  assert.equal(await page.locator(".update-banner").count(), 0);
});

/**
 * index.html of a deploy that broke half-way: it names a wasm file the server does not have, the
 * page's module (`netpol-app`) or the analysis worker's (`netpol-worker`).
 */
function brokenRelease(module = "netpol-app") {
  const html = fs.readFileSync(path.join(DIST, "index.html"), "utf8");
  const named = new RegExp(`(data-netpol-wasm=")[^"]*${module}-[0-9a-f]+_bg\\.wasm(")`);
  const broken = html.replace(named, `$1${module}-0000000000000000_bg.wasm$2`);
  assert.notEqual(broken, html, `index.html names the ${module} wasm in data-netpol-wasm`);
  return broken.replace("</head>", '<meta name="netpol-release" content="broken"></head>');
}

pageTest("a release whose worker module is missing never replaces the working one", async ({ open, page, origin, problems }) => {
  await open();
  await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 30_000 });
  await page.evaluate(() => navigator.serviceWorker.ready);
  const broken = brokenRelease("netpol-worker");
  await page.context().route(`${origin}/`, (route) =>
    route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", body: broken }),
  );
  for (let i = 0; i < 2; i++) {
    await page.reload();
    await page.locator("[data-app-ready]").waitFor({ timeout: 30_000 });
    await page.waitForTimeout(1500);
    assert.equal(await page.locator(".update-banner").count(), 0, "no banner for a broken release");
    assert.equal(await page.locator('meta[name="netpol-release"]').count(), 0, "the working release stays");
  }
  // The cached release's worker still answers.
  await page.getByRole("link", { name: "Impact" }).click();
  await page.getByRole("button", { name: "Use sample flows" }).click();
  await page.locator("[data-count=broken]").waitFor({ timeout: 30_000 });
  for (let i = problems.length - 1; i >= 0; i--) {
    if (/0000000000000000_bg\.wasm|404|Failed to load resource/.test(problems[i])) problems.splice(i, 1);
  }
});

pageTest("a half-deployed release never replaces the working one, and never leaves a blank page", async ({ open, page, origin, fresh, problems }) => {
  await open();
  await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 30_000 });
  await page.evaluate(() => navigator.serviceWorker.ready);

  // The server now has the new index.html but not its wasm.
  const broken = brokenRelease();
  const serveBroken = (context) =>
    context.route(`${origin}/`, (route) =>
      route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", body: broken }),
    );
  await serveBroken(page.context());
  // A returning user: the cached release starts; the background refresh finds the wasm missing and
  // keeps the cached release (no banner, nothing replaced), reload after reload.
  for (let i = 0; i < 2; i++) {
    await page.reload();
    await page.locator("[data-app-ready]").waitFor({ timeout: 30_000 });
    await page.locator("header.topbar").waitFor();
    await page.waitForTimeout(1500);
    assert.equal(await page.locator(".update-banner").count(), 0, "no banner for a broken release");
    assert.equal(await page.locator('meta[name="netpol-release"]').count(), 0, "the working release stays");
  }

  // A first-time visitor gets the broken page itself: a message with a way out, not a blank page.
  const other = await fresh();
  await serveBroken(other.context());
  await other.goto(`${origin}/`);
  const alert = other.getByRole("alert").filter({ hasText: "Netpol Studio could not start" });
  await alert.waitFor({ timeout: 30_000 });
  await alert.getByRole("button", { name: "Reload" }).waitFor();
  // The missing wasm is this test's own doing: its load errors are expected.
  for (let i = problems.length - 1; i >= 0; i--) {
    if (/0000000000000000_bg\.wasm|404|Failed to load resource|could not start|WebAssembly/.test(problems[i])) {
      problems.splice(i, 1);
    }
  }
});
