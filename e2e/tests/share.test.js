// Share links: the design travels in the URL fragment; a fresh browser offers to load it and only
// replaces its own design when asked.
"use strict";

const assert = require("node:assert/strict");
const { pageTest } = require("../lib/harness");

/** Copies the share link of the open page's design. */
async function shareLink(page) {
  await page.getByRole("button", { name: "Share" }).click();
  await page.getByRole("button", { name: "Copy share link" }).click();
  return page.getByLabel("Share link").inputValue();
}

pageTest("a share link opens the same design in a fresh browser", async ({ open, page, fresh: freshBrowser }) => {
  await open();
  await page.getByLabel("Design name").fill("shared-from-alice");
  await page.getByLabel("Design name").press("Enter");
  const link = await shareLink(page);
  assert.match(link, /#share=[A-Za-z0-9_-]+$/);
  const sent = await page.evaluate(() => localStorage.getItem("netpol-studio/design"));

  // A fresh profile: nothing stored, the sample design.
  const fresh = await freshBrowser();
  await fresh.goto(link);
  await fresh.locator("[data-app-ready]").waitFor();
  const offer = fresh.getByRole("dialog", { name: "Shared design" });
  await offer.waitFor();
  assert.match(await offer.innerText(), /shared-from-alice/);
  // Not replaced until asked.
  assert.notEqual(await fresh.getByLabel("Design name").inputValue(), "shared-from-alice");
  await fresh.getByRole("button", { name: "Load shared design" }).click();
  assert.equal(await fresh.getByLabel("Design name").inputValue(), "shared-from-alice");
  assert.doesNotMatch(fresh.url(), /#share=/, "the fragment is cleared once handled");
  const received = await fresh.evaluate(() => localStorage.getItem("netpol-studio/design"));
  // Autosave keeps the design document: the same document on both ends.
  assert.equal(JSON.parse(sent).kind, "Design");
  assert.deepEqual(JSON.parse(received), JSON.parse(sent));
  // Undo brings the previous design back.
  await fresh.getByRole("button", { name: "Undo" }).click();
  assert.notEqual(await fresh.getByLabel("Design name").inputValue(), "shared-from-alice");
});

pageTest("declining a shared design keeps the current one", async ({ open, page }) => {
  await open();
  await page.getByLabel("Design name").fill("theirs");
  await page.getByLabel("Design name").press("Enter");
  const link = await shareLink(page);
  await page.getByLabel("Design name").fill("mine");
  await page.getByLabel("Design name").press("Enter");
  await page.goto("about:blank");
  await page.goto(link);
  await page.locator("[data-app-ready]").waitFor();
  await page.getByRole("dialog", { name: "Shared design" }).waitFor();
  await page.getByRole("button", { name: "Keep my design" }).click();
  assert.equal(await page.getByLabel("Design name").inputValue(), "mine");
});

pageTest("a damaged share link says so and changes nothing", async ({ open, page }) => {
  await open();
  await page.getByLabel("Design name").fill("mine");
  await page.getByLabel("Design name").press("Enter");
  const link = (await shareLink(page)).replace("#share=", "#share=x");
  await page.goto("about:blank");
  await page.goto(link);
  await page.locator("[data-app-ready]").waitFor();
  // A damaged link says so, and changes nothing.
  const alert = page.locator(".share-offer[role=alert]");
  await alert.waitFor();
  assert.match(await alert.innerText(), /could not be read/);
  await page.getByRole("button", { name: "Dismiss" }).click();
  assert.equal(await page.getByLabel("Design name").inputValue(), "mine");
});
