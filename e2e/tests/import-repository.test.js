// Closing the GitOps loop in the browser: the Fleet repository zip the Export view downloads opens, in
// a fresh browser profile, as the same design — the policy board and the flow canvas match.
"use strict";

const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { pageTest, origin } = require("../lib/harness");

const GATEWAY = "workload/storefront/api-gateway";
const ORDERS_DB = "workload/orders/orders-db";

/** The board as data: tiers in order, each with its cards (name and order). */
async function board(page) {
  await page.goto(page.url().replace(/#.*$/, "") + "#/board");
  await page.locator(".tier-column").first().waitFor();
  return page.locator(".tier-column").evaluateAll((cols) =>
    cols.map((c) => ({
      tier: c.dataset.tier,
      cards: [...c.querySelectorAll(".policy-card")].map((p) => ({
        policy: p.dataset.policy,
        order: p.querySelector(".order")?.textContent ?? "",
      })),
    })),
  );
}

/** The canvas as data: nodes with their place, edges with their verdict. */
async function canvas(page) {
  await page.getByRole("link", { name: "Flow canvas" }).click();
  await page.locator(`.flow-canvas [data-node="${GATEWAY}"]`).waitFor();
  const nodes = await page
    .locator(".flow-canvas [data-node]")
    .evaluateAll((ns) => ns.map((n) => `${n.dataset.node} ${n.getAttribute("transform")}`).sort());
  const edges = await page
    .locator(".flow-canvas .edge")
    .evaluateAll((es) => es.map((e) => `${e.dataset.from} -> ${e.dataset.to} ${e.dataset.verdict}`).sort());
  return { nodes, edges };
}

pageTest("an exported repository zip opens in a fresh profile as the same design", async ({ open, fresh }) => {
  const page = await open();
  // Change the sample first (a drawn flow), so the fresh profile's own sample differs until the import.
  await page.getByRole("link", { name: "Flow canvas" }).click();
  await page.locator(`.flow-canvas [data-node="${GATEWAY}"]`).waitFor();
  await page.getByLabel("Source").selectOption(GATEWAY);
  await page.getByLabel("Destination").selectOption(ORDERS_DB);
  await page.getByLabel("Protocol").selectOption("TCP");
  await page.getByLabel("Ports").fill("5432");
  await page.getByLabel("Tier").selectOption("application");
  await page.getByRole("button", { name: "Add flow" }).click();
  await page.locator(`.flow-canvas .edge[data-from="${GATEWAY}"][data-to="${ORDERS_DB}"]`).waitFor();
  const expectedCanvas = await canvas(page);
  const expectedBoard = await board(page);

  await page.getByRole("link", { name: "Export", exact: true }).first().click();
  const [file] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Download zip" }).click(),
  ]);
  const zip = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "netpol-repo-")), file.suggestedFilename());
  await file.saveAs(zip);

  const other = await fresh();
  await other.goto(`${origin()}/`);
  await other.locator("[data-app-ready]").waitFor({ timeout: 30_000 });
  const before = await canvas(other);
  assert.notDeepEqual(before.edges, expectedCanvas.edges, "the fresh profile starts from its own sample");

  await other.getByRole("button", { name: "Import", exact: true }).first().click();
  await other.getByLabel("Fleet repository zip").setInputFiles(zip);
  const report = other.locator(".repository-report");
  await report.waitFor();
  const text = await report.innerText();
  assert.match(text, /Opened the Fleet repository “network-policies”/);
  assert.match(text, /network-policies\/studio\/design\.json/);
  assert.match(text, /network-policies\/bundles\/applications\/storefront\/storefront\/networkpolicy-application\.api-gateway\.yaml/);
  assert.match(text, /0 warnings/);

  assert.deepEqual(await board(other), expectedBoard);
  assert.deepEqual(await canvas(other), expectedCanvas);
  // One undoable edit.
  assert.equal(await other.getByRole("button", { name: "Undo" }).isDisabled(), false);
});

pageTest("a zip that is no repository changes nothing and says why", async ({ open }) => {
  const page = await open();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "netpol-notrepo-"));
  const file = path.join(dir, "notes.zip");
  // An empty zip archive: the end-of-central-directory record alone.
  fs.writeFileSync(file, Buffer.from([0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)]));
  await page.getByRole("button", { name: "Import", exact: true }).first().click();
  await page.getByLabel("Fleet repository zip").setInputFiles(file);
  const report = page.locator(".import-report.rejected");
  await report.waitFor();
  assert.match(await report.innerText(), /Nothing opened: notes holds no fleet\.yaml/);
  assert.equal(await page.getByRole("button", { name: "Undo" }).isDisabled(), true);
});
