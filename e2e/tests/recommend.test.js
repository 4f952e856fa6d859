// "Start from these flows": upload a flow log, let the worker recommend a least-privilege design, see
// its proof (0 broken, widened listed, what `netpol recommend` says for the same file), open it on the
// board, undo it in one step, open it again, and export it as a zip that validate-export accepts.
"use strict";

const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { execFileSync } = require("node:child_process");
const { pageTest } = require("../lib/harness");
const { ROOT, SHARED, netpol, hasCommand } = require("../lib/netpol");

const PYTHON = path.join(ROOT, ".venv", "bin", "python");
const VALIDATE = path.join(SHARED, "tools", "validate-export");
const FLOWS = path.join(SHARED, "flows", "calico-enterprise-flows.jsonl");

async function download(page, button) {
  const [file] = await Promise.all([page.waitForEvent("download"), button.click()]);
  const target = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "netpol-dl-")), file.suggestedFilename());
  await file.saveAs(target);
  return target;
}

pageTest("upload flows, start from them, see the board, export the zip", async ({ open }, t) => {
  if (!hasCommand("recommend")) {
    t.skip("this netpol has no `recommend` command yet");
    return;
  }
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "netpol-recommend-"));
  const cli = JSON.parse(netpol("recommend", "--flows", FLOWS, "--out", out, "--format", "json"));

  const page = await open();
  const policiesBefore = await (async () => {
    await page.getByRole("link", { name: "Policy board" }).click();
    return page.locator(".policy-card").count();
  })();
  await page.getByRole("link", { name: "Impact" }).click();
  await page.getByLabel("Flow log files").setInputFiles([FLOWS]);
  await page.locator(".import-report dd", { hasText: path.basename(FLOWS) }).waitFor({ timeout: 60_000 });

  await page.getByRole("button", { name: "Start from these flows" }).click();
  const preview = page.getByRole("region", { name: "Recommended design" });
  await preview.waitFor({ timeout: 60_000 });
  const figure = async (name) => (await preview.locator(`[data-figure=${name}]`).innerText()).trim();
  assert.equal(await figure("rec-broken"), "0");
  // The same proof as the CLI for the same file.
  assert.equal(
    Number(await preview.locator("[data-figure=rec-widened]").getAttribute("data-count")),
    cli.widened.length,
  );
  assert.equal(
    Number(await preview.locator("[data-figure=rec-policies]").getAttribute("data-count")),
    cli.policies_written,
  );
  assert.match(await figure("rec-observed"), new RegExp(`^${cli.observed} `));
  assert.ok(await preview.locator('li[data-namespace="payments-api"]').count(), "namespaces are listed");

  // Leaving a namespace out recomputes with a scope: no policy is written in it.
  await preview.locator('li[data-namespace="sandbox-dev"] input').uncheck();
  await page.getByRole("button", { name: "Apply the namespace choice" }).click();
  await page.locator('li[data-namespace="sandbox-dev"] input:not(:checked)').waitFor();
  await page.locator('li[data-namespace="sandbox-dev"]', { hasText: "0 policies" }).waitFor();
  await preview.locator('li[data-namespace="sandbox-dev"] input').check();
  await page.getByRole("button", { name: "Apply the namespace choice" }).click();
  await page.locator('li[data-namespace="sandbox-dev"]', { hasNotText: "0 policies" }).waitFor();

  // Open it: the board shows the recommended policies; Undo takes it all back in one step.
  await page.getByRole("button", { name: "Open this design" }).click();
  await page.locator('.tier-column[data-tier="application"]').waitFor();
  await page.locator('.policy-card[data-policy="payments-api"]').waitFor();
  const recommended = await page.locator(".policy-card").count();
  await page.getByRole("button", { name: "Undo" }).click();
  await page.waitForFunction(
    (n) => document.querySelectorAll(".policy-card").length === n,
    policiesBefore,
  );
  await page.getByRole("button", { name: "Redo" }).click();
  await page.waitForFunction((n) => document.querySelectorAll(".policy-card").length === n, recommended);

  // Export the zip and validate it.
  await page.getByRole("link", { name: "Export", exact: true }).first().click();
  const zip = await download(page, page.getByRole("button", { name: "Download zip" }));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "netpol-export-"));
  execFileSync(PYTHON, ["-c", "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])", zip, dir]);
  const listing = execFileSync("find", [dir, "-name", "*.yaml"], { encoding: "utf8" });
  assert.match(listing, /payments-api/, "the recommended policies are in the repository");
  execFileSync(PYTHON, [VALIDATE, dir], { encoding: "utf8" });
});
