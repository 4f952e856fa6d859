// The first visit orients: a banner says the design is the sample (Start a new design, Take the
// tour), the tour walks the five steps by keyboard, the board shows that it scrolls, the environment
// switch is hidden for a design without environments, and uploaded flows are not lost silently.
"use strict";

const assert = require("node:assert/strict");
const path = require("node:path");
const { pageTest } = require("../lib/harness");
const { SHARED } = require("../lib/netpol");

const banner = (page) => page.getByRole("region", { name: "Sample design" });

pageTest("a banner says the sample is a sample, opens New design, and stays dismissed", async ({ open }) => {
  const page = await open();
  await banner(page).waitFor();
  assert.match(await banner(page).innerText(), /You are looking at a sample design\./);
  await banner(page).getByRole("button", { name: "Start a new design" }).click();
  await page.getByRole("region", { name: "New design" }).waitFor();
  await page.getByRole("button", { name: "Cancel" }).click();

  await page.getByRole("button", { name: "Dismiss the sample notice" }).click();
  assert.equal(await banner(page).count(), 0);
  await page.reload();
  await page.locator(".policy-card").first().waitFor();
  assert.equal(await banner(page).count(), 0, "the dismissal is remembered");
});

pageTest("the tour walks taxonomy, tiers, flows, impact and export by keyboard", async ({ open }) => {
  const page = await open();
  await banner(page).getByRole("button", { name: "Take the tour" }).click();
  const tour = page.getByRole("dialog");
  const steps = [
    ["1. Labels", "taxonomy"],
    ["2. Tiers", "board"],
    ["3. Flows", "canvas"],
    ["4. Impact", "impact"],
    ["5. Export", "export"],
  ];
  for (const [i, [title, slug]] of steps.entries()) {
    await page.waitForFunction((t) => document.activeElement?.textContent === t, title);
    assert.equal(await tour.getByRole("heading", { level: 2 }).innerText(), title);
    assert.ok(page.url().endsWith(`#/${slug}`), `${title} opens #/${slug}: ${page.url()}`);
    if (i < steps.length - 1) {
      // From the title, Tab reaches Next (Back is disabled on the first step).
      await page.keyboard.press("Tab");
      if (i > 0) await page.keyboard.press("Tab");
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Next");
      await page.keyboard.press("Enter");
    }
  }
  await page.keyboard.press("Escape");
  assert.equal(await tour.count(), 0, "Escape closes the tour");
});

pageTest("the board says when tiers are out of view, and the cue scrolls to them", async ({ open }) => {
  const page = await open();
  await page.locator(".policy-card").first().waitFor();
  const cue = page.locator(".board-scroll-cue");
  const overflows = await page.locator(".board").evaluate((b) => b.scrollWidth > b.clientWidth + 1);
  assert.ok(overflows, "the sample's tiers do not fit at 1400 px (the case the cue is for)");
  await cue.waitFor();
  assert.match(await cue.innerText(), /\d+ tiers/);
  await cue.click();
  await page.waitForFunction(() => {
    const b = document.querySelector(".board");
    return b.scrollLeft + b.clientWidth >= b.scrollWidth - 1;
  });
  await cue.waitFor({ state: "hidden" });
  // Wide enough for every tier: no cue.
  await page.setViewportSize({ width: 2600, height: 900 });
  await page.locator(".board").evaluate((b) => b.scrollTo(0, 0));
  await page.waitForTimeout(200);
  assert.equal(await cue.isVisible(), false);
});

pageTest("the environment switch shows only for a design with environments", async ({ open }) => {
  const page = await open();
  assert.equal(await page.getByLabel("Environment", { exact: true }).count(), 1, "the sample has dev/staging/prod");
  await page.locator("header.topbar").getByRole("button", { name: "New design" }).click();
  await page.getByRole("button", { name: /Empty design with the default-deny baseline/ }).click();
  await page.getByRole("button", { name: "Replace the design" }).click();
  await page.locator(".policy-card").first().waitFor();
  assert.equal(await page.getByLabel("Environment", { exact: true }).count(), 0, "no switch for a design without environments");
});

pageTest("uploaded flows: a notice says a reload discards them, and leaving asks first", async ({ open }) => {
  const page = await open();
  await page.getByRole("link", { name: "Impact" }).click();
  const file = path.join(SHARED, "flows", "calico-enterprise-flows.jsonl.gz");
  await page.getByLabel("Flow log files").setInputFiles([file]);
  await page.locator(".import-report dd", { hasText: path.basename(file) }).waitFor({ timeout: 60_000 });
  assert.match(await page.locator(".flows-kept-notice").innerText(), /reload/i);

  // Reloading asks first; staying keeps the flows.
  const asked = new Promise((resolve) => page.once("dialog", (dialog) => resolve(dialog)));
  const reload = page.reload({ timeout: 5_000 }).catch(() => {});
  const dialog = await asked;
  assert.equal(dialog.type(), "beforeunload");
  await dialog.dismiss();
  await reload;
  assert.equal(await page.locator(".import-report").count(), 1, "the flows are still there");
});
