// axe-core in the page, for the accessibility tests. The page's CSP allows scripts from its own origin
// only, so a <script> tag with axe's source would be refused (and the refusal is a console error the
// harness fails on). Playwright's evaluate goes through the DevTools protocol, which the CSP does not
// govern, so axe is evaluated that way: nothing is requested and the page's policy stays as shipped.
"use strict";

const fs = require("node:fs");

const AXE_SOURCE = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** The impacts that fail a test: what stops or seriously hinders someone using assistive technology. */
const BLOCKING = ["critical", "serious"];

/**
 * Runs axe-core on the page as it is now (WCAG 2.x A and AA rules plus axe's best practices) and
 * returns its violations of `BLOCKING` impact, each as `{ id, impact, help, nodes: [selector…] }`.
 */
async function blockingViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) {
    await page.evaluate(AXE_SOURCE);
  }
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => n.target.join(" ")),
    }));
  });
  return violations.filter((v) => BLOCKING.includes(v.impact));
}

/** The violations as lines a person can act on: impact, rule, what it asks, and the first elements. */
function describe(violations) {
  return violations
    .map((v) => {
      const shown = v.nodes.slice(0, 5).join(" | ");
      const more = v.nodes.length > 5 ? ` (+${v.nodes.length - 5} more)` : "";
      return `${v.impact} ${v.id}: ${v.help} — ${v.nodes.length} element(s): ${shown}${more}`;
    })
    .join("\n");
}

module.exports = { blockingViolations, describe, BLOCKING };
