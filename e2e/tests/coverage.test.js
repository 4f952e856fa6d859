// The Coverage view: on the sample design it shows what `netpol coverage` prints for the same design —
// the summary line, the uncovered workloads, every exposure with its deciding rule — and a namespace ×
// namespace matrix whose cells say their answer in words, not by colour only. An edit recomputes it.
"use strict";

const assert = require("node:assert/strict");
const { pageTest } = require("../lib/harness");
const { netpol, hasCommand, sampleDesign } = require("../lib/netpol");

/** Opens the Coverage view and waits for the worker's answer. */
async function openCoverage(open) {
  const page = await open();
  await page.getByRole("link", { name: "Coverage" }).click();
  await page.locator(".coverage-report").waitFor({ timeout: 60_000 });
  return page;
}

pageTest("the Coverage view shows what `netpol coverage` says of the sample design", async ({ open }, t) => {
  if (!hasCommand("coverage")) {
    t.skip("this netpol has no `coverage` command yet");
    return;
  }
  const design = sampleDesign();
  const cli = JSON.parse(netpol("coverage", design, "--format", "json"));
  const table = netpol("coverage", design, "--format", "table").trim().split("\n");
  const page = await openCoverage(open);

  // The heading and the line a reviewer pastes.
  assert.equal(await page.getByRole("heading", { level: 1, name: "Coverage" }).count(), 1);
  assert.equal((await page.locator("[data-summary]").innerText()).trim(), table[table.length - 1]);

  // The uncovered workloads, in the CLI's order.
  const uncovered = cli.workloads
    .filter((w) => w.ingress === "uncovered" || w.egress === "uncovered")
    .map((w) => w.workload);
  const shown = await page.locator(".coverage-uncovered li").evaluateAll((items) =>
    items.map((li) => li.dataset.workload),
  );
  assert.deepEqual(shown, uncovered);

  // Every exposure, with the rule that decides it.
  const expected = cli.workloads.flatMap((w) =>
    w.exposures.map((x) => {
      const by = x.decided_by;
      const policy = by.namespace ? `${by.namespace}/${by.policy}` : by.policy;
      return [w.workload, x.kind, x.direction, x.ports, `tier ${by.tier}, ${policy} rule ${by.rule}`];
    }),
  );
  const rows = await page.locator(".coverage-exposures tbody tr").evaluateAll((trs) =>
    trs.map((tr) => [...tr.cells].map((td) => td.innerText.trim())),
  );
  assert.deepEqual(
    rows.map(([workload, kind, direction, ports, by]) => [
      workload,
      kind.replace(" (undecidable)", ""),
      direction,
      ports,
      by,
    ]),
    expected,
  );

  // The matrix: a real table, one row and one column per namespace with workloads, each cell a word
  // and a mark beside its colour.
  const namespaces = [...new Set(cli.workloads.map((w) => w.workload.split("/")[0]))].sort();
  const columns = await page.locator(".coverage-matrix thead th[scope=col]").allInnerTexts();
  assert.deepEqual(columns, namespaces);
  const rowHeads = await page.locator(".coverage-matrix tbody th[scope=row]").allInnerTexts();
  assert.deepEqual(rowHeads, namespaces);
  const cells = await page.locator(".coverage-matrix td[data-reach]").evaluateAll((tds) =>
    tds.map((td) => [td.dataset.reach, td.innerText.trim()]),
  );
  assert.equal(cells.length, namespaces.length * namespaces.length);
  const marks = { allowed: "✓ allowed", denied: "✕ denied", partly: "◐ partly", undecidable: "? undecidable", none: "—" };
  for (const [reach, text] of cells) assert.equal(text, marks[reach], `a ${reach} cell says ${text}`);
  assert.ok(
    cells.some(([reach]) => reach !== "none"),
    "the sample's workloads list container ports: some cell has an answer",
  );

  // Keyboard: the matrix region takes the focus.
  await page.locator(".coverage-matrix-wrap").focus();
  assert.equal(await page.evaluate(() => document.activeElement.className), "coverage-matrix-wrap");
});

pageTest("an edit recomputes the Coverage view (one worker, the analysis one)", async ({ open, page }) => {
  // Count the workers the page starts (Playwright's init script is not subject to the page's CSP).
  await page.addInitScript(() => {
    const Native = window.Worker;
    window.__netpolWorkers = 0;
    window.Worker = class extends Native {
      constructor(...args) {
        super(...args);
        window.__netpolWorkers += 1;
      }
    };
  });
  await openCoverage(open);
  const before = (await page.locator("[data-summary]").innerText()).trim();
  const total = (line) => Number(/of (\d+) workloads/.exec(line)?.[1]);
  assert.ok(total(before) > 0, `a summary with a workload count: ${before}`);

  // A new workload group in checkout is one more workload for the report.
  await page.getByRole("link", { name: "Namespaces & workloads" }).click();
  const ns = page.locator('.ns-card[data-namespace="checkout"]');
  await ns.getByLabel("New workload group in checkout", { exact: true }).fill("cart");
  await ns.getByRole("button", { name: "Add workload group" }).click();
  await page.getByRole("link", { name: "Coverage" }).click();
  await page.waitForFunction(
    (n) => /of (\d+) workloads/.exec(document.querySelector("[data-summary]")?.innerText ?? "")?.[1] === String(n),
    total(before) + 1,
    { timeout: 30_000 },
  );
  // Two visits of the view, and the page still runs one worker: the analysis worker.
  assert.equal(await page.evaluate(() => window.__netpolWorkers), 1);
});
