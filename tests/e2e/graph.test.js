'use strict';
// examples/src/bin/graph: a dcc.Dropdown `dataset` drives a dcc.Graph `chart`
// (bar chart). plotly.js must come from the local server.
const assert = require('node:assert/strict');
const { after, before, describe, test } = require('node:test');

const h = require('./harness');

const BARS = '#chart .trace.bars .point path';
const XTICKS = '#chart .xtick text';
const PLOTLY_JS = /^\/_dash-component-suites\/plotly\/package_data\/plotly(\.v[\w-]+m\d+)?\.min\.js$/;

/** Heights (px) of the drawn bars, in trace order. */
function barHeights(page) {
  return page.evaluate((sel) => [...document.querySelectorAll(sel)].map((p) => p.getBBox().height), BARS);
}

async function expectBars(page, ticks, values) {
  await h.expectCount(page, BARS, values.length);
  await h.expectTexts(page, XTICKS, ticks);
  await h.eventually(async () => {
    const heights = await barHeights(page);
    assert.equal(heights.length, values.length);
    // The tallest bar is the largest value, and heights are proportional to
    // the values (bars start at 0).
    const tallest = heights.indexOf(Math.max(...heights));
    assert.equal(tallest, values.indexOf(Math.max(...values)), `tallest bar should be ${ticks[values.indexOf(Math.max(...values))]}; heights ${heights}`);
    for (let i = 0; i < values.length; i += 1) {
      const expected = (heights[tallest] * values[i]) / values[tallest];
      assert.ok(Math.abs(heights[i] - expected) <= 2, `bar ${ticks[i]} is ${heights[i]}px high, expected ~${expected.toFixed(1)}px (heights ${heights})`);
    }
  });
}

describe('graph', { timeout: 180_000 }, () => {
  const fx = h.appFixture('graph');
  before(fx.setup);
  after(fx.teardown);

  test('bar chart follows the dataset dropdown; plotly.js is served locally', () =>
    fx.run(async (session) => {
      const { page } = session;
      await h.expectText(page, '#dataset .dash-dropdown-value', 'fruits');
      await expectBars(page, ['apples', 'bananas', 'cherries'], [3, 5, 2]);

      await page.locator('#dataset').click();
      const option = page.locator('.dash-dropdown-content [role=option]').filter({ hasText: /^\s*vegetables\s*$/ });
      await option.click();
      await h.expectText(page, '#dataset .dash-dropdown-value', 'vegetables');
      await expectBars(page, ['carrots', 'peas'], [4, 1]);

      const plotly = session.responses.filter((r) => PLOTLY_JS.test(new URL(r.url).pathname));
      assert.ok(plotly.length >= 1, `plotly.js not requested from /_dash-component-suites/plotly/package_data/; requests:\n${session.requests.map((r) => r.url).join('\n')}`);
      assert.ok(plotly.every((r) => r.status === 200 || r.status === 304), `plotly.js responses: ${JSON.stringify(plotly)}`);
      for (const r of plotly) assert.equal(new URL(r.url).hostname, '127.0.0.1');
      const outside = session.requests.filter((r) => !h.isLocalUrl(r.url));
      assert.deepEqual(outside, [], 'no request may leave 127.0.0.1');
    }));
});
