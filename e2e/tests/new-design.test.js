// New design: the empty design with the default-deny baseline replaces the sample after a confirmation,
// the board shows the two baseline policies, and undo brings the sample back.
"use strict";

const assert = require("node:assert/strict");
const { pageTest } = require("../lib/harness");

async function boardPolicies(page) {
  return page.locator(".policy-card").evaluateAll((cards) => cards.map((c) => c.dataset.policy));
}

async function tierNames(page) {
  return page.locator(".tier-column").evaluateAll((cols) => cols.map((c) => c.dataset.tier));
}

pageTest("New design → empty design with the default-deny baseline → the board shows its two policies", async ({ open }) => {
  const page = await open();
  await page.getByRole("link", { name: "Policy board" }).click();
  const sample = await boardPolicies(page);
  assert.ok(sample.length > 2, `the sample has policies: ${sample}`);

  // The sample is not empty: replacing it asks first, and keeping it changes nothing.
  await page.getByRole("button", { name: "New design", exact: true }).click();
  const baseline = page.getByRole("button", { name: /Empty design with the default-deny baseline/ });
  await baseline.click();
  const confirm = page.getByRole("alertdialog", { name: "Replace the design" });
  await confirm.waitFor();
  assert.match(await confirm.textContent(), /rancher-calico-zero-trust/);
  await confirm.getByRole("button", { name: "Keep the current design" }).click();
  await confirm.waitFor({ state: "detached" });
  assert.deepEqual(await boardPolicies(page), sample);

  await baseline.click();
  await confirm.getByRole("button", { name: "Replace the design" }).click();
  await page.getByRole("region", { name: "New design" }).waitFor({ state: "detached" });
  await page.waitForFunction(() => document.querySelectorAll(".policy-card").length === 2);
  const policies = await boardPolicies(page);
  assert.equal(policies.length, 2, `${policies}`);
  assert.ok(policies.some((p) => /allow-dns/.test(p)), `${policies}`);
  assert.ok(policies.some((p) => /default-deny/.test(p)), `${policies}`);
  assert.deepEqual(await tierNames(page), ["platform", "application", "default"]);
  const deny = page.locator(".policy-card").filter({ hasText: "default-deny" });
  assert.match(await deny.locator(".order").textContent(), /1000/);
  const dns = page.locator(".policy-card").filter({ hasText: "allow-dns" });
  assert.match(await dns.locator(".order").textContent(), /100/);
  assert.equal(await page.getByLabel("Design name").inputValue(), "new-design");

  // The replacement is one undoable edit.
  await page.getByRole("button", { name: "Undo", exact: true }).click();
  await page.waitForFunction((n) => document.querySelectorAll(".policy-card").length === n, sample.length);
  assert.deepEqual(await boardPolicies(page), sample);
});

pageTest("New design → the sample with ClusterNetworkPolicy → kube-admin holds the guardrails by priority", async ({ open }) => {
  const page = await open();
  await page.getByRole("link", { name: "Policy board" }).click();
  await page.getByRole("button", { name: "New design", exact: true }).click();
  await page.getByRole("button", { name: /The sample with ClusterNetworkPolicy/ }).click();
  await page.getByRole("alertdialog", { name: "Replace the design" })
    .getByRole("button", { name: "Replace the design" }).click();
  await page.getByRole("region", { name: "New design" }).waitFor({ state: "detached" });
  await page.waitForFunction(() => document.querySelector('.tier-column[data-tier="kube-admin"]'));
  const tiers = await tierNames(page);
  // kube-admin (1,000) first, the sample's own tiers after it, then default and nothing after.
  assert.equal(tiers[0], "kube-admin", `${tiers}`);
  assert.ok(tiers.indexOf("application") > 0 && tiers.indexOf("default") > tiers.indexOf("application"), `${tiers}`);
  assert.ok(!tiers.includes("platform"), `${tiers}`);
  const admin = page.locator('.tier-column[data-tier="kube-admin"] .policy-card');
  const cards = await admin.evaluateAll((cards) => cards.map((c) => c.dataset.policy));
  assert.deepEqual(cards, [
    "kcnp:allow-dns",
    "kcnp:deny-cross-environment-dev",
    "kcnp:deny-cross-environment-prod",
    "kcnp:deny-cross-environment-staging",
  ]);
  const dns = admin.filter({ hasText: "allow-dns" });
  assert.equal(await dns.locator(".order").getAttribute("title"), "Priority");
  assert.match(await dns.locator(".order").textContent(), /^10$/);
  assert.equal(await dns.locator(".badge.cluster").count(), 1);
  // Cluster policies are ordered by their priority: no move buttons, not draggable.
  assert.equal(await dns.locator(".card-tools").count(), 0);
  assert.equal(await dns.getAttribute("draggable"), null);
  const allCards = await boardPolicies(page);
  assert.ok(!allCards.includes("allow-dns") && !allCards.includes("deny-cross-environment"), `${allCards}`);
});
