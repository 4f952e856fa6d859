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
  await page.getByLabel("Scope", { exact: true }).selectOption("security");
  await page.getByLabel("Description").fill("The owning team");
  await addKey.click();
  const card = page.locator('.key-card[data-key="example.com/team"]');
  await card.waitFor();
  assert.equal(await card.getByLabel("Scope of example.com/team", { exact: true }).inputValue(), "security");
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

pageTest("the scope starts on application for each new key and stays editable; Enter adds keys and values", async ({ open }) => {
  const page = await open();
  await page.getByRole("link", { name: "Taxonomy" }).click();
  const keyField = page.getByLabel("New label key");
  const scope = page.getByLabel("Scope", { exact: true });

  await keyField.fill("env");
  await scope.selectOption("security");
  await keyField.press("Enter");
  const env = page.locator('.key-card[data-key="env"]');
  await env.waitFor();
  assert.equal(await env.getByLabel("Scope of env", { exact: true }).inputValue(), "security");
  // The next key does not inherit the last choice.
  assert.equal(await scope.inputValue(), "application", "the Scope select resets after an add");
  await keyField.fill("team");
  await keyField.press("Enter");
  const team = page.locator('.key-card[data-key="team"]');
  await team.waitFor();
  const teamScope = team.getByLabel("Scope of team", { exact: true });
  assert.equal(await teamScope.inputValue(), "application");

  // A key's scope is edited in place, as one undoable edit that survives a reload.
  await teamScope.selectOption("kubernetes");
  await page.waitForFunction(() => document.querySelector('.key-card[data-key="team"] .scope-select')?.value === "kubernetes");
  await page.getByRole("button", { name: "Undo", exact: true }).click();
  await page.waitForFunction(() => document.querySelector('.key-card[data-key="team"] .scope-select')?.value === "application");
  await page.getByRole("button", { name: "Redo", exact: true }).click();
  await page.reload();
  await page.waitForFunction(() => document.querySelector('.key-card[data-key="team"] .scope-select')?.value === "kubernetes");

  // Enter adds a value.
  const value = page.locator('.key-card[data-key="env"]').getByLabel("New value for env");
  await value.fill("prod");
  await value.press("Enter");
  await page.locator('.key-card[data-key="env"] .value-chip[data-value="prod"]').waitFor();
});

pageTest("a long key name stays on one line, ellipsised with a title, and Add value stays inside its card", async ({ open }) => {
  const page = await open();
  await page.getByRole("link", { name: "Taxonomy" }).click();
  const long = "security.company-platform-engineering.example.com/environment-of-the-workload";
  await page.getByLabel("New label key").fill(long);
  await page.getByLabel("New label key").press("Enter");
  const card = page.locator(`.key-card[data-key="${long}"]`);
  await card.waitFor();
  const name = card.locator(".key-name");
  assert.equal(await name.getAttribute("title"), long);
  const shape = await name.evaluate((e) => {
    const style = getComputedStyle(e);
    return {
      whiteSpace: style.whiteSpace,
      textOverflow: style.textOverflow,
      lines: Math.round(e.getBoundingClientRect().height / parseFloat(style.lineHeight || "20")),
      height: e.getBoundingClientRect().height,
      fontSize: parseFloat(style.fontSize),
    };
  });
  assert.equal(shape.whiteSpace, "nowrap", "never wraps mid-word");
  assert.equal(shape.textOverflow, "ellipsis");
  assert.ok(shape.height < shape.fontSize * 2, `one line: ${JSON.stringify(shape)}`);

  // Every card's "Add value" button and field stay inside the card.
  const overflows = await page.locator(".key-card").evaluateAll((cards) =>
    cards.flatMap((c) => {
      const box = c.getBoundingClientRect();
      return [...c.querySelectorAll(".inline-form > *, .key-header > *")]
        .filter((e) => e.getBoundingClientRect().right > box.right + 0.5)
        .map((e) => `${c.dataset.key}: ${e.tagName} ${e.textContent} ends at ${e.getBoundingClientRect().right} > ${box.right}`);
    }),
  );
  assert.deepEqual(overflows, []);
});
