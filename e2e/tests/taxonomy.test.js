// The label taxonomy: add a key and a value, with Kubernetes label syntax checked as you type.
"use strict";

const assert = require("node:assert/strict");
const { pageTest } = require("../lib/harness");

pageTest("create a taxonomy key and value, refusing bad syntax", async ({ open }) => {
  const page = await open();
  await page.getByRole("link", { name: "Taxonomy" }).click();
  const keyField = page.getByLabel("New label key");
  const addKey = page.getByRole("button", { name: "Add key" });

  await keyField.fill("-team");
  await page.locator(".add-key .field-error").filter({ hasText: "name part" }).waitFor();
  assert.equal(await keyField.getAttribute("aria-invalid"), "true");
  assert.equal(await addKey.isDisabled(), true);

  await keyField.fill("example.com/team");
  assert.equal(await keyField.getAttribute("aria-invalid"), "false");
  await page.getByLabel("Scope").selectOption("security");
  await page.getByLabel("Description").fill("The owning team");
  await addKey.click();
  const card = page.locator('.key-card[data-key="example.com/team"]');
  await card.waitFor();
  assert.match(await card.textContent(), /security/);
  assert.match(await card.textContent(), /any value/);

  const valueField = card.getByLabel("New value for example.com/team");
  await valueField.fill("payments team");
  assert.equal(await valueField.getAttribute("aria-invalid"), "true");
  assert.equal(await card.getByRole("button", { name: "Add value" }).isDisabled(), true);
  await valueField.fill("payments");
  await valueField.press("Enter");
  await card.locator('.value-chip[data-value="payments"]').waitFor();

  // The same key twice is refused.
  await keyField.fill("example.com/team");
  await page.locator(".add-key .field-error").filter({ hasText: "already" }).waitFor();

  // The new key and value survive a reload (autosave).
  await page.reload();
  await page.locator('.key-card[data-key="example.com/team"] .value-chip[data-value="payments"]').waitFor();
});
