'use strict';
// examples/src/bin/cards: a PaginationAio (`cards-pager`) paging a grid of
// cards, a second, independent pager (`list-pager`) and a DataTableAio —
// the whole layout built per request (layout_fn).
const assert = require('node:assert/strict');
const { after, before, describe, test } = require('node:test');

const h = require('./harness');

const ROWS = 250;
const part = (aio, sub) => h.dictId({ aio_id: aio, component: 'PaginationAio', subcomponent: sub });
const slots = (aio) => `${part(aio, 'nav')} button[id*='"subcomponent":"slot"']`;
const summary = (aio) => part(aio, 'summary');

/** The ids shown on the cards ("#12 · cat_3 · 41.20" → 12). */
async function cardIds(page) {
  const metas = await h.textsOf(page, '#cards .card .card__meta');
  return metas.map((m) => Number(m.split(' ')[0].slice(1)));
}

/** The texts of the visible numbered buttons, and which one is current. */
async function pagerState(page, aio) {
  return page.$$eval(slots(aio), (buttons) => {
    const shown = buttons.filter((b) => getComputedStyle(b).display !== 'none');
    return {
      texts: shown.map((b) => b.textContent.trim()),
      current: shown.filter((b) => b.getAttribute('aria-current') === 'page').map((b) => b.textContent.trim()),
    };
  });
}

const disabled = (page, aio, sub) => page.locator(part(aio, sub)).isDisabled();

async function expectEnds(page, aio, { start, end }) {
  await h.eventually(async () => {
    assert.equal(await disabled(page, aio, 'first'), start, 'first');
    assert.equal(await disabled(page, aio, 'previous'), start, 'previous');
    assert.equal(await disabled(page, aio, 'next'), end, 'next');
    assert.equal(await disabled(page, aio, 'last'), end, 'last');
  });
}

const range = (a, b) => Array.from({ length: b - a }, (_, i) => a + i);

describe('cards', { timeout: 180_000 }, () => {
  const fx = h.appFixture('cards');
  before(fx.setup);
  after(fx.teardown);

  test('the pager moves through the cards and disables at the ends', () =>
    fx.run(async ({ page }) => {
      await h.expectText(page, summary('cards-pager'), `cards 1–12 of ${ROWS}`);
      await h.eventually(async () => assert.deepEqual(await cardIds(page), range(0, 12)));
      await expectEnds(page, 'cards-pager', { start: true, end: false });
      assert.deepEqual(await pagerState(page, 'cards-pager'), {
        texts: ['1', '2', '3', '4', '5', '…', '21'],
        current: ['1'],
      });

      await page.locator(part('cards-pager', 'next')).click();
      await h.expectText(page, summary('cards-pager'), `cards 13–24 of ${ROWS}`);
      await h.eventually(async () => assert.deepEqual(await cardIds(page), range(12, 24)));
      await expectEnds(page, 'cards-pager', { start: false, end: false });

      // A numbered button: page 5, then the window moves around it.
      await page.locator(slots('cards-pager')).filter({ hasText: /^5$/ }).click();
      await h.expectText(page, summary('cards-pager'), `cards 49–60 of ${ROWS}`);
      await h.eventually(async () =>
        assert.deepEqual(await pagerState(page, 'cards-pager'), {
          texts: ['1', '…', '4', '5', '6', '…', '21'],
          current: ['5'],
        }),
      );

      await page.locator(part('cards-pager', 'last')).click();
      await h.expectText(page, summary('cards-pager'), `cards 241–250 of ${ROWS}`);
      await h.eventually(async () => assert.deepEqual(await cardIds(page), range(240, 250)));
      await expectEnds(page, 'cards-pager', { start: false, end: true });
      assert.deepEqual((await pagerState(page, 'cards-pager')).texts, ['1', '…', '17', '18', '19', '20', '21']);

      // By keyboard: focus "previous" and press Enter.
      await page.locator(part('cards-pager', 'previous')).focus();
      await page.keyboard.press('Enter');
      await h.expectText(page, summary('cards-pager'), `cards 229–240 of ${ROWS}`);

      await page.locator(part('cards-pager', 'first')).click();
      await h.expectText(page, summary('cards-pager'), `cards 1–12 of ${ROWS}`);
      await expectEnds(page, 'cards-pager', { start: true, end: false });
    }));

  test('the page-size selector changes the cards shown', () =>
    fx.run(async ({ page }) => {
      await h.expectText(page, summary('cards-pager'), `cards 1–12 of ${ROWS}`);
      await page.locator(part('cards-pager', 'next')).click();
      await h.expectText(page, summary('cards-pager'), `cards 13–24 of ${ROWS}`);
      await page.locator(`${part('cards-pager', 'page_size')}`).click();
      await page.getByRole('option', { name: '24 / page' }).click();
      // A new size starts from the first page.
      await h.expectText(page, summary('cards-pager'), `cards 1–24 of ${ROWS}`);
      await h.eventually(async () => assert.deepEqual(await cardIds(page), range(0, 24)));
      assert.deepEqual((await pagerState(page, 'cards-pager')).texts, ['1', '2', '3', '4', '5', '…', '11']);
      await page.locator(part('cards-pager', 'last')).click();
      await h.expectText(page, summary('cards-pager'), `cards 241–250 of ${ROWS}`);
      await h.eventually(async () => assert.deepEqual(await cardIds(page), range(240, 250)));
    }));

  test('two pagers on one page are independent', () =>
    fx.run(async ({ page }) => {
      await h.expectText(page, summary('list-pager'), 'categories 1–5 of 20');
      await h.expectTexts(page, '#list li', ['cat_0', 'cat_1', 'cat_2', 'cat_3', 'cat_4']);
      await page.locator(part('list-pager', 'next')).click();
      await h.expectText(page, summary('list-pager'), 'categories 6–10 of 20');
      await h.expectTexts(page, '#list li', ['cat_5', 'cat_6', 'cat_7', 'cat_8', 'cat_9']);
      // The cards pager did not move.
      await h.expectText(page, summary('cards-pager'), `cards 1–12 of ${ROWS}`);
      await expectEnds(page, 'cards-pager', { start: true, end: false });
      await page.locator(part('cards-pager', 'last')).click();
      await h.expectText(page, summary('cards-pager'), `cards 241–250 of ${ROWS}`);
      await h.expectText(page, summary('list-pager'), 'categories 6–10 of 20');
      assert.deepEqual(await pagerState(page, 'list-pager'), { texts: ['1', '2', '3', '4'], current: ['2'] });
    }));

  test('an app callback changes the total and the pager follows', () =>
    fx.run(async ({ page }) => {
      await h.expectText(page, summary('cards-pager'), `cards 1–12 of ${ROWS}`);
      await page.locator(part('cards-pager', 'last')).click();
      await h.expectText(page, summary('cards-pager'), `cards 241–250 of ${ROWS}`);
      await page.locator('#cards-filter').fill('ada');
      // Fewer cards: the page is clamped, every card shown matches, and
      // the last page holds what is left.
      let total = 0;
      await h.eventually(async () => {
        const m = /^cards (\d+)–(\d+) of (\d+)$/.exec(await h.textOf(page, summary('cards-pager')));
        assert.ok(m, 'a summary line');
        total = Number(m[3]);
        assert.ok(total > 0 && total < ROWS, `total ${total}`);
        const names = await h.textsOf(page, '#cards .card .card__name');
        assert.ok(names.length > 0 && names.every((n) => n.toLowerCase().includes('ada')), `${names}`);
        assert.equal(Number(m[2]) - Number(m[1]) + 1, names.length);
      });
      // We were on the last page: it is clamped to the new last page.
      const lastCount = total - 12 * (Math.ceil(total / 12) - 1);
      await h.expectText(page, summary('cards-pager'), `cards ${total - lastCount + 1}–${total} of ${total}`);
      await h.expectCount(page, '#cards .card', lastCount);
      await expectEnds(page, 'cards-pager', { start: total <= 12, end: true });
      if (total > 12) {
        await page.locator(part('cards-pager', 'first')).click();
        await h.expectText(page, summary('cards-pager'), `cards 1–12 of ${total}`);
        await h.expectCount(page, '#cards .card', 12);
      }
      // Nothing matches: no cards, every button disabled.
      await page.locator('#cards-filter').fill('zzzz');
      await h.expectText(page, summary('cards-pager'), 'no cards');
      await h.expectText(page, '#cards', 'No card matches.');
      await expectEnds(page, 'cards-pager', { start: true, end: true });
    }));

  test('a table built in the per-request layout pages and filters', () =>
    fx.run(async ({ page }) => {
      const table = (sub) => h.dictId({ aio_id: 'products', component: 'DataTableAio', subcomponent: sub });
      await h.expectText(page, table('summary'), `rows 1–10 of ${ROWS}`);
      const column = (name) =>
        page.$$eval(`${table('table')} tbody td[data-dash-column="${name}"]`, (tds) => tds.map((td) => td.textContent.trim()));
      await h.eventually(async () => assert.deepEqual((await column('id')).map(Number), range(0, 10)));
      const input = page.locator(`${table('table')} th.dash-filter[data-dash-column="price"] input[type=text]`);
      await input.fill('> 500');
      await input.press('Enter');
      await h.expectTextContains(page, table('summary'), `(filtered from ${ROWS})`);
      await h.eventually(async () => {
        const prices = (await column('price')).map(Number);
        assert.equal(prices.length, 10);
        assert.ok(prices.every((p) => p > 500), `prices: ${prices}`);
      });
      const firstPage = (await column('id')).map(Number);
      await page.locator(`${table('table')} button.next-page`).dispatchEvent('click');
      await h.expectTextContains(page, table('summary'), 'rows 11–20 of');
      await h.eventually(async () => {
        const ids = (await column('id')).map(Number);
        assert.equal(ids.length, 10);
        assert.ok(ids[0] > firstPage[firstPage.length - 1], `ids in frame order: ${firstPage} then ${ids}`);
      });
    }));
});
