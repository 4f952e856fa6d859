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
