'use strict';
// Self-test of the harness, against a throwaway static server (no cargo
// build needed): a clean page passes, and each kind of problem is caught.
const assert = require('node:assert/strict');
const path = require('node:path');
const { after, before, describe, test } = require('node:test');

const h = require('./harness');

const FIXTURE = path.join(__dirname, 'fixtures', 'static-server.js');

describe('harness self-test (static fixture page)', { timeout: 120_000 }, () => {
  let app;
  let browser;
  before(async () => {
    app = await h.startApp('fixture', { command: process.execPath, args: [FIXTURE] });
    browser = await h.launchBrowser();
  });
  after(async () => {
    if (browser) await browser.close();
    if (app) {
      const res = await app.stop();
      assert.ok(res && (res.signal === 'SIGTERM' || res.code !== null), `server stopped: ${JSON.stringify(res)}`);
    }
  });

  async function open(query, opts) {
    return h.openApp(browser, app, { path: query, ...opts });
  }

  test('a clean page passes, and text helpers read what is shown', async () => {
    const s = await open('/');
    try {
      await h.expectTextContains(s.page, '#greeting', 'Zoë 数据');
      await h.expectText(s.page, '#greeting', 'Hello, Zoë 数据');
      await h.expectTexts(s.page, '#lines li', ['line 1', 'line 2']);
      await h.expectCount(s.page, '#lines li', 2);
      await s.assertClean();
      assert.ok(s.responses.some((r) => r.status === 200 && r.url === app.url));
      assert.ok(s.requests.every((r) => h.isLocalUrl(r.url)));
    } finally {
      await s.close();
    }
  });

  test('waits for pending callbacks before it calls the page ready', async () => {
    const t0 = Date.now();
    const s = await open('/?slow=700');
    try {
      assert.ok(Date.now() - t0 >= 600, 'waited for the pending callback');
      assert.equal((await h.textOf(s.page, '#late')).trim(), 'done late');
      await s.assertClean();
    } finally {
      await s.close();
    }
  });

  test('an expectation that never comes true fails with what was seen', async () => {
    const s = await open('/');
    try {
      await assert.rejects(
        h.expectText(s.page, '#greeting', 'Goodbye', { timeout: 300 }),
        (err) => /Hello, Zoë 数据/.test(err.message) && /Goodbye/.test(err.message),
      );
    } finally {
      await s.close();
    }
  });

  const cases = [
    ['console', /console\.error: boom from console/],
    ['pageerror', /pageerror: .*boom from pageerror/],
    ['http404', /HTTP 404 .*\/missing\.png/],
    ['http500', /HTTP 500 .*\/fail500/],
    ['external', /request left 127\.0\.0\.1: GET http:\/\/example\.invalid\/x/],
    ['overlay', /dev-tools error overlay: Callback error updating greeting\.children[\s\S]*error count: 1|error count: 1[\s\S]*dev-tools error overlay: Callback error/],
    ['storeerror', /dash-renderer error state: frontEnd: Invalid prop/],
    ['nodevtools', /dev-tools UI \(\.dash-debug-menu__outer\) is missing/],
  ];
  for (const [bad, re] of cases) {
    test(`catches ${bad}`, async () => {
      const s = await open(`/?bad=${bad}`);
      try {
        await assert.rejects(s.assertClean(), (err) => {
          assert.match(err.message, re);
          return true;
        });
      } finally {
        await s.close();
      }
    });
  }

  test('ignore patterns silence an expected problem', async () => {
    const s = await open('/?bad=console', { ignore: [/boom from console/] });
    try {
      await s.assertClean();
    } finally {
      await s.close();
    }
  });

  test('dictId matches dash-renderer stringifyId (sorted keys)', () => {
    assert.equal(h.dictId({ type: 'label', index: 0 }), `[id='{"index":0,"type":"label"}']`);
    assert.equal(h.dictId({ b: 'x', a: true }), `[id='{"a":true,"b":"x"}']`);
  });
});

describe('harness self-test (servers)', { timeout: 60_000 }, () => {
  test('a server that exits early fails with its output', async () => {
    await assert.rejects(
      h.startApp('broken', { command: process.execPath, args: ['-e', 'console.error("cannot bind: oops"); process.exit(3)'] }),
      (err) => /exited before answering/.test(err.message) && /cannot bind: oops/.test(err.message),
    );
  });

  test('a missing example binary says how to build it', async () => {
    const saved = process.env.DASH_RS_BIN_DIR;
    const savedCmd = process.env.DASH_E2E_APP_CMD;
    process.env.DASH_RS_BIN_DIR = path.join(__dirname, 'no-such-dir');
    delete process.env.DASH_E2E_APP_CMD;
    try {
      await assert.rejects(h.startApp('hello'), /cargo build -p examples --bins/);
    } finally {
      if (saved === undefined) delete process.env.DASH_RS_BIN_DIR;
      else process.env.DASH_RS_BIN_DIR = saved;
      if (savedCmd !== undefined) process.env.DASH_E2E_APP_CMD = savedCmd;
    }
  });

  test('the app gets HOST, PORT and DASH_DEBUG=1', async () => {
    const script =
      'const http=require("http");http.createServer((q,r)=>r.end(JSON.stringify({h:process.env.HOST,p:process.env.PORT,d:process.env.DASH_DEBUG})))' +
      '.listen(Number(process.env.PORT),process.env.HOST)';
    const app = await h.startApp('env', { command: process.execPath, args: ['-e', script] });
    try {
      const body = await (await fetch(app.url)).json();
      assert.deepEqual(body, { h: '127.0.0.1', p: String(app.port), d: '1' });
    } finally {
      await app.stop();
    }
  });
});
