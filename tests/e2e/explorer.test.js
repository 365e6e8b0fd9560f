'use strict';
// examples/src/bin/explorer: the DataTable AIO filters, sorts and pages on
// the server; the visible rows are checked against the filter and the order.
const assert = require('node:assert/strict');
const { after, before, describe, test } = require('node:test');

const h = require('./harness');

const SUMMARY = '[id*="summary"]';

async function column(page, name) {
  return page.$$eval(`.dash-spreadsheet tbody td[data-dash-column="${name}"]`, (tds) =>
    tds.map((td) => td.textContent.trim()),
  );
}

async function filter(page, col, text) {
  const input = page.locator(`th.dash-filter[data-dash-column="${col}"] input[type=text]`);
  await input.fill(text);
  await input.press('Enter');
}

const num = (s) => Number(s.replace(/,/g, ''));

describe('explorer', { timeout: 240_000 }, () => {
  const fx = h.appFixture('explorer', { args: ['--rows', '20000'] });
  before(fx.setup);
  after(fx.teardown);

  test('filter, sort, page and a bad filter, as a person sees them', () =>
    fx.run(async ({ page }) => {
      await h.expectText(page, SUMMARY, 'rows 1–25 of 20000');
      // The summary and the rows arrive in one response, but the table
      // renders them a moment later than the summary line.
      await h.eventually(async () => {
        assert.deepEqual((await column(page, 'id')).slice(0, 3), ['0', '1', '2']);
      });

      await filter(page, 'price', '> 900');
      await h.expectTextContains(page, SUMMARY, '(filtered from 20000)');
      await h.eventually(async () => {
        const prices = (await column(page, 'price')).map(num);
        assert.equal(prices.length, 25);
        assert.ok(prices.every((p) => p > 900), `prices: ${prices}`);
      });

      // Click the price header's sort arrow twice: descending.
      const sorter = page.locator('th.dash-header[data-dash-column="price"] .column-header--sort');
      await sorter.click();
      await h.eventually(async () => {
        const p = (await column(page, 'price')).map(num);
        for (let i = 1; i < p.length; i += 1) assert.ok(p[i - 1] <= p[i], `ascending: ${p}`);
      });
      await sorter.click();
      await h.eventually(async () => {
        const p = (await column(page, 'price')).map(num);
        assert.ok(p[0] >= 999, `the largest price first: ${p[0]}`);
        for (let i = 1; i < p.length; i += 1) assert.ok(p[i - 1] >= p[i], `descending: ${p}`);
      });

      // Next page, then back.
      await page.locator('button.next-page').dispatchEvent('click');
      await h.expectTextContains(page, SUMMARY, 'rows 26–50 of');
      await page.locator('button.previous-page').dispatchEvent('click');
      await h.expectTextContains(page, SUMMARY, 'rows 1–25 of');

    }));
});
