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

pageTest("renaming a taxonomy value rewrites the policies that use it, as one undoable edit", async ({ open }) => {
  const page = await open();
  await page.getByRole("link", { name: "Taxonomy" }).click();
  const card = page.locator('.key-card[data-key="security.company.io/zone"]');
  await card.getByRole("button", { name: "Rename value external of security.company.io/zone" }).click();
  const field = card.getByLabel("New name for value external of security.company.io/zone");
  await field.fill("dmz");
  assert.equal(await field.getAttribute("aria-invalid"), "true", "an allowed value cannot be taken twice");
  await field.fill("the internet");
  assert.equal(await field.getAttribute("aria-invalid"), "true", "label syntax is checked");
  await field.fill("internet");
  assert.equal(await field.getAttribute("aria-invalid"), "false");
  await field.press("Enter");
  await card.locator('.value-chip[data-value="internet"]').waitFor();
  assert.equal(await card.locator('.value-chip[data-value="external"]').count(), 0);
  const notice = await page.locator(".notice").textContent();
  const places = Number((notice.match(/(\d+) places? changed/) || [])[1]);
  assert.ok(places >= 2, `a selector and the network set's label change: ${notice}`);

  // The policy that selected `external` now selects `internet`.
  await page.getByRole("link", { name: "Policy editor" }).click();
  await page.getByLabel("Policy", { exact: true }).selectOption({ label: "security · pci-egress" });
  const yaml = page.getByLabel("Policy YAML");
  await page.waitForFunction(() =>
    document.querySelector('textarea[aria-label="Policy YAML"]').value.includes("pci-egress"),
  );
  assert.match(await yaml.inputValue(), /security\.company\.io\/zone == "internet"/);
  assert.doesNotMatch(await yaml.inputValue(), /"external"/);

  // One undo takes the whole rename back.
  await page.getByRole("button", { name: "Undo", exact: true }).click();
  await page.waitForFunction(() =>
    document.querySelector('textarea[aria-label="Policy YAML"]').value.includes('zone == "external"'),
  );
});

pageTest("renaming an environment value renames the Fleet environment with it", async ({ open }) => {
  const page = await open();
  await page.getByRole("link", { name: "Taxonomy" }).click();
  const key = "security.company.io/environment";
  const card = page.locator(`.key-card[data-key="${key}"]`);
  await card.getByRole("button", { name: `Rename value staging of ${key}` }).click();
  await card.getByLabel(`New name for value staging of ${key}`).fill("preprod");
  await card.getByLabel(`New name for value staging of ${key}`).press("Enter");
  await card.locator('.value-chip[data-value="preprod"]').waitFor();
  const notice = await page.locator(".notice").textContent();
  assert.match(notice, /environment staging/, notice);
  assert.match(notice, /Fleet environment is now preprod; its clusters are still the ones labelled env=staging/, notice);

  // The Export view lists the environment under its new name, still targeting the same clusters.
  await page.getByRole("navigation", { name: "Views" }).getByRole("link", { name: "Export" }).click();
  const clusters = page.getByLabel("Cluster labels of preprod");
  await clusters.waitFor();
  assert.equal(await clusters.inputValue(), "env=staging");
  assert.equal(await page.getByLabel("Cluster labels of staging").count(), 0);

  // One undo takes the environment's name back too.
  await page.getByRole("button", { name: "Undo", exact: true }).click();
  await page.getByLabel("Cluster labels of staging").waitFor();
  assert.equal(await page.getByLabel("Cluster labels of preprod").count(), 0);
});
