// Accessibility: axe-core finds no critical or serious violation on any view (Impact with flows loaded
// and a row open, the top bar's panels, and the findings drawer, board badge and editor list too);
// every view has one h1 naming it; a skip link is the first Tab stop and takes the keyboard to the view.
"use strict";

const assert = require("node:assert/strict");
const { pageTest } = require("../lib/harness");
const { blockingViolations, describe } = require("../lib/axe");

/**
 * Every view (app/src/routes.rs, in navigation order), with the heading it shows and how to wait
 * until its content — not only its frame — is on the page.
 */
const VIEWS = [
  { link: "Taxonomy", heading: "Label taxonomy", ready: ".key-name" },
  { link: "Namespaces & workloads", heading: "Namespaces & workloads", ready: ".namespaces" },
  { link: "Policy board", heading: "Policy board", ready: ".policy-card" },
  { link: "Flow canvas", heading: "Flow canvas", ready: ".flow-canvas .node" },
  { link: "Policy editor", heading: "Policy editor", ready: "textarea[aria-label='Policy YAML']" },
  { link: "Impact", heading: "Impact", ready: ".dropzone" },
  { link: "Coverage", heading: "Coverage", ready: ".coverage-report" },
  { link: "Export", heading: "Export", ready: ".file-tree" },
];

/** A policy with one finding (`dns-udp-only`), for the findings drawer, badge and editor list. */
const UDP_ONLY_DNS = `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: dns-lookups
spec:
  tier: platform
  order: 50
  selector: app.kubernetes.io/name == 'cattle-cluster-agent'
  types: [Egress]
  egress:
  - action: Allow
    protocol: UDP
    destination:
      ports: [53]
`;

async function visit(page, view) {
  await page.locator("nav.views").getByRole("link", { name: view.link, exact: true }).click();
  await page.locator(view.ready).first().waitFor({ timeout: 60_000 });
}

pageTest("axe-core: no critical or serious violation on any view", async ({ open }, t) => {
  const page = await open();
  const failures = [];
  const check = async (where) => {
    const found = await blockingViolations(page);
    const elements = found.reduce((n, v) => n + v.nodes.length, 0);
    t.diagnostic(`${where}: ${found.length} critical/serious rule(s), ${elements} element(s)`);
    if (found.length > 0) failures.push(`${where}:\n${describe(found)}`);
  };
  for (const view of VIEWS) {
    await visit(page, view);
    await check(view.link);
  }
  // Impact with flows: the summary, the chart and the virtualised table, then a row opened.
  await visit(page, VIEWS.find((v) => v.link === "Impact"));
  await page.getByRole("button", { name: "Use sample flows" }).click();
  await page.locator(".flow-row").first().waitFor({ timeout: 60_000 });
  await check("Impact with the sample flows");
  await page.locator(".flow-row").first().click();
  await page.locator(".flow-detail .walks").waitFor({ timeout: 30_000 });
  await check("Impact with a flow open");
  // The top bar's panels, over the board.
  await visit(page, VIEWS.find((v) => v.link === "Policy board"));
  for (const panel of ["New design", "Import", "Share"]) {
    await page.locator("header.topbar").getByRole("button", { name: panel, exact: true }).click();
    await page.locator("section.panel").first().waitFor();
    await check(`the ${panel} panel`);
    await page.locator("header.topbar").getByRole("button", { name: panel, exact: true }).click();
  }
  // A design with a finding: the board's badge, the editor's list and the findings drawer.
  await page.locator("header.topbar").getByRole("button", { name: "Import", exact: true }).click();
  await page.getByLabel("YAML to import").fill(UDP_ONLY_DNS);
  await page.locator(".import-panel").getByRole("button", { name: "Import", exact: true }).click();
  await page.locator(".findings-badge").waitFor();
  await check("the board with a findings badge");
  await page.locator('.policy-card[data-policy="dns-lookups"] .card-title a').click();
  await page.locator(".policy-findings .finding").waitFor();
  await check("the editor with the policy's findings");
  await page.locator(".statusline").getByRole("button", { name: /^Lint:/ }).click();
  await page.locator("#findings-drawer .finding").waitFor();
  await check("the findings drawer");
  assert.equal(failures.length, 0, `axe-core violations:\n\n${failures.join("\n\n")}`);
});

pageTest("every view has one h1 that names it", async ({ open }) => {
  const page = await open();
  for (const view of VIEWS) {
    await visit(page, view);
    const headings = await page.locator("h1").allInnerTexts();
    assert.deepEqual(headings.map((h) => h.trim()), [view.heading], `the h1s of ${view.link}`);
  }
});

pageTest("a skip link is the first Tab stop and takes the keyboard to the view", async ({ open }) => {
  const page = await open();
  await page.locator(".policy-card").first().waitFor();
  await page.keyboard.press("Tab");
  const first = await page.evaluate(() => ({
    text: document.activeElement?.textContent?.trim(),
    href: document.activeElement?.getAttribute("href"),
  }));
  assert.equal(first.text, "Skip to the view");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.activeElement?.id === "app-main");
  // The URL fragment still names the view (the skip link does not navigate).
  assert.match(page.url(), /#\/board$|\/$/);
  // From the view, the next Tab stop is inside it.
  await page.keyboard.press("Tab");
  assert.ok(await page.evaluate(() => document.getElementById("app-main").contains(document.activeElement)));
});
