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

// ClusterNetworkPolicy: the form beside the YAML, checked by core as `netpol validate` checks it.
async function openClusterPolicy(open, name) {
  const page = await open();
  await page.getByRole("link", { name: "Policy board" }).click();
  await page.getByRole("button", { name: "New design", exact: true }).click();
  await page.getByRole("button", { name: /The sample with ClusterNetworkPolicy/ }).click();
  await page.getByRole("alertdialog", { name: "Replace the design" })
    .getByRole("button", { name: "Replace the design" }).click();
  const card = page.locator(`.tier-column[data-tier="kube-admin"] .policy-card[data-policy="kcnp:${name}"]`);
  await card.getByRole("link").click();
  await page.getByRole("form", { name: "ClusterNetworkPolicy" }).waitFor();
  return page;
}

/** Waits until the YAML pane contains `text`. */
async function yamlHas(page, text) {
  await page.waitForFunction(
    (t) => document.querySelector('textarea[aria-label="Policy YAML"]').value.includes(t),
    text,
  );
}

pageTest("a ClusterNetworkPolicy edited by its form: the YAML and the board follow", async ({ open }) => {
  const page = await openClusterPolicy(open, "allow-dns");
  const yaml = page.getByLabel("Policy YAML");
  assert.match(await yaml.inputValue(), /^kind: ClusterNetworkPolicy$/m);
  assert.equal(await page.getByLabel("Priority").inputValue(), "10");
  // The actions are named in full.
  const actions = await page.getByLabel("Egress rule 1 action").locator("option").allTextContents();
  assert.deepEqual(actions, ["Accept", "Deny", "Pass"]);
  assert.equal(await page.getByLabel("Egress rule 1 action").inputValue(), "Accept");

  // Keyboard only: type a priority and leave the field.
  await page.getByLabel("Priority").focus();
  await page.keyboard.press("Control+A");
  await page.keyboard.type("15");
  await page.keyboard.press("Tab");
  await yamlHas(page, "priority: 15");
  await page.getByLabel("Egress rule 1 name").fill("dns-lookups");
  await page.getByLabel("Egress rule 1 name").press("Tab");
  await yamlHas(page, "name: dns-lookups");
  const port = page.getByRole("textbox", { name: "Egress rule 1 port 2", exact: true });
  await port.fill("5353");
  await port.press("Tab");
  await yamlHas(page, "number: 5353");
  await page.getByRole("button", { name: "Add port" }).first().click();
  await yamlHas(page, "number: 80");
  // A peer of another kind: the egress rule may name networks.
  await page.getByRole("button", { name: "Add peer" }).nth(0).click();
  await page.getByLabel("Egress rule 1 peer 2 kind").selectOption("networks");
  const cidrs = page.getByLabel("Egress rule 1 peer 2 CIDRs");
  await cidrs.fill("10.96.0.0/12");
  await cidrs.press("Tab");
  await yamlHas(page, "- 10.96.0.0/12");
  await page.getByLabel("Tier").selectOption("Baseline");
  await yamlHas(page, "tier: Baseline");

  // The board holds it in kube-baseline now, with its new priority.
  await page.getByRole("link", { name: "Policy board" }).click();
  const card = page.locator('.tier-column[data-tier="kube-baseline"] .policy-card[data-policy="kcnp:allow-dns"]');
  await card.waitFor();
  assert.match(await card.locator(".order").textContent(), /^15$/);
  assert.equal(
    await page.locator('.tier-column[data-tier="kube-admin"] .policy-card[data-policy="kcnp:allow-dns"]').count(),
    0,
  );
  // One undo takes back the last form edit.
  await page.getByRole("button", { name: "Undo" }).click();
  await page.locator('.tier-column[data-tier="kube-admin"] .policy-card[data-policy="kcnp:allow-dns"]').waitFor();
});

pageTest("an invalid ClusterNetworkPolicy value shows core's message and changes nothing", async ({ open }) => {
  const page = await openClusterPolicy(open, "allow-dns");
  const yaml = page.getByLabel("Policy YAML");
  const before = await yaml.inputValue();
  await page.getByLabel("Priority").fill("1001");
  await page.getByLabel("Priority").press("Tab");
  const problem = page.getByRole("alert").filter({ hasText: "is not between 0 and 1000" });
  await problem.waitFor();
  // The message is `netpol validate`'s own, at its line:column in the policy's YAML.
  assert.match(await problem.textContent(), /\d+:\d+ invalid `spec\.priority`: `1001` is not between 0 and 1000/);
  assert.equal(await yaml.inputValue(), before, "the design keeps the last valid policy");

  // A selector that does not parse is flagged beside its field and not applied.
  const selector = page.getByLabel("Egress rule 1 peer 1 pod selector");
  await selector.fill("k8s-app ==");
  await selector.press("Tab");
  await page.locator(".field-error").filter({ hasText: /\S/ }).first().waitFor();
  assert.equal(await selector.getAttribute("aria-invalid"), "true");

  // A valid value applies again; without ports the rule covers all traffic (no `protocols`).
  await page.getByLabel("Priority").fill("12");
  await page.getByLabel("Priority").press("Tab");
  await yamlHas(page, "priority: 12");
  await page.getByRole("button", { name: "Remove Egress rule 1 port 2" }).click();
  await page.getByRole("button", { name: "Remove Egress rule 1 port 1" }).click();
  await yamlHas(page, "action: Accept");
  assert.doesNotMatch(await yaml.inputValue(), /protocols:/);
});
