// The Export view: the zip made in the page is a valid Fleet repository (checked by
// ../shared/tools/validate-export), the preview shows the files, and the PR summary and the design
// document download.
"use strict";

const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { execFileSync } = require("node:child_process");
const { pageTest } = require("../lib/harness");
const { ROOT, SHARED } = require("../lib/netpol");

const PYTHON = path.join(ROOT, ".venv", "bin", "python");
const VALIDATE = path.join(SHARED, "tools", "validate-export");

async function openExport(open) {
  const page = await open();
  await page.getByRole("link", { name: "Export", exact: true }).first().click();
  await page.getByRole("button", { name: "Download zip" }).waitFor();
  return page;
}

/** Clicks `button` and returns the downloaded file's path and suggested name. */
async function download(page, button) {
  const [file] = await Promise.all([page.waitForEvent("download"), button.click()]);
  const target = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "netpol-dl-")), file.suggestedFilename());
  await file.saveAs(target);
  return { path: target, name: file.suggestedFilename() };
}

/** Unzips `zip` into a fresh directory (Python's zipfile: no unzip binary needed). */
function unzip(zip) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "netpol-export-"));
  execFileSync(PYTHON, ["-c", "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])", zip, dir]);
  return dir;
}

function validate(dir) {
  try {
    return { ok: true, out: execFileSync(PYTHON, [VALIDATE, dir], { encoding: "utf8" }) };
  } catch (err) {
    return { ok: false, out: `${err.stdout}${err.stderr}` };
  }
}

for (const flavour of ["crd-v1", "v3"]) {
  pageTest(`the downloaded zip (${flavour}) passes validate-export`, async ({ open }) => {
    const page = await openExport(open);
    await page.getByLabel("API flavour").selectOption(flavour);
    await page.getByLabel("GitRepo name", { exact: true }).fill("shop-policies");
    await page.getByLabel("GitRepo name", { exact: true }).press("Tab");
    const zip = await download(page, page.getByRole("button", { name: "Download zip" }));
    assert.equal(zip.name, "shop-policies.zip");
    const dir = unzip(zip.path);
    assert.ok(fs.existsSync(path.join(dir, "gitrepo.yaml")), "the zip holds gitrepo.yaml");
    assert.match(fs.readFileSync(path.join(dir, "gitrepo.yaml"), "utf8"), /name: shop-policies/);
    const result = validate(dir);
    assert.ok(result.ok, `validate-export found problems:\n${result.out}`);
    assert.match(result.out, / 0 problems/);
    // The preview lists the same files as the zip.
    const listed = await page.locator(".file-tree button.file").evaluateAll((b) => b.map((x) => x.dataset.path));
    const zipped = [];
    const walk = (d, prefix) =>
      fs.readdirSync(d, { withFileTypes: true }).forEach((e) =>
        e.isDirectory() ? walk(path.join(d, e.name), `${prefix}${e.name}/`) : zipped.push(`${prefix}${e.name}`),
      );
    walk(dir, "");
    assert.deepEqual([...listed].sort(), zipped.sort());
  });
}

pageTest("the preview shows a file's YAML, the lints and the PR summary", async ({ open }) => {
  const page = await openExport(open);
  await page.locator(".file-tree button.file[data-path='gitrepo.yaml']").click();
  assert.match(await page.locator(".file-viewer pre").innerText(), /kind: GitRepo/);
  await page.locator(".export-lints h3").waitFor();
  // Until the design is marked deployed the "before" is an open cluster: every policy is added, and
  // the summary says what it compares with.
  const summary = await page.getByLabel("PR summary Markdown").inputValue();
  assert.match(summary, /## Network policy changes/);
  assert.match(summary, /_Compared with an open cluster: no policy enforced yet\._/);
  assert.match(summary, /\*\*\d+ added, 0 removed, 0 changed\.\*\*/);
  assert.match(await page.locator(".pr-summary .hint").innerText(), /open cluster/);
  await page.getByRole("button", { name: "Copy PR summary" }).click();
  await page.locator(".pr-summary .notice", { hasText: "Copied" }).waitFor();
});

pageTest("downloading keeps the PR summary and puts it in the zip; only 'Treat as deployed' moves the before", async ({ open }) => {
  const page = await openExport(open);
  const before = await page.getByLabel("PR summary Markdown").inputValue();
  assert.match(before, /\*\*[1-9]\d* added, 0 removed, 0 changed\.\*\*/);
  // The natural order — download, then copy the summary — must not empty the description (issue 20).
  const zip = await download(page, page.getByRole("button", { name: "Download zip" }));
  await page.locator(".export-actions .notice", { hasText: "PR.md" }).waitFor();
  assert.equal(await page.getByLabel("PR summary Markdown").inputValue(), before, "downloading changed the PR summary");
  const dir = unzip(zip.path);
  assert.equal(fs.readFileSync(path.join(dir, "PR.md"), "utf8"), before, "the zip's PR.md is the summary shown");
  const result = validate(dir);
  assert.ok(result.ok, `validate-export found problems with PR.md in the zip:\n${result.out}`);
  // Marking the design deployed is the one action that makes it the "before".
  await page.getByRole("button", { name: "Treat the current design as deployed" }).click();
  await page.waitForFunction(() =>
    document.querySelector('textarea[aria-label="PR summary Markdown"]').value.includes("No policy, tier or network set changed"),
  );
  assert.match(await page.getByLabel("PR summary Markdown").inputValue(), /_Compared with the deployed design \(as loaded, or last marked deployed\)\._/);
  assert.match(await page.locator(".pr-summary .hint").innerText(), /since the design was loaded or last marked deployed/);
});

pageTest("the PR summary carries the impact figures when flows are loaded", async ({ open }) => {
  const page = await open();
  await page.getByRole("link", { name: "Impact" }).click();
  await page.getByRole("button", { name: "Use sample flows" }).click();
  await page.locator("[data-count=broken]").waitFor({ timeout: 30_000 });
  await page.getByRole("link", { name: "Export", exact: true }).first().click();
  const summary = await page.getByLabel("PR summary Markdown").inputValue();
  assert.match(summary, /## Impact on observed flows/);
  assert.match(summary, /\| Broken \| Widened \|/);
});

pageTest("Download design gives a design document", async ({ open }) => {
  const page = await openExport(open);
  const file = await download(page, page.getByRole("button", { name: "Download design" }));
  assert.match(file.name, /\.design\.yaml$/);
  const text = fs.readFileSync(file.path, "utf8");
  assert.match(text, /apiVersion: studio\.netpol\.dev\/v1alpha1/);
  assert.match(text, /kind: Design/);
});
