// Namespaces & workload groups: add a group with a taxonomy label and a free label (flagged), edit its
// container ports and service account, undo and redo, reload and find it intact; add, rename and delete
// a namespace.
"use strict";

const assert = require("node:assert/strict");
const { pageTest } = require("../lib/harness");

const GROUP = '.workload-card[data-workload="checkout/cart"]';

pageTest("a workload group with a taxonomy label, a free label and ports survives reload; undo and redo", async ({ open }) => {
  const page = await open();
  await page.getByRole("link", { name: "Namespaces & workloads" }).click();
  const ns = page.locator('.ns-card[data-namespace="checkout"]');
  await ns.waitFor();

  // A name Kubernetes would refuse is flagged as it is typed.
  const newGroup = ns.getByLabel("New workload group in checkout", { exact: true });
  const addGroup = ns.getByRole("button", { name: "Add workload group" });
  await newGroup.fill("Cart_Service");
  assert.equal(await newGroup.getAttribute("aria-invalid"), "true");
  assert.equal(await addGroup.isDisabled(), true);
  await newGroup.fill("checkout-api");
  await ns.locator(".field-error").filter({ hasText: "already a workload group" }).waitFor();
  await newGroup.fill("cart");
  await ns.getByLabel("Kind of the new workload group in checkout", { exact: true }).selectOption("StatefulSet");
  await addGroup.click();
  const card = page.locator(GROUP);
  await card.waitFor();
  assert.equal(await card.getByLabel("Kind of checkout/cart", { exact: true }).inputValue(), "StatefulSet");

  // A taxonomy label, typed as key=value: the field suggests the taxonomy's labels.
  const labelField = card.getByLabel("Add a label to checkout/cart", { exact: true });
  const listed = await page.locator(`datalist#${await labelField.getAttribute("list")} option`).evaluateAll((o) => o.map((e) => e.value));
  for (const v of ["frontend", "backend", "data"]) assert.ok(listed.includes(`security.company.io/tier=${v}`), `${listed}`);
  await labelField.fill("security.company.io/tier=backend");
  await labelField.press("Enter");
  const tierChip = card.locator('.label-chip[data-label="security.company.io/tier=backend"]');
  await tierChip.waitFor();
  assert.equal(await tierChip.locator(".label-warning").count(), 0, "a taxonomy label carries no warning");
  assert.equal(await labelField.inputValue(), "", "the field empties for the next label");

  // A free label: syntax checked as typed, allowed, and flagged as outside the taxonomy.
  await labelField.fill("owner team=payments");
  assert.equal(await labelField.getAttribute("aria-invalid"), "true");
  await card.locator(".label-hint.error").filter({ hasText: "name part" }).waitFor();
  assert.equal(await card.getByRole("button", { name: "Add label" }).isDisabled(), true);
  await labelField.fill("example.com/owner");
  await card.locator(".label-hint.error").filter({ hasText: "key=value" }).waitFor();
  await labelField.fill("example.com/owner=payments");
  await card.locator(".label-hint").filter({ hasText: "not in the taxonomy" }).waitFor();
  await card.getByRole("button", { name: "Add label" }).click();
  const freeChip = card.locator('.label-chip[data-label="example.com/owner=payments"]');
  await freeChip.waitFor();
  assert.match(await freeChip.textContent(), /not in the taxonomy/);
  assert.equal(await freeChip.evaluate((e) => e.classList.contains("outside")), true);

  // Service account and a named container port.
  const account = card.getByLabel("Service account of checkout/cart", { exact: true });
  await account.fill("cart");
  await account.press("Tab");
  const portName = card.getByLabel("New port name for checkout/cart", { exact: true });
  await portName.fill("HTTP");
  assert.equal(await portName.getAttribute("aria-invalid"), "true");
  await portName.fill("http");
  await card.getByLabel("New port number for checkout/cart", { exact: true }).fill("8080");
  await card.getByRole("button", { name: "Add port to checkout/cart" }).click();
  const number = card.getByLabel("Port 1 number of checkout/cart", { exact: true });
  await number.waitFor();
  assert.equal(await number.inputValue(), "8080");
  assert.equal(await card.getByLabel("Port 1 name of checkout/cart", { exact: true }).inputValue(), "http");
  const another = card.getByLabel("New port name for checkout/cart", { exact: true });
  await another.fill("http");
  assert.equal(await another.getAttribute("aria-invalid"), "true", "port names are unique within a group");
  await card.locator(".port-error").filter({ hasText: "already has a port named" }).waitFor();
  await another.fill("");

  // Edit the port: a number out of range is flagged and not applied; a good one is.
  await number.fill("70000");
  assert.equal(await number.getAttribute("aria-invalid"), "true");
  await number.fill("9090");
  await number.press("Tab");
  await card.getByLabel("Port 1 protocol of checkout/cart", { exact: true }).selectOption("UDP");
  await page.waitForFunction(
    (sel) => document.querySelector(sel)?.querySelector('select[aria-label="Port 1 protocol of checkout/cart"]')?.value === "UDP",
    GROUP,
  );
  assert.equal(await card.getByLabel("Port 1 number of checkout/cart", { exact: true }).inputValue(), "9090");

  // Undo takes back the protocol change only; redo re-applies it.
  await page.getByRole("button", { name: "Undo", exact: true }).click();
  await page.waitForFunction(
    () => document.querySelector('select[aria-label="Port 1 protocol of checkout/cart"]')?.value === "TCP",
  );
  assert.equal(await card.getByLabel("Port 1 number of checkout/cart", { exact: true }).inputValue(), "9090");
  await page.getByRole("button", { name: "Redo", exact: true }).click();
  await page.waitForFunction(
    () => document.querySelector('select[aria-label="Port 1 protocol of checkout/cart"]')?.value === "UDP",
  );

  // Reload: everything is still there (autosave).
  await page.reload();
  const after = page.locator(GROUP);
  await after.waitFor();
  assert.equal(await after.getByLabel("Kind of checkout/cart", { exact: true }).inputValue(), "StatefulSet");
  assert.equal(await after.getByLabel("Service account of checkout/cart", { exact: true }).inputValue(), "cart");
  assert.equal(await after.getByLabel("Port 1 name of checkout/cart", { exact: true }).inputValue(), "http");
  assert.equal(await after.getByLabel("Port 1 number of checkout/cart", { exact: true }).inputValue(), "9090");
  assert.equal(await after.getByLabel("Port 1 protocol of checkout/cart", { exact: true }).inputValue(), "UDP");
  await after.locator('.label-chip[data-label="security.company.io/tier=backend"]').waitFor();
  assert.match(
    await after.locator('.label-chip[data-label="example.com/owner=payments"]').textContent(),
    /not in the taxonomy/,
  );
});

pageTest("add, rename and delete a namespace, each undoable", async ({ open }) => {
  const page = await open();
  await page.getByRole("link", { name: "Namespaces & workloads" }).click();
  const name = page.getByLabel("New namespace name", { exact: true });
  await name.fill("checkout");
  await page.locator(".add-namespace .field-error").filter({ hasText: "already a namespace" }).waitFor();
  await name.fill("inventory");
  await page.getByRole("button", { name: "Add namespace" }).click();
  const card = page.locator('.ns-card[data-namespace="inventory"]');
  await card.waitFor();
  // Kubernetes labels every namespace with its name.
  await card.locator('.label-chip[data-label="kubernetes.io/metadata.name=inventory"]').waitFor();

  const rename = card.getByLabel("Name of namespace inventory", { exact: true });
  await rename.fill("Stock!");
  assert.equal(await rename.getAttribute("aria-invalid"), "true");
  await rename.fill("stock");
  await rename.press("Enter");
  const renamed = page.locator('.ns-card[data-namespace="stock"]');
  await renamed.waitFor();
  await renamed.locator('.label-chip[data-label="kubernetes.io/metadata.name=stock"]').waitFor();
  assert.equal(await card.count(), 0);

  await renamed.getByRole("button", { name: "Delete namespace stock" }).click();
  await renamed.waitFor({ state: "detached" });
  await page.getByRole("button", { name: "Undo", exact: true }).click();
  await renamed.waitFor();
  await page.getByRole("button", { name: "Undo", exact: true }).click();
  await card.waitFor();
});

pageTest("Enter adds a namespace, a workload group, a key=value label and a port; long names have a title", async ({ open }) => {
  const page = await open();
  await page.getByRole("link", { name: "Namespaces & workloads" }).click();
  const nsField = page.getByLabel("New namespace name");
  await nsField.fill("shop");
  await nsField.press("Enter");
  const ns = page.locator('.ns-card[data-namespace="shop"]');
  await ns.waitFor();

  const groupField = ns.getByLabel("New workload group in shop", { exact: true });
  await groupField.fill("web");
  await groupField.press("Enter");
  const card = page.locator('.workload-card[data-workload="shop/web"]');
  await card.waitFor();

  // One field, one Enter per label (it was a key select, a value select and a button).
  const labelField = card.getByLabel("Add a label to shop/web", { exact: true });
  await labelField.fill("security.company.io/tier=frontend");
  await labelField.press("Enter");
  await card.locator('.label-chip[data-label="security.company.io/tier=frontend"]').waitFor();
  await labelField.fill("app=web");
  await labelField.press("Enter");
  await card.locator('.label-chip[data-label="app=web"]').waitFor();
  const nsLabel = ns.getByLabel("Add a label to shop", { exact: true });
  await nsLabel.fill("security.company.io/environment=prod");
  await nsLabel.press("Enter");
  await ns.locator('.label-chip[data-label="security.company.io/environment=prod"]').waitFor();

  // Enter in the port number adds the port.
  await card.getByLabel("New port name for shop/web", { exact: true }).fill("http");
  const number = card.getByLabel("New port number for shop/web", { exact: true });
  await number.fill("8080");
  await number.press("Enter");
  const added = card.getByLabel("Port 1 number of shop/web", { exact: true });
  await added.waitFor();
  assert.equal(await added.inputValue(), "8080");
  assert.equal(await card.getByLabel("Port 1 name of shop/web", { exact: true }).inputValue(), "http");

  // A long name is cut with an ellipsis, and its title holds all of it.
  const long = "payments-reconciliation-settlement-batch-processor-eu-west";
  await groupField.fill(long);
  await groupField.press("Enter");
  const name = page.getByLabel(`Name of workload group shop/${long}`, { exact: true });
  await name.waitFor();
  assert.equal(await name.getAttribute("title"), long);
  assert.equal(await name.evaluate((e) => getComputedStyle(e).textOverflow), "ellipsis");
  const chip = card.locator('.label-chip[data-label="security.company.io/tier=frontend"]');
  assert.equal(await chip.getAttribute("title"), "security.company.io/tier=frontend");
});
