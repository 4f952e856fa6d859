// The Impact view: every sample flow format gives the counts `netpol impact` prints for the same file;
// junk gives a clear error; "Suggest a rule" fixes a broken flow.
"use strict";

const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { pageTest } = require("../lib/harness");
const { SHARED, netpol, hasCommand, sampleDesign } = require("../lib/netpol");

const FLOWS = path.join(SHARED, "flows");
const SAMPLES = fs
  .readdirSync(FLOWS)
  .filter((name) => name !== "README.md")
  .map((name) => path.join(FLOWS, name));

/** Opens the Impact view; `deployed`: compare with the design as loaded rather than the open cluster. */
async function openImpact(open, { deployed = false } = {}) {
  const page = await open();
  await page.getByRole("link", { name: "Impact" }).click();
  await page.locator(".dropzone").waitFor();
  if (deployed) await page.getByLabel("The deployed design (as loaded, or last marked deployed)").check();
  return page;
}

/** Uploads files through the picker and waits for the report naming them. */
async function upload(page, files) {
  await page.getByLabel("Flow log files").setInputFiles(files);
  const names = files.map((f) => (typeof f === "string" ? path.basename(f) : f.name)).join(", ");
  await page.locator(".import-report dd", { hasText: names }).waitFor({ timeout: 60_000 });
}

/** The figures the page shows. */
async function figures(page) {
  const text = async (selector) => (await page.locator(selector).innerText()).trim();
  return {
    format: await text("[data-figure=format]"),
    records: Number(await text("[data-figure=records]")),
    skipped: Number(await text("[data-figure=skipped]")),
    distinct: Number(await text("[data-figure=distinct]")),
    broken: Number(await text("[data-count=broken]")),
    widened: Number(await text("[data-count=widened]")),
    unchanged: Number(await text("[data-count=unchanged]")),
    unmatched: Number(await text("[data-count=unmatched]")),
  };
}

pageTest("each sample flow format gives the counts of `netpol impact`", async ({ open }, t) => {
  if (!hasCommand("impact")) {
    t.skip("this netpol has no `impact` command yet");
    return;
  }
  const design = sampleDesign();
  const page = await openImpact(open, { deployed: true });
  for (const file of SAMPLES) {
    const cli = JSON.parse(
      netpol("impact", "--before", design, "--after", design, "--flows", file, "--format", "json"),
    );
    await upload(page, [file]);
    const shown = await figures(page);
    const name = path.basename(file);
    assert.equal(shown.format, cli.import.format, `${name}: format`);
    assert.equal(shown.records, cli.import.records, `${name}: records`);
    assert.equal(shown.skipped, cli.import.skipped, `${name}: skipped`);
    assert.equal(shown.distinct, cli.import.distinct, `${name}: distinct`);
    assert.equal(shown.broken, cli.summary.broken, `${name}: broken`);
    assert.equal(shown.widened, cli.summary.widened, `${name}: widened`);
    assert.equal(
      shown.unchanged,
      cli.summary.unchanged_allow + cli.summary.unchanged_deny,
      `${name}: unchanged`,
    );
    assert.equal(shown.unmatched, cli.summary.unmatched, `${name}: unmatched`);
    assert.equal(await page.locator(".flow-table h3").innerText(), `Flows (${cli.import.distinct})`);
  }
});

pageTest("every sample format imports, gzipped or not, with a report", async ({ open }) => {
  const page = await openImpact(open);
  for (const file of SAMPLES) {
    await upload(page, [file]);
    const shown = await figures(page);
    assert.ok(shown.records > 0, `${path.basename(file)} has records`);
    assert.ok(shown.distinct > 0, `${path.basename(file)} has distinct flows`);
    assert.equal(
      shown.broken + shown.widened + shown.unchanged + shown.unmatched,
      shown.distinct,
      "every distinct flow is counted once",
    );
  }
});

pageTest("a file that is not a flow log gives a clear error", async ({ open }) => {
  const page = await openImpact(open);
  await page.getByLabel("Flow log files").setInputFiles({
    name: "notes.txt",
    mimeType: "text/plain",
    buffer: Buffer.from("shopping list\n- eggs\n- milk\n"),
  });
  const error = page.getByRole("alert");
  await error.waitFor();
  assert.match(await error.innerText(), /notes\.txt: not a flow log/);
  assert.equal(await page.locator(".impact-cards").count(), 0, "no figures for junk");
});

pageTest("the sample flows load, rows expand, and a suggested rule fixes a broken flow", async ({ open }) => {
  const page = await openImpact(open, { deployed: true });
  await page.getByRole("button", { name: "Use sample flows" }).click();
  await page.locator("[data-count=broken]").waitFor({ timeout: 30_000 });
  const broken = () => page.locator("[data-count=broken]").innerText().then(Number);
  const widened = () => page.locator("[data-count=widened]").innerText().then(Number);
  assert.equal(await broken(), 0, "before and after are the same design");

  // A flow the design denies at the end of its tiers (the gateway straight to the database): suggest a
  // rule → the design now allows it (widened). (Flows denied by a higher tier's Deny rule, like the
  // cross-environment ones, a rule in the application tier cannot let through.)
  await page.getByLabel("Filter by change").selectOption("unchanged_deny");
  const row = page
    .locator(".flow-row")
    .filter({ has: page.locator(".src", { hasText: "storefront/api-gateway" }) })
    .filter({ has: page.locator(".dst", { hasText: "orders/orders-db" }) })
    .first();
  await row.click();
  await page.locator(".flow-detail .walks").waitFor();
  await page.getByRole("button", { name: "Suggest a rule" }).click();
  await page.locator(".notice", { hasText: "Added" }).waitFor();
  await page.waitForFunction(() => document.querySelector("[data-count=widened]")?.textContent !== "0");
  const widenedAfterSuggest = await widened();
  assert.ok(widenedAfterSuggest >= 1);

  // Deploy it, then undo the rule: that flow is now broken.
  await page.getByRole("button", { name: "Treat the current design as deployed" }).click();
  await page.waitForFunction(() => document.querySelector("[data-count=widened]")?.textContent === "0");
  await page.getByRole("button", { name: "Undo" }).click();
  await page.waitForFunction(() => document.querySelector("[data-count=broken]")?.textContent !== "0");
  const brokenBefore = await broken();
  assert.ok(brokenBefore >= 1, "undoing a deployed allow breaks the flow");

  // Suggest again on a broken flow: the broken count drops.
  await page.getByLabel("Filter by change").selectOption("broken");
  const first = page.locator(".flow-row").first();
  await first.waitFor();
  // It may be the row still expanded from before (clicking would fold it).
  if ((await first.locator(".flow-open").getAttribute("aria-expanded")) !== "true") await first.click();
  await page.getByRole("button", { name: "Suggest a rule" }).click();
  await page.waitForFunction(
    (n) => Number(document.querySelector("[data-count=broken]")?.textContent) < n,
    brokenBefore,
  );
  assert.ok((await broken()) < brokenBefore);
});

pageTest("out of the box the sample flows are compared with an open cluster: the design breaks some", async ({ open }) => {
  const page = await openImpact(open);
  const openCluster = page.getByLabel("No policies (open cluster)");
  assert.ok(await openCluster.isChecked(), "the open cluster is the default before any export");
  assert.match(await page.locator(".before-explained").innerText(), /enforces no policy/);
  await page.getByRole("button", { name: "Use sample flows" }).click();
  await page.locator("[data-count=broken]").waitFor({ timeout: 30_000 });
  await page.waitForFunction(() => document.querySelector("[data-count=broken]")?.textContent !== "0");
  const shown = await figures(page);
  assert.ok(shown.broken > 0, `the design denies flows an open cluster allows: ${JSON.stringify(shown)}`);
  assert.equal(shown.widened, 0, "nothing is denied on an open cluster, so nothing is widened");

  // The broken flows are listed.
  await page.getByLabel("Filter by change").selectOption("broken");
  await page.locator(".flow-row").first().waitFor();
  assert.ok((await page.locator(".flow-row").count()) > 0, "broken flows are listed");
  assert.match(await page.locator(".flow-table h3").innerText(), new RegExp(`\\(${shown.broken}\\)`));

  // Against the design as loaded (the same design) nothing breaks; the choice survives a reload.
  await page.getByLabel("The deployed design (as loaded, or last marked deployed)").check();
  await page.waitForFunction(() => document.querySelector("[data-count=broken]")?.textContent === "0");
  await page.reload();
  await page.getByRole("link", { name: "Impact" }).click();
  assert.ok(await page.getByLabel("The deployed design (as loaded, or last marked deployed)").isChecked());
});

pageTest("Cancel stops a long import at once, and the next import works", async ({ open }) => {
  // About 150 MB of CSV: long enough to be caught while reading.
  const big = require("node:path").join(require("node:os").tmpdir(), "netpol-cancel-150mb.csv");
  if (!fs.existsSync(big)) {
    const sample = fs.readFileSync(path.join(FLOWS, "flows.csv"), "utf8").split("\n");
    const body = sample.slice(1).filter(Boolean).join("\n") + "\n";
    const out = fs.openSync(big, "w");
    fs.writeSync(out, sample[0] + "\n");
    for (let written = 0; written < 150e6; written += body.length) fs.writeSync(out, body);
    fs.closeSync(out);
  }
  const page = await openImpact(open);
  await page.getByLabel("Flow log files").setInputFiles(big);
  await page.locator(".import-progress").waitFor();
  await page.getByRole("button", { name: "Cancel" }).click();
  await page.locator(".import-progress").waitFor({ state: "detached" });
  assert.equal(await page.locator(".impact-cards").count(), 0, "a cancelled import shows no figures");
  await page.getByRole("button", { name: "Use sample flows" }).click();
  await page.locator("[data-count=broken]").waitFor({ timeout: 30_000 });
});

/** Replaces the design with the empty design and its default-deny baseline (New design). */
async function newEmptyDesign(page) {
  await page.getByRole("button", { name: "New design", exact: true }).click();
  await page.getByRole("button", { name: /Empty design with the default-deny baseline/ }).click();
  await page.getByRole("alertdialog", { name: "Replace the design" }).getByRole("button", { name: "Replace the design" }).click();
  await page.getByRole("region", { name: "New design" }).waitFor({ state: "detached" });
}

/** The sum of the change cards (every flow the figures count). */
async function counted(page) {
  const f = await figures(page);
  const undecidable = await page.locator("[data-count=undecidable]").count();
  const u = undecidable ? Number(await page.locator("[data-count=undecidable]").innerText()) : 0;
  return f.broken + f.widened + f.unchanged + f.unmatched + u;
}

pageTest("flows of namespaces the design lacks are said, can be hidden, and can be added as one undoable edit", async ({ open }) => {
  const page = await open();
  await newEmptyDesign(page);
  await page.getByRole("link", { name: "Impact" }).click();
  await page.getByRole("button", { name: "Use sample flows" }).click();
  const notice = page.getByRole("region", { name: "Namespaces not in this design" });
  await notice.waitFor({ timeout: 30_000 });
  const distinct = Number(await page.locator("[data-figure=distinct]").innerText());
  const foreign = Number(await notice.getAttribute("data-flows"));
  assert.ok(foreign > 0 && foreign <= distinct, `${foreign} of ${distinct}`);
  // The sample's namespaces are named; the new design has only kube-system.
  const text = await notice.innerText();
  assert.match(text, new RegExp(`^${foreign} flows? involves? namespaces not in this design \\(`));
  assert.match(text, /checkout/);
  assert.doesNotMatch(text, /kube-system/);
  assert.equal(await counted(page), distinct, "every flow is counted while shown");

  // Hide them: out of the table and the figures; Show them brings them back.
  await notice.getByRole("button", { name: "Hide them" }).click();
  await page.waitForFunction(() => document.querySelector("[data-hidden]")?.dataset.hidden === "true");
  assert.match(await notice.innerText(), new RegExp(`^${foreign} flows? hidden`));
  assert.equal(await page.locator(".flow-table h3").innerText(), `Flows (${distinct - foreign})`);
  assert.equal(await counted(page), distinct - foreign);
  await notice.getByRole("button", { name: "Show them" }).click();
  await page.waitForFunction(() => document.querySelector("[data-hidden]")?.dataset.hidden === "false");
  assert.equal(await page.locator(".flow-table h3").innerText(), `Flows (${distinct})`);
  assert.equal(await counted(page), distinct);

  // Add them: one edit creates the namespaces; the line goes, and Undo brings it (not the notice) back.
  const names = (text.match(/\(([^)]*)\)/)[1] || "").split(", ").filter((n) => !/more$/.test(n));
  await notice.getByRole("button", { name: /^Add \d+ namespaces? to the design$/ }).click();
  await notice.waitFor({ state: "detached" });
  await page.locator(".notice", { hasText: /Added \d+ namespaces? from the flows/ }).waitFor();
  await page.getByRole("button", { name: "Undo", exact: true }).click();
  await notice.waitFor();
  assert.equal(Number(await notice.getAttribute("data-flows")), foreign);
  assert.equal(await page.locator(".notice", { hasText: "Added" }).count(), 0, "the notice went with its edit");
  await page.getByRole("button", { name: "Redo", exact: true }).click();
  await notice.waitFor({ state: "detached" });
  await page.getByRole("link", { name: "Namespaces & workloads" }).click();
  for (const name of names) await page.locator(`.ns-card[data-namespace="${name}"]`).waitFor();
});

pageTest("a flow's detail opens under its row and follows every change: Suggest a rule, then Undo", async ({ open }) => {
  const page = await openImpact(open, { deployed: true });
  await page.getByRole("button", { name: "Use sample flows" }).click();
  await page.locator("[data-count=broken]").waitFor({ timeout: 30_000 });
  // A filter that keeps the row when its verdict changes (a change filter would drop it).
  await page.getByLabel("Filter by namespace").fill("orders");
  const row = page
    .locator(".flow-row")
    .filter({ has: page.locator(".src", { hasText: "storefront/api-gateway" }) })
    .filter({ has: page.locator(".dst", { hasText: "orders/orders-db" }) })
    .first();
  await row.click();
  const detail = page.locator(".flow-detail");
  const after = detail.locator(".walks > div").nth(1).locator("pre");
  await after.waitFor();
  assert.match(await after.innerText(), /^verdict: deny/);

  // Under its row, in view; the next row moves below it.
  const rowBox = await row.boundingBox();
  const box = await detail.boundingBox();
  assert.ok(Math.abs(box.y - (rowBox.y + rowBox.height)) < 12, `detail at ${box.y}, row ends at ${rowBox.y + rowBox.height}`);
  const viewport = page.viewportSize();
  assert.ok(box.y >= 0 && box.y + 40 < viewport.height, `the detail's top is in view: ${box.y}`);
  const next = await row.evaluate((r) => {
    const rows = [...document.querySelectorAll(".flow-row")];
    const top = (e) => parseFloat(e.style.top);
    const later = rows.filter((o) => top(o) > top(r)).sort((a, b) => top(a) - top(b))[0];
    return later ? later.getBoundingClientRect().top : null;
  });
  if (next !== null) assert.ok(next >= box.y + box.height - 1, `the next row (${next}) is below the detail`);

  // Suggest a rule: the detail's walk is recomputed and says allow; the notice names each policy once.
  await detail.getByRole("button", { name: "Suggest a rule" }).click();
  await page.waitForFunction(() => {
    const pres = document.querySelectorAll(".flow-detail .walks pre");
    return pres.length === 2 && /^verdict: allow/.test(pres[1].textContent);
  });
  const added = await page.locator(".notice", { hasText: "Added" }).innerText();
  const names = added.replace(/^Added /, "").replace(/ to the design.*$/, "").split(", ");
  assert.equal(new Set(names).size, names.length, `each policy once: ${added}`);
  assert.match(await detail.locator(".detail-notice").innerText(), /^Added /);

  // Undo: the notice goes, and the walk says deny again.
  await page.getByRole("button", { name: "Undo", exact: true }).click();
  await page.waitForFunction(() => {
    const pres = document.querySelectorAll(".flow-detail .walks pre");
    return pres.length === 2 && /^verdict: deny/.test(pres[1].textContent);
  });
  await page.waitForFunction(() => ![...document.querySelectorAll(".notice, .detail-notice")].some((n) => /Added/.test(n.textContent)));
});
