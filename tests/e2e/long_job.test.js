'use strict';
// examples/src/bin/long_job: a background callback of 20 steps (100 ms each
// here, LONG_JOB_STEP_MS) with `progress` (html.Progress) and `status`
// progress outputs, `run`/`cancel` running outputs, a cancel input and a
// result cache by label.
const assert = require('node:assert/strict');
const { after, before, describe, test } = require('node:test');

const h = require('./harness');

const STEP_MS = 100;

/** Types `label` (a State of the job: dcc.Input with debounce off sends it
 * to the renderer's store on each keystroke). */
async function setLabel(page, label) {
  await page.locator('#label').fill(label);
  assert.equal(await page.locator('#label').inputValue(), label);
  await h.sleep(150);
}

/** Samples the bar, status and buttons every 40 ms until `done()` holds. */
async function watch(page, done, timeoutMs = 15_000) {
  const seen = { values: new Set(), statuses: new Set(), runDisabled: false, cancelEnabled: false };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const s = await page.evaluate(() => ({
      value: document.querySelector('#progress').getAttribute('value'),
      status: document.querySelector('#status').textContent,
      run: document.querySelector('#run').disabled,
      cancel: document.querySelector('#cancel').disabled,
      result: document.querySelector('#result').textContent,
    }));
    seen.values.add(s.value);
    seen.statuses.add(s.status);
    if (s.run) seen.runDisabled = true;
    if (!s.cancel) seen.cancelEnabled = true;
    if (await done(s)) return { ...seen, last: s };
    await h.sleep(40);
  }
  throw new Error(`timed out; saw ${JSON.stringify({ ...seen, values: [...seen.values], statuses: [...seen.statuses] })}`);
}

describe('long_job', { timeout: 180_000 }, () => {
  const fx = h.appFixture('long_job', { env: { LONG_JOB_STEP_MS: String(STEP_MS) } });
  before(fx.setup);
  after(fx.teardown);

  test('the bar moves, run is disabled while it runs, and the result appears', () =>
    fx.run(async ({ page }) => {
      await setLabel(page, 'first');
      await page.locator('#run').click();
      const seen = await watch(page, (s) => s.result.startsWith('first: done'));
      const steps = [...seen.values].map(Number).filter((n) => n > 0);
      assert.ok(steps.length >= 4, `the bar took only ${JSON.stringify([...seen.values])}`);
      assert.ok([...seen.statuses].some((t) => /^step \d+ of 20$/.test(t)), [...seen.statuses].join(' | '));
      assert.ok(seen.runDisabled, 'run was never disabled');
      assert.ok(seen.cancelEnabled, 'cancel was never enabled');
      // after the job: the running outputs and progress defaults are back
      await h.eventually(async () => {
        const s = await page.evaluate(() => [
          document.querySelector('#run').disabled,
          document.querySelector('#cancel').disabled,
          document.querySelector('#status').textContent,
          document.querySelector('#progress').getAttribute('value'),
        ]);
        assert.deepEqual(s, [false, true, 'idle', '0']);
      });
    }));

  test('cancel stops the job: no result comes, the bar resets', () =>
    fx.run(async ({ page }) => {
      await setLabel(page, 'cancelled run');
      await page.locator('#run').click();
      await watch(page, (s) => Number(s.value) >= 3);
      await page.locator('#cancel').click();
      await h.eventually(async () => {
        const status = await h.textOf(page, '#status');
        assert.equal(status, 'idle');
      });
      // longer than the whole job would take
      await h.sleep(STEP_MS * 25);
      assert.equal(await h.textOf(page, '#result'), '');
      assert.equal(await page.locator('#run').isDisabled(), false);
      assert.equal(await page.locator('#progress').getAttribute('value'), '0');
    }));

  test('two MATCH instances run side by side; cancelling one leaves the other', () =>
    fx.run(async ({ page }) => {
      const id = (type, i) => h.dictId({ type, index: i });
      const bar = (i) => page.locator(id('job-progress', i)).getAttribute('value');
      await page.locator(id('job-run', 1)).click();
      await page.locator(id('job-run', 2)).click();
      await h.eventually(async () => {
        assert.ok(Number(await bar(1)) >= 2 && Number(await bar(2)) >= 2, `bars ${await bar(1)} ${await bar(2)}`);
      });
      assert.equal(await page.locator(id('job-run', 1)).isDisabled(), true);
      assert.equal(await page.locator(id('job-cancel', 2)).isDisabled(), false);
      await page.locator(id('job-cancel', 2)).click();
      // instance 1 finishes; instance 2 stopped: no result, bar reset
      await h.eventually(async () => {
        assert.equal(await h.textOf(page, id('job-result', 1)), 'job 1: done');
      });
      assert.equal(await h.textOf(page, id('job-result', 2)), '');
      assert.equal(await bar(2), '0');
      assert.equal(await page.locator(id('job-run', 2)).isDisabled(), false);
      await h.sleep(STEP_MS * 22);
      assert.equal(await h.textOf(page, id('job-result', 2)), '', 'the cancelled job delivered a result');
    }));

  test('a second run with the same label comes from the cache at once', () =>
    fx.run(async ({ page }) => {
      await setLabel(page, 'cached a');
      await page.locator('#run').click();
      const a = (await watch(page, (s) => s.result.startsWith('cached a: done'))).last.result;
      await setLabel(page, 'cached b');
      await page.locator('#run').click();
      await watch(page, (s) => s.result.startsWith('cached b: done'));
      await setLabel(page, 'cached a');
      const t0 = Date.now();
      await page.locator('#run').click();
      const again = await watch(page, (s) => s.result.startsWith('cached a: done'), 5_000);
      const took = Date.now() - t0;
      assert.equal(again.last.result, a, 'the cached result is the first run\'s');
      assert.ok(took < STEP_MS * 10, `the cached answer took ${took} ms`);
      assert.deepEqual([...again.values].filter((v) => v !== '0'), [], 'the bar moved: a job ran');
    }));
});
