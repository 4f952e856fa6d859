// The design's pod address range (Export view): checked as you type by core, and used by every
// verdict — a workload without an IP is a pod somewhere in the range, so the sample's pci-egress rule
// (the internet minus private space) lets checkout reach DNS only while the range is private.
"use strict";

const assert = require("node:assert/strict");
const { pageTest } = require("../lib/harness");

const CHECKOUT = "workload/checkout/checkout-api";
const COREDNS = "workload/kube-system/coredns";

async function openExport(page) {
  await page.getByRole("link", { name: "Export", exact: true }).first().click();
  await page.getByLabel("Pod CIDRs").waitFor();
}

async function inEffect(page) {
  return (await page.locator("[data-pod-range]").innerText()).trim();
}

/** The verdict of the checkout → DNS edge, drawn on the canvas the first time. */
async function dnsVerdict(page, draw) {
  await page.getByRole("link", { name: "Flow canvas" }).click();
  const edge = page.locator(`.flow-canvas .edge[data-from="${CHECKOUT}"][data-to="${COREDNS}"]`);
  if (draw) {
    await page.getByLabel("Source").selectOption(CHECKOUT);
    await page.getByLabel("Destination").selectOption(COREDNS);
    await page.getByLabel("Protocol").selectOption("UDP");
    await page.getByLabel("Ports").fill("53");
    await page.getByLabel("Tier").selectOption("application");
    await page.getByRole("button", { name: "Add flow" }).click();
  }
  await edge.waitFor({ state: "attached" });
  return edge.getAttribute("data-verdict");
}

pageTest("the pod range is edited in the design and decides pci-egress for pods without an IP", async ({ open }) => {
  const page = await open();
  await openExport(page);
  const field = page.getByLabel("Pod CIDRs");
  assert.equal(await field.inputValue(), "10.42.0.0/16", "the sample's pods are in RKE2's range");
  assert.equal(await inEffect(page), "10.42.0.0/16");

  // A bad CIDR is reported as it is typed, and not saved.
  await field.fill("10.42.0.0/16, 10.42.0.0/33");
  await page.locator(".pod-range [role=alert]", { hasText: "`10.42.0.0/33`" }).waitFor();
  await field.press("Tab");
  assert.equal(await inEffect(page), "10.42.0.0/16", "a bad list changes nothing");

  assert.equal(await dnsVerdict(page, true), "allowed", "a private pod range is not the internet");

  // Pods in carrier-grade NAT space are not in pci-egress's private notNets: its Deny applies.
  await openExport(page);
  await field.fill("100.64.0.0/10");
  await field.press("Tab");
  await page.waitForFunction(() => document.querySelector("[data-pod-range]")?.textContent === "100.64.0.0/10");
  assert.equal(await page.locator(".pod-range [role=alert]").innerText(), "");
  assert.equal(await dnsVerdict(page, false), "denied");
  await page.locator(`.flow-canvas .edge[data-from="${CHECKOUT}"][data-to="${COREDNS}"]`).dispatchEvent("click");
  await page.locator(".flow-explanation .trace").filter({ hasText: "pci-egress" }).first().waitFor();

  // Cleared: Calico's default pool, private again.
  await openExport(page);
  await field.fill("");
  await field.press("Tab");
  assert.equal(await inEffect(page), "192.168.0.0/16 (Calico's default pool)");
  assert.equal(await dnsVerdict(page, false), "allowed");
});
