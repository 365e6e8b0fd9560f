'use strict';
// examples/src/bin/todo: pattern-matching ids (MATCH, ALL, ALLSMALLER).
// Item i is a div.todo-item holding a dcc.Checklist {"type":"done","index":i}
// (one option, `done`), a span {"type":"label","index":i} and a span
// {"type":"total","index":i} (done items with index <= i).
const assert = require('node:assert/strict');
const { after, before, describe, test } = require('node:test');

const h = require('./harness');

const done = (i) => h.dictId({ type: 'done', index: i });
const label = (i) => h.dictId({ type: 'label', index: i });
const total = (i) => h.dictId({ type: 'total', index: i });
const ITEMS = ['milk', 'eggs', 'bread'];

async function struck(page, i) {
  return page.evaluate((sel) => {
    const el = document.querySelector(sel);
    if (!el) return null;
    const cs = getComputedStyle(el);
    return `${cs.textDecorationLine} ${cs.textDecoration}`.includes('line-through');
  }, label(i));
}

async function expectStruck(page, expected) {
  await h.eventually(async () => {
    const seen = [];
    for (let i = 0; i < expected.length; i += 1) seen.push(await struck(page, i));
    assert.deepEqual(seen, expected, 'labels struck through (text-decoration: line-through)');
  });
}

async function expectTotals(page, expected) {
  await h.eventually(async () => {
    const seen = [];
    for (let i = 0; i < expected.length; i += 1) {
      const t = await h.textOf(page, total(i));
      seen.push(t === null ? null : t.trim());
    }
    assert.deepEqual(seen, expected, 'running totals (ALLSMALLER)');
  });
}

async function toggle(page, i) {
  await page.locator(`${done(i)} input[type=checkbox]`).click();
}

describe('todo', { timeout: 180_000 }, () => {
  const fx = h.appFixture('todo');
  before(fx.setup);
  after(fx.teardown);

  test('add items, tick them off, totals follow', () =>
    fx.run(async ({ page }) => {
      for (const [i, item] of ITEMS.entries()) {
        await page.locator('#new-item').fill(item);
        await page.locator('#add').click();
        await h.expectText(page, label(i), item);
        await h.eventually(async () => assert.equal(await page.locator('#new-item').inputValue(), '', 'input cleared after add'));
      }
      await h.expectCount(page, '#list div.todo-item', 3);
      await h.expectTexts(page, '#list div.todo-item [id*=\'"type":"label"\']', ITEMS);
      for (let i = 0; i < 3; i += 1) {
        await h.expectCount(page, `${done(i)} input[type=checkbox]`, 1);
        await h.expectText(page, done(i), 'done');
        assert.equal(await page.locator(`${done(i)} input[type=checkbox]`).isChecked(), false);
      }
      await h.expectText(page, '#count', '0 of 3 done');
      await expectTotals(page, ['0', '0', '0']);
      await expectStruck(page, [false, false, false]);

      await toggle(page, 1);
      await expectStruck(page, [false, true, false]);
      await h.expectText(page, '#count', '1 of 3 done');
      await expectTotals(page, ['0', '1', '1']);

      await toggle(page, 0);
      await expectStruck(page, [true, true, false]);
      await h.expectText(page, '#count', '2 of 3 done');
      await expectTotals(page, ['1', '2', '2']);

      await toggle(page, 1);
      await expectStruck(page, [true, false, false]);
      await h.expectText(page, '#count', '1 of 3 done');
      await expectTotals(page, ['1', '1', '1']);
    }));
});
