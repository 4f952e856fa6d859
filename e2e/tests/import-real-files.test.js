// Flow logs as real clusters and older releases write them (issue 24; the hand-written files of
// core/tests/data/flows, described in its README): the Impact view's import report shows the figures
// `netpol impact` prints for the same file, Hubble event lines and unreadable policy traces apart from
// skipped lines, and each problem at its line and column.
"use strict";

const assert = require("node:assert/strict");
const path = require("node:path");
const { pageTest } = require("../lib/harness");
const { ROOT, netpol, sampleDesign } = require("../lib/netpol");

const DATA = path.join(ROOT, "core", "tests", "data", "flows");
const FILES = [
  "calico-enterprise-4-part-policies.jsonl",
  "calico-unreadable-traces.jsonl",
  "hubble-with-events.jsonl",
  "calico-trailing-comma.json",
  "linseed-flow-logs.json",
].map((name) => path.join(DATA, name));

async function openImpact(open) {
  const page = await open();
  await page.getByRole("link", { name: "Impact" }).click();
  await page.locator(".dropzone").waitFor();
  await page.getByLabel("The deployed design (as loaded, or last marked deployed)").check();
  return page;
}

async function upload(page, file) {
  await page.getByLabel("Flow log files").setInputFiles([file]);
  await page.locator(".import-report dd", { hasText: path.basename(file) }).waitFor({ timeout: 60_000 });
}

async function figure(page, name) {
  return (await page.locator(`[data-figure=${name}]`).innerText()).trim();
}

pageTest("real-world flow files show the figures of `netpol impact`, events and warnings apart", async ({ open }) => {
  const design = sampleDesign();
  const page = await openImpact(open);
  for (const file of FILES) {
    const name = path.basename(file);
    const cli = JSON.parse(
      netpol("impact", "--before", design, "--after", design, "--flows", file, "--format", "json"),
    );
    await upload(page, file);
    assert.equal(await figure(page, "format"), cli.import.format, `${name}: format`);
    for (const [shown, key] of [
      ["records", "records"],
      ["skipped", "skipped"],
      ["events", "events"],
      ["unread-traces", "unread_traces"],
      ["distinct", "distinct"],
    ]) {
      assert.equal(Number(await figure(page, shown)), cli.import[key], `${name}: ${key}`);
    }
  }

  await upload(page, path.join(DATA, "calico-unreadable-traces.jsonl"));
  await page.locator(".skipped-lines summary").click();
  const skipped = await page.locator(".skipped-lines li").allInnerTexts();
  assert.deepEqual(
    skipped.map((l) => l.split(": ")[0]),
    ["line 4:1", "line 5:1"],
  );
  await page.locator(".warned-lines summary").click();
  const warned = await page.locator(".warned-lines li").allInnerTexts();
  assert.equal(warned.length, 2);
  assert.match(warned[0], /^line 2:1: the policy trace is kept as unknown/);

  await upload(page, path.join(DATA, "calico-trailing-comma.json"));
  await page.locator(".skipped-lines summary").click();
  assert.match(await page.locator(".skipped-lines li").first().innerText(), /^line 51:1: not valid JSON: trailing comma/);
});
