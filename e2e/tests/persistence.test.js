// The design survives a reload and a browser restart; undo and redo step through edits.
"use strict";

const assert = require("node:assert/strict");
const { pageTest } = require("../lib/harness");

/** Renames the design through the top bar, as a user would. */
async function rename(page, name) {
  const field = page.getByLabel("Design name");
  await field.fill(name);
  await field.press("Enter");
  await field.blur();
}

pageTest("the design survives a reload and a browser restart", async ({ open, restart }) => {
  let page = await open();
  await rename(page, "Payments platform");
  await page.getByText("All changes saved in this browser").waitFor();

  await page.reload();
  await page.locator("[data-app-ready]").waitFor();
  assert.equal(await page.getByLabel("Design name").inputValue(), "Payments platform");

  page = await restart();
  await open();
  assert.equal(await page.getByLabel("Design name").inputValue(), "Payments platform");
});

pageTest("undo and redo step through edits, by button and keyboard", async ({ open }) => {
  const page = await open();
  const name = page.getByLabel("Design name");
  const original = await name.inputValue();
  const undo = page.getByRole("button", { name: "Undo" });
  const redo = page.getByRole("button", { name: "Redo" });
  assert.equal(await undo.isDisabled(), true, "nothing to undo at first");

  await rename(page, "First");
  await rename(page, "Second");
  await undo.click();
  assert.equal(await name.inputValue(), "First");
  await undo.click();
  assert.equal(await name.inputValue(), original);
  assert.equal(await undo.isDisabled(), true);
  await redo.click();
  assert.equal(await name.inputValue(), "First");

  // Keyboard: outside text fields Ctrl+Z / Ctrl+Shift+Z drive the design history.
  await page.locator("main").click();
  await page.keyboard.press("Control+Shift+Z");
  assert.equal(await name.inputValue(), "Second");
  await page.keyboard.press("Control+Z");
  assert.equal(await name.inputValue(), "First");
  assert.equal(await redo.isDisabled(), false);
});

pageTest("Undo says which edit it takes back, in its title and in a toast after it", async ({ open }) => {
  const page = await open();
  await page.goto(page.url().replace(/#.*$/, "") + "#/board");
  const undo = page.getByRole("button", { name: "Undo" });
  const redo = page.getByRole("button", { name: "Redo" });
  await page.getByLabel("New tier name").fill("team-review");
  await page.getByRole("button", { name: "Add tier" }).click();
  await page.locator('.tier-column[data-tier="team-review"]').waitFor();
  await rename(page, "Renamed");
  assert.equal(await undo.getAttribute("title"), "Undo: rename the design to Renamed (Ctrl+Z)");

  const toast = page.locator("[data-history-toast]");
  assert.equal(await toast.getAttribute("role"), "status", "the toast is a live region");
  await undo.click();
  assert.equal((await toast.innerText()).trim(), "Undid: rename the design to Renamed");
  assert.equal(await undo.getAttribute("title"), "Undo: add tier team-review (Ctrl+Z)");
  await undo.click();
  assert.equal((await toast.innerText()).trim(), "Undid: add tier team-review");
  assert.equal(await page.locator('.tier-column[data-tier="team-review"]').count(), 0);
  assert.equal(await redo.getAttribute("title"), "Redo: add tier team-review (Ctrl+Shift+Z)");
  await redo.click();
  assert.equal((await toast.innerText()).trim(), "Redid: add tier team-review");
  // The toast goes after a few seconds.
  await page.waitForFunction(() => document.querySelector("[data-history-toast]")?.textContent === "", null, { timeout: 10_000 });
});
