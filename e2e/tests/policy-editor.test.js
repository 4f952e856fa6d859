// The complete policy editor (issue 20, problem 2): every field of a Calico rule and of the policy's
// metadata through the form, with the YAML pane and the design following; core's messages at the
// field for input it refuses, the text kept; New/Duplicate/Delete for policies and tiers, each
// undone by Undo.
"use strict";

const assert = require("node:assert/strict");
const { pageTest } = require("../lib/harness");

/** Opens the editor on the sample's policy `index` (0 pci-egress, 1 allow-dns, 4 api-gateway). */
async function openPolicy(open, index) {
  const page = await open();
  await page.getByRole("link", { name: "Policy editor" }).click();
  await page.getByLabel("Policy YAML").waitFor();
  await page.evaluate((i) => { window.location.hash = `/editor/${i}`; }, index);
  await page.waitForFunction(
    (i) => document.querySelector('select[aria-label="Policy"]').selectedIndex === i,
    index,
  );
  return page;
}

/** The YAML pane's text. */
const yamlOf = (page) => page.getByLabel("Policy YAML").inputValue();

/** Waits until the YAML pane matches `pattern`. */
async function yamlMatches(page, pattern) {
  await page.waitForFunction(
    (source) => new RegExp(source, "m").test(document.querySelector('textarea[aria-label="Policy YAML"]').value),
    pattern.source,
  );
}

/** The autosaved design document: what the design holds, as stored. */
const savedDesign = (page) => page.evaluate(() => localStorage.getItem("netpol-studio/design"));

/** Types `text` into the field named `label` and leaves it (the field applies on change). */
async function setField(page, label, text) {
  const field = page.getByLabel(label, { exact: true });
  await field.fill(text);
  await field.press("Tab");
}

pageTest("every field of a rule is in the form, and the YAML and the design follow it", async ({ open }) => {
  const page = await openPolicy(open, 4);
  // A new egress rule opens at once, and its summary says what an empty rule matches.
  await page.getByRole("button", { name: "Add egress rule" }).click();
  const rule = page.locator('.rule[data-rule="egress-2"]');
  await rule.locator(".rule-fields input").first().waitFor();
  assert.equal(
    (await rule.locator(".rule-summary").innerText()).trim(),
    "Allow any protocol from any source to any destination",
  );
  await page.getByLabel("Egress rule 2 action").selectOption("Deny");
  await yamlMatches(page, /^  - action: Deny$/);
  await setField(page, "Egress rule 2 protocol", "TCP");
  await setField(page, "Egress rule 2 IP version", "4");
  await setField(page, "Egress rule 2 destination namespace selector", 'kubernetes.io/metadata.name == "orders"');
  await setField(page, "Egress rule 2 destination selector", 'app == "db"');
  await setField(page, "Egress rule 2 destination not selector", 'role == "replica"');
  await setField(page, "Egress rule 2 destination service account names", "db-owner, migrator");
  await setField(page, "Egress rule 2 destination service account selector", 'team == "data"');
  await setField(page, "Egress rule 2 destination nets", "10.20.0.0/16");
  await setField(page, "Egress rule 2 destination not nets", "10.20.5.0/24");
  await setField(page, "Egress rule 2 destination ports", "5432, 6000:6010, postgres");
  await setField(page, "Egress rule 2 destination not ports", "6005");
  await setField(page, "Egress rule 2 source not selector", 'debug == "true"');
  await yamlMatches(page, /^\s+notPorts:\n\s+- 6005$/m);
  const yaml = await yamlOf(page);
  for (const expected of [
    /^    protocol: TCP$/m,
    /^    ipVersion: 4$/m,
    /^      namespaceSelector: kubernetes\.io\/metadata\.name == "orders"$/m,
    /^      selector: app == "db"$/m,
    /^      notSelector: role == "replica"$/m,
    /^      serviceAccounts:\n        names:\n        - db-owner\n        - migrator\n        selector: team == "data"$/m,
    /^      nets:\n      - 10\.20\.0\.0\/16$/m,
    /^      notNets:\n      - 10\.20\.5\.0\/24$/m,
    /^      ports:\n      - 5432\n      - 6000:6010\n      - postgres$/m,
    /^    source:\n      notSelector: debug == "true"$/m,
  ]) {
    assert.match(yaml, expected);
  }
  // The summary line now says all of it.
  assert.equal(
    (await rule.locator(".rule-summary").innerText()).trim(),
    'Deny TCP IPv4 from not debug == "true" to namespaces kubernetes.io/metadata.name == "orders" · app == "db" · not role == "replica" · service accounts db-owner, migrator · service accounts team == "data" · nets 10.20.0.0/16 · not nets 10.20.5.0/24 ports 5432, 6000:6010, postgres not port 6005',
  );
  // The design holds it (the autosaved document), not only the pane.
  const saved = await savedDesign(page);
  assert.match(saved, /6000:6010/);
  assert.match(saved, /10\.20\.5\.0\/24/);
  assert.match(saved, /migrator/);

  // ICMP on its own rule; HTTP on an ingress Allow rule.
  await page.getByRole("button", { name: "Add egress rule" }).click();
  await setField(page, "Egress rule 3 protocol", "ICMP");
  await setField(page, "Egress rule 3 IP version", "4");
  await setField(page, "Egress rule 3 icmp type", "8");
  await setField(page, "Egress rule 3 icmp code", "0");
  await setField(page, "Egress rule 3 notICMP type", "3");
  await yamlMatches(page, /^    notICMP:\n      type: 3$/m);
  assert.match(await yamlOf(page), /^    icmp:\n      type: 8\n      code: 0$/m);
  await page.getByRole("button", { name: /^Ingress rule 1: / }).click();
  await setField(page, "Ingress rule 1 HTTP methods", "GET, POST");
  await setField(page, "Ingress rule 1 HTTP paths", "/healthz, prefix:/api/");
  await yamlMatches(page, /^    http:\n      methods:\n      - GET\n      - POST\n      paths:\n      - exact: \/healthz\n      - prefix: \/api\/$/m);
  // Not protocol, and the source's own fields.
  await setField(page, "Ingress rule 1 not protocol", "UDP");
  await setField(page, "Ingress rule 1 source nets", "192.0.2.0/24");
  await setField(page, "Ingress rule 1 source namespace selector", "global()");
  await yamlMatches(page, /^      namespaceSelector: global\(\)$/m);
  assert.match(await yamlOf(page), /^    notProtocol: UDP$/m);
  assert.match(await savedDesign(page), /prefix.{0,8}\/api\//);
});

pageTest("the policy's metadata: name, namespace, order, selector, types, labels and annotations", async ({ open }) => {
  const page = await openPolicy(open, 4);
  await setField(page, "Policy name", "gateway");
  await yamlMatches(page, /^  name: gateway$/);
  await setField(page, "Namespace", "shop");
  await setField(page, "Order", "250");
  await setField(page, "Selector", 'app == "gw"');
  await setField(page, "Policy service account selector", 'sa == "gw"');
  await setField(page, "Policy labels", "team=web\napp=gateway");
  await setField(page, "Policy annotations", "owner=web team <web@example.com>");
  await yamlMatches(page, /^    owner: web team <web@example\.com>$/m);
  const yaml = await yamlOf(page);
  assert.match(yaml, /^  namespace: shop$/m);
  assert.match(yaml, /^  order: 250$/m);
  assert.match(yaml, /^  selector: app == "gw"$/m);
  assert.match(yaml, /^  serviceAccountSelector: sa == "gw"$/m);
  assert.match(yaml, /^  labels:\n    app: gateway\n    team: web$/m);
  // A global kind has a namespace selector of its own; a namespaced one does not.
  await page.getByLabel("Kind").selectOption("GlobalNetworkPolicy");
  await setField(page, "Policy namespace selector", 'env == "prod"');
  await yamlMatches(page, /^  namespaceSelector: env == "prod"$/m);
  assert.doesNotMatch(await yamlOf(page), /^  namespace: shop$/m);
  // The tier is a select of the board's tiers; types are checkboxes.
  await page.getByLabel("Tier").selectOption("platform");
  await yamlMatches(page, /^  tier: platform$/m);
  assert.match(await savedDesign(page), /"name":\s*"gateway"/);
});

pageTest("input core refuses shows core's message at the field, keeps the text and leaves the design", async ({ open }) => {
  const page = await openPolicy(open, 0);
  await page.getByRole("button", { name: /^Egress rule 1: Allow TCP/ }).click();
  const nets = page.getByLabel("Egress rule 1 destination nets", { exact: true });
  const before = await yamlOf(page);
  const saved = await savedDesign(page);
  await nets.fill("10.0.0.0/33");
  const message = page.locator(`#${await nets.getAttribute("aria-describedby")}`);
  await message.filter({ hasText: "`10.0.0.0/33` is not a CIDR" }).waitFor();
  assert.equal(await nets.getAttribute("aria-invalid"), "true");
  await nets.press("Tab");
  assert.equal(await nets.inputValue(), "10.0.0.0/33", "the text typed is kept");
  assert.equal(await yamlOf(page), before, "the design keeps the last valid value");
  assert.equal(await savedDesign(page), saved);

  // A check that needs the whole rule: ports on a rule without a protocol (core's validate).
  await page.getByRole("button", { name: /^Egress rule 3: Pass any protocol from any source to any destination$/ }).click();
  const ports = page.getByLabel("Egress rule 3 destination ports", { exact: true });
  await ports.fill("8080");
  await page.locator(`#${await ports.getAttribute("aria-describedby")}`)
    .filter({ hasText: "must set `protocol` to TCP, UDP or SCTP" }).waitFor();
  // Ranges and ICMP values are checked as Calico checks them.
  await ports.fill("9000:80");
  await page.locator(`#${await ports.getAttribute("aria-describedby")}`).filter({ hasText: "range start is above its end" }).waitFor();
  const icmp = page.getByLabel("Egress rule 3 icmp type", { exact: true });
  await icmp.fill("300");
  await page.locator(`#${await icmp.getAttribute("aria-describedby")}`).filter({ hasText: "must be 0-254" }).waitFor();
  const selector = page.getByLabel("Egress rule 3 source selector", { exact: true });
  await selector.fill('app == "x');
  await page.locator(`#${await selector.getAttribute("aria-describedby")}`).filter({ hasText: "invalid selector" }).waitFor();
  const name = page.getByLabel("Policy name", { exact: true });
  await name.fill("Not A Name");
  await page.locator(`#${await name.getAttribute("aria-describedby")}`).filter({ hasText: "names must be lowercase" }).waitFor();

  // Another field's edit re-renders the form: the refused texts are still there, still flagged.
  await page.getByLabel("Order", { exact: true }).fill("150");
  await page.getByLabel("Order", { exact: true }).press("Tab");
  await yamlMatches(page, /^  order: 150$/m);
  assert.equal(await page.getByLabel("Egress rule 1 destination nets", { exact: true }).inputValue(), "10.0.0.0/33");
  assert.equal(await page.getByLabel("Policy name", { exact: true }).inputValue(), "Not A Name");
  assert.equal(await page.getByLabel("Policy name", { exact: true }).getAttribute("aria-invalid"), "true");
  assert.doesNotMatch(await yamlOf(page), /10\.0\.0\.0\/33|Not A Name|9000:80/);
});

pageTest("rules are summarised without blanks, added, moved and removed, with undo", async ({ open }) => {
  const page = await openPolicy(open, 1);
  const summaries = () => page.locator(".rule-summary").allInnerTexts();
  assert.deepEqual(await summaries(), [
    'Allow UDP from any source to namespaces kubernetes.io/metadata.name == "kube-system" · k8s-app == "kube-dns" port 53',
    'Allow TCP from any source to namespaces kubernetes.io/metadata.name == "kube-system" · k8s-app == "kube-dns" port 53',
  ]);
  // The action select shows its whole word.
  const width = await page.getByLabel("Egress rule 1 action").evaluate((el) => el.getBoundingClientRect().width);
  assert.ok(width >= 80, `the action select is ${width}px wide`);
  await page.getByRole("button", { name: "Move Egress rule 2 up" }).click();
  await page.waitForFunction(() => document.querySelector(".rule-summary").textContent.startsWith("Allow TCP"));
  assert.match(await yamlOf(page), /- action: Allow\n    protocol: TCP[\s\S]*- action: Allow\n    protocol: UDP/);
  await page.getByRole("button", { name: "Undo" }).click();
  await page.waitForFunction(() => document.querySelector(".rule-summary").textContent.startsWith("Allow UDP"));
  await page.getByRole("button", { name: "Remove Egress rule 1" }).click();
  await page.waitForFunction(() => document.querySelectorAll(".rule-summary").length === 1);
  assert.doesNotMatch(await yamlOf(page), /protocol: UDP/);
  assert.match(await page.getByRole("button", { name: "Undo" }).getAttribute("title"), /remove egress rule 1 in policy allow-dns/);
  await page.getByRole("button", { name: "Undo" }).click();
  await page.waitForFunction(() => document.querySelectorAll(".rule-summary").length === 2);
  await page.getByRole("button", { name: "Add ingress rule" }).click();
  await page.locator('.rule[data-rule="ingress-1"] .rule-summary').filter({ hasText: "Allow any protocol from any source to any destination" }).waitFor();
});

pageTest("New, Duplicate and Delete policy are named edits that Undo takes back", async ({ open }) => {
  const page = await openPolicy(open, 1);
  const options = () => page.locator('select[aria-label="Policy"] option').count();
  const count = await options();
  const toast = page.locator("[data-history-toast]");

  await page.getByRole("button", { name: "New policy", exact: true }).click();
  await yamlMatches(page, /^kind: StagedGlobalNetworkPolicy$/m);
  const yaml = await yamlOf(page);
  assert.match(yaml, /^  name: new-policy$/m);
  assert.match(yaml, /^  tier: platform$/m, "in the open policy's tier");
  assert.equal(await options(), count + 1);
  assert.match(await savedDesign(page), /"name":\s*"new-policy"/);
  await page.getByRole("button", { name: "Undo" }).click();
  await toast.filter({ hasText: "Undid: new policy in tier platform" }).waitFor();
  assert.equal(await options(), count);
  assert.doesNotMatch(await savedDesign(page), /"name":\s*"new-policy"/);

  await page.evaluate(() => { window.location.hash = "/editor/1"; });
  await yamlMatches(page, /^  name: allow-dns$/m);
  await page.getByRole("button", { name: "Duplicate" }).click();
  await yamlMatches(page, /^  name: allow-dns-copy$/m);
  await page.getByRole("status").filter({ hasText: "Duplicated allow-dns as allow-dns-copy" }).waitFor();
  assert.equal(await options(), count + 1);
  await page.getByRole("button", { name: "Undo" }).click();
  await toast.filter({ hasText: "Undid: duplicate policy allow-dns" }).waitFor();
  assert.equal(await options(), count);

  await page.evaluate(() => { window.location.hash = "/editor/1"; });
  await yamlMatches(page, /^  name: allow-dns$/m);
  await page.getByRole("button", { name: "Delete", exact: true }).click();
  await page.getByRole("status").filter({ hasText: "Deleted policy allow-dns (Undo brings it back)" }).waitFor();
  assert.equal(await options(), count - 1);
  assert.doesNotMatch(await savedDesign(page), /"name":\s*"allow-dns"/);
  await page.getByRole("button", { name: "Undo" }).click();
  await toast.filter({ hasText: "Undid: delete policy allow-dns" }).waitFor();
  assert.equal(await options(), count);
  assert.match(await savedDesign(page), /"name":\s*"allow-dns"/);
  // The notice went with the edit it told of.
  assert.equal(await page.locator(".policy-notice").innerText(), "");

  // A ClusterNetworkPolicy: new, then deleted, then back.
  await page.getByRole("button", { name: "New cluster policy" }).click();
  await page.getByRole("form", { name: "ClusterNetworkPolicy" }).waitFor();
  await yamlMatches(page, /^  name: new-cluster-policy$/m);
  await page.getByRole("button", { name: "Delete", exact: true }).click();
  await page.getByRole("status").filter({ hasText: "Deleted policy new-cluster-policy" }).waitFor();
  await page.getByRole("button", { name: "Undo" }).click();
  await toast.filter({ hasText: "Undid: delete policy new-cluster-policy" }).waitFor();
  assert.match(await savedDesign(page), /new-cluster-policy/);
});
