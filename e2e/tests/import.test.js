// Import: pasted YAML is added to the design with a report; a bad file changes nothing.
"use strict";

const assert = require("node:assert/strict");
const { pageTest } = require("../lib/harness");

const GOOD = `apiVersion: projectcalico.org/v3
kind: Tier
metadata:
  name: imported-tier
spec:
  order: 450
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: imported-allow-dns
spec:
  tier: imported-tier
  order: 10
  selector: all()
  types: [Egress]
  egress:
  - action: Allow
    protocol: UDP
    destination:
      ports: [53]
`;

const BAD = `apiVersion: projectcalico.org/v3
kind: Tier
metadata:
  name: never-added
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: broken
spec:
  order: [not, a, number]
`;

async function importText(page, text) {
  await page.getByRole("button", { name: "Import", exact: true }).first().click();
  await page.getByLabel("YAML to import").fill(text);
  await page.locator(".import-panel").getByRole("button", { name: "Import", exact: true }).click();
}

pageTest("a bad file reports file:line:column errors and changes nothing", async ({ open }) => {
  const page = await open();
  await page.goto(page.url().replace(/#.*$/, "") + "#/board");
  const tiersBefore = await page.locator(".tier-column").count();
  await importText(page, BAD);
  const report = page.locator(".import-report.rejected");
  await report.waitFor();
  assert.match(await report.textContent(), /pasted\.yaml:11:\d+/);
  assert.equal(await page.locator(".tier-column").count(), tiersBefore);
  assert.equal(await page.locator('.tier-column[data-tier="never-added"]').count(), 0);
  assert.equal(await page.getByLabel("YAML to import").inputValue(), BAD, "the pasted text is kept");
  assert.equal(await page.getByRole("button", { name: "Undo" }).isDisabled(), true, "no edit happened");
});

pageTest("good YAML is added to the design and can be undone", async ({ open }) => {
  const page = await open();
  await page.goto(page.url().replace(/#.*$/, "") + "#/board");
  await importText(page, GOOD);
  await page.locator(".import-report.merged").filter({ hasText: "2 added" }).waitFor();
  const tier = page.locator('.tier-column[data-tier="imported-tier"]');
  await tier.waitFor();
  assert.equal(await tier.locator(".policy-card").count(), 1);
  await page.getByRole("button", { name: "Undo" }).click();
  await tier.waitFor({ state: "detached" });
});
