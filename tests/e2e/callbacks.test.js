'use strict';
// examples/src/bin/callbacks: multi-output, chained, clientside, grouped
// arguments, set_props and Patch.
const { after, before, describe, test } = require('node:test');

const h = require('./harness');

describe('callbacks', { timeout: 180_000 }, () => {
  const fx = h.appFixture('callbacks');
  before(fx.setup);
  after(fx.teardown);

  test('multi-output, chained and clientside callbacks follow #number', () =>
    fx.run(async ({ page }) => {
      // Initial call, number = 3.
      await h.expectText(page, '#square', '9');
      await h.expectText(page, '#cube', '27');
      await h.expectText(page, '#parity', 'odd');
      await h.expectText(page, '#doubled', 'doubled: 6');

      await page.locator('#number').fill('4');
      await h.expectText(page, '#square', '16');
      await h.expectText(page, '#cube', '64');
      await h.expectText(page, '#parity', 'even');
      await h.expectText(page, '#doubled', 'doubled: 8');
    }));

  test('grouped arguments: #sum shows label and a + b', () =>
    fx.run(async ({ page }) => {
      await h.expectText(page, '#sum', 'sum = 3');
      await page.locator('#a').fill('10');
      await h.expectText(page, '#sum', 'sum = 12');
    }));

  test('set_props: #notify updates #status besides its own output', () =>
    fx.run(async ({ page }) => {
      await page.locator('#notify').click();
      await h.expectText(page, '#notify-count', '1');
      await h.expectText(page, '#status', 'notified 1 times');
      await page.locator('#notify').click();
      await h.expectText(page, '#notify-count', '2');
      await h.expectText(page, '#status', 'notified 2 times');
    }));

  test('Patch: #add-line appends to #lines', () =>
    fx.run(async ({ page }) => {
      for (let i = 1; i <= 3; i += 1) {
        await page.locator('#add-line').click();
        await h.expectCount(page, '#lines > li', i);
      }
      await h.expectTexts(page, '#lines > li', ['line 1', 'line 2', 'line 3']);
    }));
});
