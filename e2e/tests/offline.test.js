// Offline use: after the first visit the service worker serves the site with the network off, and the
// analysis worker and the sample flows still work.
"use strict";

const assert = require("node:assert/strict");
const { pageTest } = require("../lib/harness");

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
