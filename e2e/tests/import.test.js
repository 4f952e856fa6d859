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

// A design for Calico 3.31 with an AdminNetworkPolicy: web is closed to other on TCP 8080.
const ANP_DESIGN = `apiVersion: studio.netpol.dev/v1alpha1
kind: Design
metadata:
  name: anp-estate
spec:
  calicoVersion: '3.31'
  namespaces:
  - name: web
    labels: {kubernetes.io/metadata.name: web, team: web}
    workloads:
    - name: frontend
      kind: Deployment
      labels: {app: frontend}
      ports:
      - {name: http, port: 8080, protocol: TCP}
  - name: other
    labels: {kubernetes.io/metadata.name: other, team: other}
    workloads:
    - name: client
      kind: Deployment
      labels: {app: client}
  policies:
  - apiVersion: policy.networking.k8s.io/v1alpha1
    kind: AdminNetworkPolicy
    metadata: {name: web-guard}
    spec:
      priority: 5
      subject: {namespaces: {matchLabels: {team: web}}}
      ingress:
      - name: deny-other
        action: Deny
        from: [{namespaces: {matchLabels: {team: other}}}]
        ports: [{portNumber: {protocol: TCP, port: 8080}}]
`;

pageTest("an imported AdminNetworkPolicy is migrated to a ClusterNetworkPolicy with core's proof, undoably", async ({ open }) => {
  const page = await open();
  await page.goto(page.url().replace(/#.*$/, "") + "#/canvas");
  // The sample targets Calico 3.32: no migration is offered.
  await page.getByRole("button", { name: "Import", exact: true }).first().click();
  assert.equal(await page.getByRole("button", { name: "Migrate AdminNetworkPolicy to ClusterNetworkPolicy" }).count(), 0);
  await page.getByLabel("YAML to import").fill(ANP_DESIGN);
  await page.locator(".import-panel").getByRole("button", { name: "Import", exact: true }).click();
  await page.locator(".import-report.merged").filter({ hasText: "anp-estate" }).waitFor();

  // On Calico 3.31 the canvas cannot draw a ClusterNetworkPolicy, and says why.
  const guardrail = page.getByRole("radio", { name: /Cluster guardrail/ });
  await page.waitForFunction(() => document.querySelector("#guardrail-why")?.textContent.includes("Calico 3.31"));
  assert.equal(await guardrail.isDisabled(), true);

  await page.getByRole("button", { name: "Migrate AdminNetworkPolicy to ClusterNetworkPolicy" }).click();
  const report = page.locator(".migration-report");
  await report.waitFor();
  const text = await report.textContent();
  assert.match(text, /1 AdminNetworkPolicy and 0 BaselineAdminNetworkPolicy objects became 1 ClusterNetworkPolicies/);
  const equivalent = text.match(/equivalent: (\d+) of (\d+) flows between 2 workloads keep their verdict/);
  assert.ok(equivalent, text);
  assert.equal(equivalent[1], equivalent[2], "every flow keeps its verdict");
  // The design now targets Calico 3.32: the guardrail can be drawn.
  await page.waitForFunction(() => document.querySelector("#guardrail-why")?.textContent === "");
  assert.equal(await guardrail.isDisabled(), false);

  await page.getByRole("button", { name: "Close" }).first().click();
  await page.getByRole("link", { name: "Policy board" }).click();
  await page.locator('.tier-column[data-tier="kube-admin"] .policy-card[data-policy="kcnp:web-guard"]').waitFor();
  assert.equal(await page.locator('.policy-card[data-policy*="kanp"]').count(), 0);

  // Undo brings the AdminNetworkPolicy back.
  await page.getByRole("button", { name: "Undo" }).click();
  await page.locator('.policy-card[data-policy="kcnp:web-guard"]').waitFor({ state: "detached" });
  assert.equal(await page.locator('.policy-card[data-policy*="web-guard"]').count(), 1);
  await page.getByRole("button", { name: "Import", exact: true }).first().click();
  await page.getByRole("button", { name: "Migrate AdminNetworkPolicy to ClusterNetworkPolicy" }).waitFor();
});
