// Findings at hand (issue 20 problem 3): the status line's lint counts open a drawer from any view;
// each finding links to its policy in the editor; "Apply fix" applies core's edits as one named,
// undoable edit; board cards carry a badge that opens the drawer on their policy; the editor lists
// the open policy's findings.
"use strict";

const assert = require("node:assert/strict");
const { pageTest } = require("../lib/harness");

/** A policy with one known finding: DNS on UDP 53 only (`dns-udp-only`, machine-applicable). */
const UDP_ONLY_DNS = `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: dns-lookups
spec:
  tier: platform
  order: 50
  selector: app.kubernetes.io/name == 'cattle-cluster-agent'
  types:
  - Egress
  egress:
  - action: Allow
    protocol: UDP
    destination:
      ports:
      - 53
`;

/** Opens the sample (which has no finding) with `dns-lookups` imported into it. */
async function openWithFinding(open) {
  const page = await open();
  await page.getByRole("button", { name: "Import", exact: true }).first().click();
  await page.getByLabel("YAML to import").fill(UDP_ONLY_DNS);
  await page.locator(".import-panel").getByRole("button", { name: "Import", exact: true }).click();
  await page.locator(".import-report").waitFor();
  return page;
}

const statusButton = (page) => page.locator(".statusline").getByRole("button", { name: /^Lint:/ });
const drawer = (page) => page.locator("#findings-drawer");
const finding = (scope) => scope.locator('.finding[data-lint="dns-udp-only"]');

pageTest("the status line opens the findings drawer, whose link opens the policy's rule in the editor", async ({ open }) => {
  const page = await openWithFinding(open);
  await page.goto(page.url().replace(/#.*$/, "") + "#/taxonomy");
  const button = statusButton(page);
  assert.match(await button.textContent(), /1 warning/);
  assert.equal(await button.getAttribute("aria-expanded"), "false");
  await button.click();
  await drawer(page).waitFor();
  assert.equal(await button.getAttribute("aria-expanded"), "true");
  const item = finding(drawer(page));
  assert.match(await item.textContent(), /Warning/);
  assert.match(await item.textContent(), /egress rule 0 of `dns-lookups` allows DNS on UDP 53 only/);
  assert.match(await item.locator(".finding-fix").textContent(), /add the same rule for TCP 53/);

  // Severity filter: no errors, one warning.
  await drawer(page).getByRole("button", { name: /^Errors/ }).click();
  await drawer(page).getByText("No findings here.").waitFor();
  await drawer(page).getByRole("button", { name: /^Warnings/ }).click();
  await item.waitFor();

  // Escape closes it; the shortcut opens it again, from any view.
  await page.keyboard.press("Escape");
  await drawer(page).waitFor({ state: "detached" });
  await page.keyboard.press("Control+Shift+L");
  await drawer(page).waitFor();

  // The link names the policy and the rule, and opens the editor on that policy.
  const link = item.getByRole("link", { name: "GlobalNetworkPolicy dns-lookups · egress rule 0" });
  await link.click();
  await page.waitForURL(/#\/editor\/\d+$/);
  await drawer(page).waitFor({ state: "detached" });
  const chosen = await page.getByLabel("Policy", { exact: true }).evaluate((s) => s.selectedOptions[0].textContent);
  assert.match(chosen, /dns-lookups/);
  await page.locator('.policy-findings .finding.followed[data-lint="dns-udp-only"]').waitFor();
  // The rule it names (egress rule 0, the form's first egress row) is marked.
  await page.locator('li.rule.rule-highlight[data-rule="egress-1"]').waitFor();
});

pageTest("Apply fix removes the finding as one edit; Undo brings it back and the toast names it", async ({ open }) => {
  const page = await openWithFinding(open);
  await statusButton(page).click();
  await finding(drawer(page)).getByRole("button", { name: /^Apply fix/ }).click();
  await finding(drawer(page)).waitFor({ state: "detached" });
  assert.match(await statusButton(page).textContent(), /0 warnings/);
  const undo = page.locator("header.topbar").getByRole("button", { name: "Undo", exact: true });
  assert.equal(await undo.getAttribute("title"), "Undo: apply the fix for dns-udp-only on dns-lookups (Ctrl+Z)");

  // The rule the fix added is in the policy: TCP 53 beside UDP 53.
  await page.keyboard.press("Escape");
  await page.goto(page.url().replace(/#.*$/, "") + "#/export");
  await page.locator(".export-lints h3").waitFor();
  assert.equal(await finding(page.locator(".export-lints")).count(), 0);

  await page.keyboard.press("Control+z");
  await page.locator("[data-history-toast]").getByText("Undid: apply the fix for dns-udp-only on dns-lookups").waitFor();
  await finding(page.locator(".export-lints")).waitFor();
  assert.match(await statusButton(page).textContent(), /1 warning/);
});

pageTest("a board card's badge shows its findings and opens the drawer on that policy", async ({ open }) => {
  const page = await openWithFinding(open);
  await page.goto(page.url().replace(/#.*$/, "") + "#/board");
  const card = page.locator('.policy-card[data-policy="dns-lookups"]');
  const badge = card.locator(".findings-badge");
  assert.equal((await badge.textContent()).trim(), "1 finding · warning");
  assert.equal(await badge.getAttribute("aria-label"), "1 finding · warning: show them in the findings drawer");
  // Cards without findings carry no badge.
  assert.equal(await page.locator(".findings-badge").count(), 1);
  await badge.click();
  await drawer(page).getByText("Only GlobalNetworkPolicy dns-lookups.").waitFor();
  assert.equal(await drawer(page).locator(".finding").count(), 1);
  await finding(drawer(page)).waitFor();
  await drawer(page).getByRole("button", { name: "Show every policy" }).click();
  await drawer(page).getByText("Only GlobalNetworkPolicy dns-lookups.").waitFor({ state: "detached" });
});

pageTest("the editor lists the open policy's findings", async ({ open }) => {
  const page = await openWithFinding(open);
  await page.goto(page.url().replace(/#.*$/, "") + "#/board");
  await page.locator('.policy-card[data-policy="dns-lookups"] .card-title a').click();
  await page.waitForURL(/#\/editor\/\d+$/);
  const list = page.locator(".policy-findings");
  await list.getByRole("heading", { name: "Findings for this policy (1)" }).waitFor();
  await finding(list).waitFor();
  // Another policy of the sample has none.
  await page.goto(page.url().replace(/#.*$/, "") + "#/editor/0");
  await list.getByText("No findings for this policy.").waitFor();
});
