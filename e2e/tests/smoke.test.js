// The built site: the app shell renders, with a strict CSP and no inline script, from "/" and from a
// sub-path.
"use strict";

const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { test } = require("node:test");
const { pageTest, DIST } = require("../lib/harness");

test("dist/index.html has a strict CSP and no inline script", () => {
  const html = fs.readFileSync(path.join(DIST, "index.html"), "utf8");
  const csp = html.match(/http-equiv="Content-Security-Policy"\s+content="([^"]*)"/);
  assert.ok(csp, "index.html declares a Content-Security-Policy");
  assert.match(csp[1], /default-src 'self'/);
  assert.match(csp[1], /'wasm-unsafe-eval'/);
  assert.doesNotMatch(csp[1], /'unsafe-inline'|'unsafe-eval'/);
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
  assert.ok(scripts.length > 0, "the page loads a script");
  for (const [, attrs, content] of scripts) {
    assert.match(attrs, /\bsrc=/, `inline script found: ${content.slice(0, 80)}`);
    assert.equal(content.trim(), "");
  }
  // Relative asset URLs only: the site must work under any path.
  for (const [, url] of html.matchAll(/(?:src|href)="([^"]+)"/g)) {
    assert.doesNotMatch(url, /^(\/|https?:)/, `absolute URL in index.html: ${url}`);
  }
});

pageTest("the app shell renders with its navigation", async ({ open }) => {
  const page = await open();
  assert.equal(await page.title(), "Netpol Studio");
  await page.locator("header.topbar").waitFor();
  assert.ok(await page.locator("nav.views a").count() >= 5, "the navigation lists the views");
});

pageTest("the site works from a sub-path", async ({ open }) => {
  const page = await open({ subPath: true });
  assert.match(page.url(), /\/studio\/$/);
  await page.locator("header.topbar").waitFor();
});

pageTest("the guard records off-origin requests and console errors", async ({ open, problems }) => {
  const page = await open();
  // The CSP stops an off-origin fetch inside the page (and the refusal is a console error) …
  await page.evaluate(async () => {
    console.error("deliberate error");
    await fetch("https://example.com/tracker.js").catch(() => {});
  });
  // … and the harness stops (and records) any request that gets past it, like a navigation.
  await page.goto("https://example.com/elsewhere").catch(() => {});
  const seen = problems.join("\n");
  assert.match(seen, /console error: deliberate error/);
  assert.match(seen, /console error: .*tracker\.js.*Content Security Policy/);
  assert.match(seen, /request outside the origin: https:\/\/example\.com\/elsewhere/);
  // The guard works; clear what this test provoked on purpose so that it passes.
  problems.length = 0;
});
