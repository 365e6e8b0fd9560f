'use strict';
// A failing callback in debug mode: the dev-tools overlay shows the
// server's message, and the app keeps working afterwards.
const assert = require('node:assert/strict');
const { after, before, describe, test } = require('node:test');

const h = require('./harness');

describe('callback errors', { timeout: 180_000 }, () => {
  const fx = h.appFixture('callbacks');
  before(fx.setup);
  after(fx.teardown);

  test('the dev-tools overlay shows a failing callback\'s message; other callbacks still run', async () => {
    // The 500 and its console line are what this test provokes.
    const session = await h.openApp(fx.browser, fx.app, {
      ignore: [/500/, /Internal Server Error/i, /Failed to load resource/i, /_dash-update-component/, /Callback error updating fail-result/],
    });
    try {
      const { page } = session;
      await h.expectText(page, '#square', '9');
      await page.locator('#fail').click();
      await h.eventually(async () => {
        const dev = await h.readDevTools(page);
        assert.equal(dev.count, '1', `error count: ${JSON.stringify(dev)}`);
      });
      // The renderer keeps the response body as the error's html.
      const html = await page.evaluate(() =>
        window.store.getState().error.backEnd.map((e) => (e.error && e.error.html) || '').join('\n'),
      );
      assert.match(html, /the demo button always fails/);
      assert.match(html, /fail-result\.children/);
      // The overlay opens by itself; its title names the failed output.
      await h.eventually(async () => {
        const titles = await page.locator('.dash-fe-error__title').allTextContents();
        assert.ok(
          titles.some((t) => /Callback error updating fail-result\.children/.test(t)),
          `titles: ${JSON.stringify(titles)}`,
        );
      });
      // The server is still up and other callbacks still run.
      await page.locator('#number').fill('5');
      await h.expectText(page, '#square', '25');
      assert.deepEqual(session.problems, []);
    } finally {
      await session.close().catch(() => {});
    }
  });
});
