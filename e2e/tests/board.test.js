// The policy board: tiers in evaluation order, policies in order, add and reorder (buttons and keys).
"use strict";

const assert = require("node:assert/strict");
const { pageTest } = require("../lib/harness");

async function tierNames(page) {
  return page.locator(".tier-column").evaluateAll((cols) => cols.map((c) => c.dataset.tier));
}

pageTest("tiers show in evaluation order with their policies", async ({ open }) => {
  const page = await open();
  await page.getByRole("link", { name: "Policy board" }).click();
  const names = await tierNames(page);
  assert.ok(names.length >= 2, `tiers: ${names}`);
  assert.ok(names.includes("default"), "the default tier is shown");
  assert.ok((await page.locator(".policy-card").count()) > 0, "policies are shown as cards");
});

pageTest("add a tier and reorder it with buttons, keyboard and undo", async ({ open }) => {
  const page = await open();
  await page.goto(page.url().replace(/#.*$/, "") + "#/board");
  const before = await tierNames(page);

  // An invalid name is refused with a message; nothing is added.
  await page.getByLabel("New tier name").fill("Bad_Name");
  await page.getByRole("button", { name: "Add tier" }).click();
  await page.getByRole("alert").filter({ hasText: "not a valid tier name" }).waitFor();
  assert.deepEqual(await tierNames(page), before);

  await page.getByLabel("New tier name").fill("team-review");
  await page.getByRole("button", { name: "Add tier" }).click();
  await page.locator('.tier-column[data-tier="team-review"]').waitFor();
  const added = await tierNames(page);
  const at = added.indexOf("team-review");
  assert.ok(at > 0, `team-review is placed: ${added}`);
  assert.ok(at < added.indexOf("default"), "a new tier goes before the default tier");

  await page.getByRole("button", { name: "Move tier team-review earlier" }).click();
  let now = await tierNames(page);
  assert.equal(now.indexOf("team-review"), at - 1, `moved earlier: ${now}`);

  // Keyboard alternative: Alt+ArrowRight on the focused column moves it back.
  await page.locator('.tier-column[data-tier="team-review"]').focus();
  await page.keyboard.press("Alt+ArrowRight");
  now = await tierNames(page);
  assert.equal(now.indexOf("team-review"), at, `moved later: ${now}`);

  // Orders are distinct and increasing along the board.
  const orders = await page.locator(".tier-column .tier-order").allTextContents();
  const numbers = orders.map((o) => Number(o.replace(/[^0-9.]/g, ""))).filter((n) => !Number.isNaN(n) && n > 0);
  for (let i = 1; i < numbers.length; i++) assert.ok(numbers[i] > numbers[i - 1], `orders ${numbers}`);

  await page.getByRole("button", { name: "Undo" }).click();
  now = await tierNames(page);
  assert.equal(now.indexOf("team-review"), at - 1, "undo reverts the last move");
});

pageTest("policies move within their tier", async ({ open }) => {
  const page = await open();
  await page.goto(page.url().replace(/#.*$/, "") + "#/board");
  // The sample's platform tier holds two Calico policies (orders 100 and 200).
  const column = page.locator('.tier-column[data-tier="platform"]');
  const cards = column.locator(".policy-card");
  assert.ok((await cards.count()) >= 2, "a tier with two movable policies");
  const first = await cards.nth(0).getAttribute("data-policy");
  const second = await cards.nth(1).getAttribute("data-policy");
  await cards.nth(1).getByRole("button", { name: /up$/ }).click();
  assert.equal(await cards.nth(0).getAttribute("data-policy"), second);
  assert.equal(await cards.nth(1).getAttribute("data-policy"), first);
  await cards.nth(0).focus();
  await page.keyboard.press("Alt+ArrowDown");
  assert.equal(await cards.nth(0).getAttribute("data-policy"), first);
});
