// The policy editor: the form and the YAML pane stay in sync; bad YAML shows line:column errors and
// keeps the text being typed.
"use strict";

const assert = require("node:assert/strict");
const { pageTest } = require("../lib/harness");

async function openEditor(open) {
  const page = await open();
  await page.getByRole("link", { name: "Policy editor" }).click();
  await page.getByLabel("Policy YAML").waitFor();
  return page;
}

pageTest("editing the YAML updates the form", async ({ open }) => {
  const page = await openEditor(open);
  const yaml = page.getByLabel("Policy YAML");
  const text = await yaml.inputValue();
  assert.match(text, /^apiVersion: projectcalico\.org\/v3/m);
  const order = await page.getByLabel("Order").inputValue();
  const changed = text.replace(/^(\s*order:\s*)\S+$/m, "$1 4242");
  assert.notEqual(changed, text, `the YAML has an order:\n${text}`);
  await yaml.fill(changed);
  await page.waitForFunction(() => document.querySelector('input[aria-label="Order"]').value === "4242");
  assert.notEqual(order, "4242");
  assert.equal(await yaml.inputValue(), changed, "the typed text is kept as typed");
});

pageTest("editing the form updates the YAML", async ({ open }) => {
  const page = await openEditor(open);
  const selector = page.getByLabel("Selector", { exact: true });
  await selector.fill("app == 'checkout'");
  await selector.press("Tab");
  await page.waitForFunction(() =>
    document.querySelector('textarea[aria-label="Policy YAML"]').value.includes("app == 'checkout'"),
  );
  // A selector that does not parse is flagged and not applied.
  await selector.fill("app == ");
  await page.locator(".field-error").filter({ hasText: "column" }).waitFor();
  assert.equal(await selector.getAttribute("aria-invalid"), "true");
});

pageTest("invalid YAML shows the error at line:column and keeps the text", async ({ open }) => {
  const page = await openEditor(open);
  const yaml = page.getByLabel("Policy YAML");
  const good = await yaml.inputValue();
  const bad = good.replace(/^(\s*order:\s*).*$/m, "$1[not, a, number]");
  await yaml.fill(bad);
  const problem = page.locator(".problems li").first();
  await problem.waitFor();
  assert.match(await problem.textContent(), /^\d+:\d+ /);
  assert.equal(await yaml.inputValue(), bad, "the text being typed is not thrown away");
  assert.equal(await yaml.getAttribute("aria-invalid"), "true");
  // Fixing it clears the error.
  await yaml.fill(good);
  await page.locator(".problems li").first().waitFor({ state: "detached" });
});
