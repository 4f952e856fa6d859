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
