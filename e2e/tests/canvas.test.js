// The flow canvas: draw a flow with the form and by dragging, see the verdict on the edge, the
// explanation, and the generated rules in the policy editor.
"use strict";

const assert = require("node:assert/strict");
const { pageTest } = require("../lib/harness");

const GATEWAY = "workload/storefront/api-gateway";
const ORDERS_DB = "workload/orders/orders-db";
// Visible without panning at the default zoom (the stored layout of the sample).
const CHECKOUT = "workload/checkout/checkout-api";
const LOAD_GEN = "workload/sandbox/load-generator";

async function openCanvas(open) {
  const page = await open();
  await page.getByRole("link", { name: "Flow canvas" }).click();
  await page.locator(`.flow-canvas [data-node="${GATEWAY}"]`).waitFor();
  return page;
}

pageTest("draw a flow with the form: the edge is allowed and the YAML has the rules", async ({ open }) => {
  const page = await openCanvas(open);
  const nodes = await page.locator(".flow-canvas .node").count();
  assert.ok(nodes >= 10, `nodes drawn: ${nodes}`);
  for (const kind of ["world", "dns", "network-set", "namespace", "workload"]) {
    assert.ok((await page.locator(`.flow-canvas .node.${kind}`).count()) > 0, `a ${kind} node`);
  }

  await page.getByLabel("Source").selectOption(GATEWAY);
  await page.getByLabel("Destination").selectOption(ORDERS_DB);
  await page.getByLabel("Protocol").selectOption("TCP");
  await page.getByLabel("Ports").fill("5432");
  await page.getByLabel("Tier").selectOption("application");
  await page.getByRole("button", { name: "Add flow" }).click();
  await page.getByRole("status").filter({ hasText: "egress rule in storefront/api-gateway" }).waitFor();

  const edge = page.locator(`.flow-canvas .edge[data-from="${GATEWAY}"][data-to="${ORDERS_DB}"]`);
  await edge.waitFor();
  assert.equal(await edge.getAttribute("data-verdict"), "allowed");
  // The explanation of the new flow is shown (the evaluator's trace).
  await page.locator(".flow-explanation .trace").first().waitFor();
  assert.match(await page.locator(".flow-explanation .trace").first().textContent(), /verdict: allow/);

  // A cross-environment flow is drawn but the whole design denies it.
  await page.getByLabel("Source").selectOption(LOAD_GEN);
  await page.getByLabel("Destination").selectOption(ORDERS_DB);
  await page.getByRole("button", { name: "Add flow" }).click();
  const denied = page.locator(`.flow-canvas .edge[data-from="${LOAD_GEN}"][data-to="${ORDERS_DB}"]`);
  await denied.waitFor();
  assert.equal(await denied.getAttribute("data-verdict"), "denied");
  await page.getByRole("button", { name: "Explain sandbox/load-generator to orders/orders-db" }).click();
  await page.locator(".flow-explanation .trace").filter({ hasText: "deny-cross-environment" }).first().waitFor();

  // The generated egress rule is in the api-gateway policy's YAML.
  await page.getByRole("link", { name: "Policy board" }).click();
  await page.locator('.policy-card[data-policy="application.api-gateway"], .policy-card[data-policy="api-gateway"]').first().getByRole("link").click();
  const yaml = page.getByLabel("Policy YAML");
  await yaml.waitFor();
  const text = await yaml.inputValue();
  assert.match(text, /5432/);
  assert.match(text, /orders-db/);
  assert.match(text, /studio\.netpol\.dev\/flow/);
});

pageTest("drag from one node to another fills the form; pan and zoom move the graph", async ({ open }) => {
  const page = await openCanvas(open);
  const a = await page.locator(`.flow-canvas [data-node="${GATEWAY}"] > rect`).boundingBox();
  const b = await page.locator(`.flow-canvas [data-node="${CHECKOUT}"] > rect`).boundingBox();
  await page.mouse.move(a.x + 20, a.y + 15);
  await page.mouse.down();
  await page.mouse.move(b.x + 20, b.y + 15, { steps: 5 });
  await page.mouse.up();
  assert.equal(await page.getByLabel("Source").inputValue(), GATEWAY);
  assert.equal(await page.getByLabel("Destination").inputValue(), CHECKOUT);

  const layer = page.locator(".flow-canvas g.viewport");
  const before = await layer.getAttribute("transform");
  await page.getByRole("button", { name: "Zoom in" }).click();
  const zoomed = await layer.getAttribute("transform");
  assert.notEqual(zoomed, before, "zoom changes the transform");
  const frame = await page.locator(".flow-canvas").boundingBox();
  await page.mouse.move(frame.x + 10, frame.y + 10);
  await page.mouse.down();
  await page.mouse.move(frame.x + 60, frame.y + 40, { steps: 4 });
  await page.mouse.up();
  assert.notEqual(await layer.getAttribute("transform"), zoomed, "dragging the background pans");

  await page.getByLabel("Ports").fill("9000");
  await page.getByRole("button", { name: "Add flow" }).click();
  await page.locator(`.flow-canvas .edge[data-from="${GATEWAY}"][data-to="${CHECKOUT}"]`).waitFor();
  // Undo removes the drawn flow.
  await page.getByRole("button", { name: "Undo" }).click();
  await page.locator(`.flow-canvas .edge[data-from="${GATEWAY}"]`).waitFor({ state: "detached" });
});

pageTest("an edge that depends on a pod IP is undecidable, drawn apart, and says what it needs", async ({ open }) => {
  const page = await openCanvas(open);
  await page.getByLabel("Source").selectOption(GATEWAY);
  await page.getByLabel("Destination").selectOption(ORDERS_DB);
  await page.getByLabel("Protocol").selectOption("TCP");
  await page.getByLabel("Ports").fill("5432");
  await page.getByLabel("Tier").selectOption("application");
  await page.getByRole("button", { name: "Add flow" }).click();
  const edge = page.locator(`.flow-canvas .edge[data-from="${GATEWAY}"][data-to="${ORDERS_DB}"]`);
  await edge.waitFor();
  assert.equal(await edge.getAttribute("data-verdict"), "allowed");

  // orders-db now admits one subnet of the pod range (10.42.0.0/16) instead of the gateway's
  // labels: the design gives the gateway no pod IP, so the verdict cannot be decided.
  await page.getByRole("link", { name: "Policy board" }).click();
  await page.locator('.policy-card[data-policy="application.orders-db"], .policy-card[data-policy="orders-db"]').first().getByRole("link").click();
  const yaml = page.getByLabel("Policy YAML");
  await yaml.waitFor();
  const text = await yaml.inputValue();
  const changed = text
    .replace(/^(\s*)selector: app\.kubernetes\.io\/name == "api-gateway"$/m, '$1nets: ["10.42.3.0/24"]')
    .replace(/^\s*namespaceSelector: kubernetes\.io\/metadata\.name == "storefront"\n/m, "");
  assert.notEqual(changed, text, `the rule names the gateway:\n${text}`);
  await yaml.fill(changed);
  await page.waitForFunction(() =>
    document.querySelector('textarea[aria-label="Policy YAML"]').value.includes("10.42.3.0/24"),
  );

  await page.getByRole("link", { name: "Flow canvas" }).click();
  await edge.waitFor();
  await page.waitForFunction(
    ([from, to]) =>
      document.querySelector(`.flow-canvas .edge[data-from="${from}"][data-to="${to}"]`)?.getAttribute("data-verdict") === "undecidable",
    [GATEWAY, ORDERS_DB],
  );
  // Its own style: dotted, not the allowed or denied line.
  const dash = await edge.locator(".edge-line").evaluate((line) => getComputedStyle(line).strokeDasharray);
  assert.match(dash, /^1(px)?,? 4(px)?$/, `dotted: ${dash}`);
  await page.getByRole("button", { name: "Explain storefront/api-gateway to orders/orders-db" }).click();
  await page.locator(".flow-explanation .trace").filter({ hasText: "the pod IP of storefront/api-gateway" }).first().waitFor();
  assert.match(await page.locator(".flow-explanation .trace").first().textContent(), /verdict: undecidable/);
});

pageTest("a flow drawn as a cluster guardrail is a ClusterNetworkPolicy the board's kube-admin tier holds", async ({ open }) => {
  const page = await openCanvas(open);
  await page.getByLabel("Source").selectOption(GATEWAY);
  await page.getByLabel("Destination").selectOption(CHECKOUT);
  await page.getByLabel("Protocol").selectOption("TCP");
  await page.getByLabel("Ports").fill("8080");
  // The sample targets Calico 3.32, which enforces ClusterNetworkPolicy: the choice is offered.
  const guardrail = page.getByRole("radio", { name: /Cluster guardrail/ });
  assert.equal(await guardrail.isDisabled(), false);
  await guardrail.check();
  await page.getByLabel("Cluster tier").selectOption("Admin");
  await page.getByLabel("Guardrail action").selectOption("Deny");
  await page.getByRole("button", { name: "Add flow" }).click();
  const named = 'kube-admin → api-gateway-to-checkout-api → rule "deny-api-gateway-to-checkout-api"';
  await page.getByRole("status").filter({ hasText: named }).waitFor();

  const edge = page.locator(`.flow-canvas .edge[data-from="${GATEWAY}"][data-to="${CHECKOUT}"][data-guardrail]`);
  await edge.waitFor();
  assert.equal(await edge.getAttribute("data-verdict"), "denied");
  assert.equal(await edge.getAttribute("data-guardrail"), named);
  // The explanation names the policy and its rule, in the kube-admin tier.
  await page.getByRole("list", { name: "Cluster guardrails" }).filter({ hasText: named }).waitFor();
  await page.locator(".flow-explanation .trace").filter({ hasText: "tier kube-admin" }).first().waitFor();

  await page.getByRole("link", { name: "Policy board" }).click();
  const card = page.locator('.tier-column[data-tier="kube-admin"] .policy-card[data-policy="kcnp:api-gateway-to-checkout-api"]');
  await card.waitFor();
  // Its link opens it in the ClusterNetworkPolicy form.
  await card.getByRole("link").click();
  await page.getByRole("form", { name: "ClusterNetworkPolicy" }).waitFor();
  assert.equal(await page.getByLabel("Ingress rule 1 action").inputValue(), "Deny");
  assert.match(await page.getByLabel("Policy YAML").inputValue(), /studio\.netpol\.dev\/flow: workload\/storefront\/api-gateway -> workload\/checkout\/checkout-api/);
});
