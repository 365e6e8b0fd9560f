'use strict';
// examples/src/bin/hello: a dcc.Input `name` and an html.Div `greeting`.
const { after, before, describe, test } = require('node:test');

const h = require('./harness');

describe('hello', { timeout: 120_000 }, () => {
  const fx = h.appFixture('hello');
  before(fx.setup);
  after(fx.teardown);

  test('typing a name greets that person', () =>
    fx.run(async ({ page }) => {
      await page.locator('#name').fill('');
      // Key by key, as a person types: one callback per keystroke, and the
      // last answer must win.
      await page.locator('#name').pressSequentially('Ada Lovelace', { delay: 20 });
      await h.expectTextContains(page, '#greeting', 'Ada Lovelace');
    }));

  test('Unicode text comes back verbatim', () =>
    fx.run(async ({ page }) => {
      await page.locator('#name').fill('Zoë 数据');
      await h.expectTextContains(page, '#greeting', 'Zoë 数据');
    }));
});
