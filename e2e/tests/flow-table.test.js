// The flow canvas's table of drawn flows, edited with the keyboard alone (protocol, ports, tier,
// delete), and canvas nodes moved by their grip, which the design keeps across a reload.
"use strict";

const assert = require("node:assert/strict");
const { pageTest } = require("../lib/harness");

const GATEWAY = "workload/storefront/api-gateway";
const ORDERS_DB = "workload/orders/orders-db";
const FLOW = "storefront/api-gateway to orders/orders-db";

async function openCanvas(page) {
  await page.getByRole("link", { name: "Flow canvas" }).click();
  await page.locator(`.flow-canvas [data-node="${GATEWAY}"]`).waitFor();
}

/** Presses Tab until the focused element has `label` (at most `max` times). */
async function tabTo(page, label, max = 15) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => document.activeElement?.getAttribute("aria-label"));
    if (focused === label) return;
  }
  assert.fail(`Tab never reached ${label}`);
}

const focusedLabel = (page) => page.evaluate(() => document.activeElement?.getAttribute("aria-label"));

async function policyYaml(page, name) {
  await page.getByRole("link", { name: "Policy board" }).click();
  await page.locator(`.policy-card[data-policy="${name}"]`).first().getByRole("link").click();
  const yaml = page.getByLabel("Policy YAML");
  await yaml.waitFor();
  return yaml.inputValue();
}

pageTest("edit and delete a drawn flow in the table with the keyboard alone", async ({ open }) => {
  const page = await open();
  await openCanvas(page);
  await page.getByLabel("Source").selectOption(GATEWAY);
  await page.getByLabel("Destination").selectOption(ORDERS_DB);
  await page.getByLabel("Ports", { exact: true }).fill("5432");
  await page.getByLabel("Tier", { exact: true }).selectOption("application");
  await page.getByRole("button", { name: "Add flow" }).focus();
  await page.keyboard.press("Enter");
  const row = page.locator(".flow-table tbody tr").first();
  await row.locator('[data-field="ports"]').waitFor();
  assert.equal(await row.locator("th").textContent(), "storefront/api-gateway");

  // Ports: Tab to the row's field, type, Enter. Both rules change; focus stays on the field.
  await tabTo(page, `Ports of ${FLOW}`);
  await page.keyboard.press("Control+A");
  await page.keyboard.type("5433, 5434");
  await page.keyboard.press("Enter");
  await page.getByRole("status").filter({ hasText: "Flow updated" }).waitFor();
  await page.locator(`.flow-canvas .edge[data-from="${GATEWAY}"] .edge-label`).filter({ hasText: "TCP 5433, 5434" }).waitFor();
  assert.equal(await focusedLabel(page), `Ports of ${FLOW}`, "focus stays on the edited field");
  assert.equal(await page.getByLabel(`Ports of ${FLOW}`).inputValue(), "5433, 5434");

  // A bad port is refused with a message and changes nothing.
  await page.keyboard.press("Control+A");
  await page.keyboard.type("99999");
  await page.keyboard.press("Enter");
  await page.getByRole("alert").filter({ hasText: "99999" }).waitFor();

  // Tier: Tab to the select and type its first letter (platform).
  await page.keyboard.press("Control+A");
  await page.keyboard.type("5433, 5434");
  await tabTo(page, `Tier of ${FLOW}`);
  await page.keyboard.press("p");
  await page.getByRole("status").filter({ hasText: "Flow updated" }).waitFor();
  await page.locator(".flow-table tbody tr").first().locator('[data-field="tier"]').waitFor();
  assert.equal(await page.getByLabel(`Tier of ${FLOW}`).inputValue(), "platform");
  assert.equal(await focusedLabel(page), `Tier of ${FLOW}`);

  // The YAML: the application policy lost the rule, a new platform policy has it.
  let yaml = await policyYaml(page, "api-gateway");
  assert.doesNotMatch(yaml, /5433/);
  assert.doesNotMatch(yaml, /studio\.netpol\.dev\/flow/);
  yaml = await policyYaml(page, "api-gateway-2");
  assert.match(yaml, /tier: platform/);
  assert.match(yaml, /5433/);
  assert.match(yaml, /5434/);
  assert.match(yaml, /orders-db/);

  // Delete: Tab to the row's Delete button... the key Delete on the row removes the flow.
  await openCanvas(page);
  await page.getByLabel(`Protocol of ${FLOW}`).waitFor();
  await page.getByRole("button", { name: "Add flow" }).focus();
  await tabTo(page, `Explain ${FLOW}`);
  await page.keyboard.press("Delete");
  await page.getByRole("status").filter({ hasText: "Flow removed (2 rules)" }).waitFor();
  assert.match(await page.getByRole("status").filter({ hasText: "Flow removed" }).textContent(), /Removed the policy storefront\/api-gateway-2/);
  await page.locator(".flow-table").getByText("No flow drawn yet.").waitFor();
  assert.equal(await page.locator(".flow-canvas .edge").count(), 0);
  await page.getByRole("link", { name: "Policy board" }).click();
  assert.equal(await page.locator('.policy-card[data-policy="api-gateway-2"]').count(), 0, "the emptied policy is gone");

  // One undoable edit: undo brings the flow back in the platform tier.
  await page.getByRole("button", { name: "Undo" }).click();
  await page.locator('.policy-card[data-policy="api-gateway-2"]').waitFor();
  await openCanvas(page);
  assert.equal(await page.getByLabel(`Tier of ${FLOW}`).inputValue(), "platform");
});

pageTest("a node moved by its grip keeps its place across a reload, and undo moves it back", async ({ open }) => {
  const page = await open();
  await openCanvas(page);
  const node = page.locator(`.flow-canvas [data-node="${GATEWAY}"]`);
  const before = await node.getAttribute("transform");
  const grip = await node.locator(".grip > rect").boundingBox();
  const [cx, cy] = [grip.x + grip.width / 2, grip.y + grip.height / 2];
  await page.mouse.move(cx, cy);
  await page.mouse.down();
  await page.mouse.move(cx + 53, cy + 30, { steps: 6 });
  await page.mouse.move(cx + 120, cy + 60, { steps: 6 });
  await page.mouse.up();
  const moved = await node.getAttribute("transform");
  const xy = (t) => t.match(/translate\(([-\d.]+) ([-\d.]+)\)/).slice(1).map(Number);
  const [x0, y0] = xy(before);
  const [x1, y1] = xy(moved);
  assert.equal(x1 - x0, 120, `moved ${before} → ${moved}`);
  assert.equal(y1 - y0, 60, `moved ${before} → ${moved}`);
  // Moving is not drawing: the flow form keeps its ends empty.
  assert.equal(await page.getByLabel("Source").inputValue(), "");

  await page.getByRole("button", { name: "Undo" }).click();
  assert.equal(await node.getAttribute("transform"), before);
  await page.getByRole("button", { name: "Redo" }).click();
  assert.equal(await node.getAttribute("transform"), moved);

  await page.reload();
  await page.locator("[data-app-ready]").waitFor();
  await openCanvas(page);
  assert.equal(await page.locator(`.flow-canvas [data-node="${GATEWAY}"]`).getAttribute("transform"), moved);
});

pageTest("a node's focused grip moves it with the arrow keys, one undo step per press", async ({ open }) => {
  const page = await open();
  await openCanvas(page);
  const node = page.locator(`.flow-canvas [data-node="${GATEWAY}"]`);
  const xy = async () =>
    (await node.getAttribute("transform")).match(/translate\(([-\d.]+) ([-\d.]+)\)/).slice(1).map(Number);
  const [x0, y0] = await xy();
  const grip = page.getByRole("button", { name: /^Move storefront\/api-gateway/ });
  await grip.focus();
  await page.keyboard.press("ArrowRight");
  await page.waitForFunction(
    ([id, x]) => !document.querySelector(`[data-node="${id}"]`).getAttribute("transform").startsWith(`translate(${x} `),
    [GATEWAY, x0],
  );
  // The grip keeps the focus after the node is redrawn: the next keys move it further.
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("Shift+ArrowDown");
  await page.waitForFunction(
    ([id, y]) => !document.querySelector(`[data-node="${id}"]`).getAttribute("transform").endsWith(` ${y})`),
    [GATEWAY, y0],
  );
  assert.deepEqual(await xy(), [x0 + 20, y0 + 50]);
  assert.equal(await page.getByLabel("Source").inputValue(), "", "moving is not drawing");

  // One undo per key press.
  await page.getByRole("button", { name: "Undo" }).click();
  assert.deepEqual(await xy(), [x0 + 20, y0]);
  await page.getByRole("button", { name: "Undo" }).click();
  await page.getByRole("button", { name: "Undo" }).click();
  assert.deepEqual(await xy(), [x0, y0]);
});
