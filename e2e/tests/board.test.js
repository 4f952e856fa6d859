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

/**
 * Drags with real mouse moves from the centre of `source` to `(x, y)` in `target`'s box (fractions).
 * Chromium under Playwright delivers only some `dragover` events while the mouse moves (then one at
 * the release point), so `check` can see the indicator somewhere, not necessarily at the target.
 */
async function drag(page, source, target, fx, fy, check) {
  const a = await source.boundingBox();
  const b = await target.boundingBox();
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(a.x + a.width / 2 + 8, a.y + a.height / 2 + 8, { steps: 3 });
  await page.mouse.move(b.x + b.width * fx, b.y + b.height * fy, { steps: 8 });
  if (check) await check();
  await page.mouse.up();
}

async function cardNames(page, tier) {
  return page
    .locator(`.tier-column[data-tier="${tier}"] .policy-card`)
    .evaluateAll((cards) => cards.map((c) => c.dataset.policy));
}

async function cardOrders(page, tier) {
  const texts = await page.locator(`.tier-column[data-tier="${tier}"] .policy-card .order`).allTextContents();
  return texts.map(Number);
}

const increasing = (numbers) => numbers.every((n, i) => i === 0 || n > numbers[i - 1]);

pageTest("drag a tier by its handle to reorder the board, with a drop indicator", async ({ open }) => {
  const page = await open();
  await page.goto(page.url().replace(/#.*$/, "") + "#/board");
  const before = await tierNames(page);
  assert.ok(before.indexOf("application") > before.indexOf("security"), `${before}`);
  const handle = page.locator('.tier-column[data-tier="application"] .drag-handle');
  const security = page.locator('.tier-column[data-tier="security"]');
  // Into the left half of the security column: before it, and the indicator shows it there.
  await drag(page, handle, security, 0.2, 0.3, async () => {
    await page.locator(".tier-column.drop-before, .tier-column.drop-after").first().waitFor();
    assert.equal(await page.locator(".tier-column.dragging").getAttribute("data-tier"), "application");
  });
  const after = await tierNames(page);
  assert.equal(after[0], "application", `${after}`);
  assert.deepEqual(after.slice(1).filter((n) => n !== "application"), before.filter((n) => n !== "application"));
  assert.equal(await page.locator(".drop-before, .drop-after, .drop-end, .dragging").count(), 0, "the indicator is gone");
  const orders = await page.locator(".tier-column .tier-order").allTextContents();
  const numbers = orders.map((o) => Number(o.replace(/[^0-9.]/g, ""))).filter((n) => n > 0);
  assert.ok(increasing(numbers), `orders ${numbers}`);

  // The built-in default tier has no handle; undo brings the old order back in one step.
  assert.equal(await page.locator('.tier-column[data-tier="default"] .drag-handle').count(), 0);
  await page.getByRole("button", { name: "Undo" }).click();
  assert.deepEqual(await tierNames(page), before);
});

pageTest("drag policy cards within a tier and into another tier", async ({ open }) => {
  const page = await open();
  await page.goto(page.url().replace(/#.*$/, "") + "#/board");
  const platform = await cardNames(page, "platform");
  assert.ok(platform.length >= 2, `${platform}`);
  const card = (name) => page.locator(`.policy-card[data-policy="${name}"]`);

  // The second platform card onto the upper half of the first: it goes first.
  const indicator = ".policy-card.drop-before, .policy-card.drop-after, .tier-column.drop-end";
  await drag(page, card(platform[1]), card(platform[0]), 0.5, 0.2, async () => {
    await page.locator(indicator).first().waitFor();
    assert.equal(await page.locator(".policy-card.dragging").getAttribute("data-policy"), platform[1]);
  });
  assert.deepEqual(await cardNames(page, "platform"), [platform[1], platform[0], ...platform.slice(2)]);
  assert.ok(increasing(await cardOrders(page, "platform")));

  // Onto the lower half of the first security card: it joins the security tier, second.
  const security = await cardNames(page, "security");
  await drag(page, card(platform[0]), card(security[0]), 0.5, 0.8);
  assert.deepEqual(await cardNames(page, "security"), [security[0], platform[0], ...security.slice(1)]);
  assert.ok(!(await cardNames(page, "platform")).includes(platform[0]));
  const orders = await cardOrders(page, "security");
  assert.ok(increasing(orders), `security orders ${orders}`);

  // Onto a column's header (not over a card): the end of that tier.
  await drag(page, card(platform[0]), page.locator('.tier-column[data-tier="application"] .tier-header'), 0.5, 0.5);
  const application = await cardNames(page, "application");
  assert.equal(application[application.length - 1], platform[0]);
  assert.ok(increasing(await cardOrders(page, "application")));

  // The policy's YAML names its new tier.
  await card(platform[0]).getByRole("link").click();
  assert.match(await page.getByLabel("Policy YAML").inputValue(), /tier: application/);
});

pageTest("order numbers stay on one line in the policy cards", async ({ open }) => {
  const page = await open();
  await page.goto(page.url().replace(/#.*$/, "") + "#/board");
  const heights = await page.locator(".policy-card .order").evaluateAll((els) =>
    els.map((el) => ({
      text: el.textContent,
      lines: el.getBoundingClientRect().height / parseFloat(getComputedStyle(el).lineHeight || "0"),
      fontSize: parseFloat(getComputedStyle(el).fontSize),
      height: el.getBoundingClientRect().height,
    })),
  );
  assert.ok(heights.some((h) => h.text.length >= 3), "some order has three digits");
  for (const h of heights) assert.ok(h.height < 1.9 * h.fontSize, `order ${h.text} wraps: ${JSON.stringify(h)}`);
});

pageTest("the keyboard moves a policy into the next tier and keeps the focus on it", async ({ open }) => {
  const page = await open();
  await page.goto(page.url().replace(/#.*$/, "") + "#/board");
  const platform = await cardNames(page, "platform");
  const security = await cardNames(page, "security");
  const moving = platform[0];
  await page.locator(`.policy-card[data-policy="${moving}"]`).focus();
  // Alt+← : to the end of the tier before (security).
  await page.keyboard.press("Alt+ArrowLeft");
  await page.locator(`.tier-column[data-tier="security"] .policy-card[data-policy="${moving}"]`).waitFor();
  assert.deepEqual(await cardNames(page, "security"), [...security, moving]);
  assert.ok(increasing(await cardOrders(page, "security")));
  const focused = () => page.evaluate(() => document.activeElement?.dataset.policy);
  await page.waitForFunction((name) => document.activeElement?.dataset.policy === name, moving);
  // Alt+↑ from there: one place up, still focused; Alt+→ takes it back to platform.
  await page.keyboard.press("Alt+ArrowUp");
  await page.waitForFunction((name) => document.activeElement?.dataset.policy === name, moving);
  const now = await cardNames(page, "security");
  assert.equal(now.indexOf(moving), security.length - 1, `${now}`);
  await page.keyboard.press("Alt+ArrowRight");
  await page.locator(`.tier-column[data-tier="platform"] .policy-card[data-policy="${moving}"]`).waitFor();
  assert.equal(await focused(), moving);
});

pageTest("a policy moved by the keyboard is announced with its new place", async ({ open }) => {
  const page = await open();
  await page.goto(page.url().replace(/#.*$/, "") + "#/board");
  const announced = page.locator("[data-announcer]");
  assert.equal(await announced.getAttribute("role"), "status", "a polite live region");
  const platform = await cardNames(page, "platform");
  const moving = platform[0];
  const title = (await page.locator(`.policy-card[data-policy="${moving}"]`).getAttribute("aria-label")).replace(/^Policy /, "");
  await page.locator(`.policy-card[data-policy="${moving}"]`).focus();
  await page.keyboard.press("Alt+ArrowDown");
  await page.waitForFunction(
    (text) => document.querySelector("[data-announcer]")?.textContent === text,
    `Moved ${title} to position 2 in tier platform`,
  );
  // Into the tier before (security): at its end.
  const security = await cardNames(page, "security");
  await page.waitForFunction((name) => document.activeElement?.dataset.policy === name, moving);
  await page.keyboard.press("Alt+ArrowLeft");
  await page.waitForFunction(
    (text) => document.querySelector("[data-announcer]")?.textContent === text,
    `Moved ${title} to position ${security.length + 1} in tier security`,
  );
  // A tier moved with its buttons says where it went.
  await page.getByRole("button", { name: "Move tier security later" }).click();
  await page.waitForFunction(() => /^Moved tier security to position \d+$/.test(document.querySelector("[data-announcer]")?.textContent));
});
