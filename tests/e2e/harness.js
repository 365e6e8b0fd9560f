'use strict';
// Browser-test harness: starts an example app, drives the official Dash
// front end in Debian's Chromium through playwright-core, and records every
// problem a person would notice (console errors, page errors, failed or
// 4xx/5xx requests, requests leaving 127.0.0.1, the dev-tools error overlay).
//
// It builds nothing: `cargo build -p examples --bins` must have run first
// (scripts/test.sh does). Environment:
//   DASH_RS_BIN_DIR   folder holding the example binaries (default:
//                     $CARGO_TARGET_DIR/debug if set, else the newer build of
//                     ~/.cache/dash-rs/target/debug and <repo>/target/debug)
//   DASH_E2E_APP_CMD  optional shell command template run instead of the
//                     binary, `{app}` replaced by the example name (e.g. to run
//                     the same tests against reference apps)
//   CHROMIUM_PATH     browser executable (default /usr/bin/chromium)
//   E2E_TIMEOUT_MS    default wait for a UI expectation (default 15000)

const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const { chromium } = require('playwright-core');

const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const TIMEOUT_MS = Number(process.env.E2E_TIMEOUT_MS || 15000);
const SERVER_START_TIMEOUT_MS = Number(process.env.E2E_SERVER_START_TIMEOUT_MS || 60000);

// Dev-tools DOM of dash-renderer 3.4.1 (lib/components/error/...):
//  - `.dash-debug-menu__outer`   the dev-tools menu (present only in debug mode)
//  - `.test-devtools-error-count` the red error count on the "Errors" button
//  - `.dash-debug-menu__error-indicator` the red dot when the menu is collapsed
//  - `.dash-fe-error__title`     one per error card in the opened overlay
const DEVTOOLS = {
  menu: '.dash-debug-menu__outer',
  errorCount: '.test-devtools-error-count',
  errorIndicator: '.dash-debug-menu__error-indicator',
  errorTitle: '.dash-fe-error__title',
};

const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** Folders searched for example binaries, in order of preference. */
function binDirs() {
  if (process.env.DASH_RS_BIN_DIR) return [path.resolve(process.env.DASH_RS_BIN_DIR)];
  if (process.env.CARGO_TARGET_DIR) return [path.join(path.resolve(process.env.CARGO_TARGET_DIR), 'debug')];
  return [
    path.join(os.homedir(), '.cache', 'dash-rs', 'target', 'debug'), // scripts/test.sh's default
    path.join(REPO_ROOT, 'target', 'debug'), // a plain `cargo build` in the clone
  ];
}

function binDir() {
  return binDirs()[0];
}

/** Path of an example binary: the newest build among binDirs(). */
function appBinary(app) {
  const found = binDirs()
    .map((d) => path.join(d, app))
    .filter((f) => fs.existsSync(f))
    .map((f) => ({ f, mtime: fs.statSync(f).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  if (found.length) return found[0].f;
  throw new Error(
    `example binary "${app}" not found in ${binDirs().join(' or ')}\n` +
      'Build the examples first: `cargo build -p examples --bins` ' +
      '(with the same CARGO_TARGET_DIR), or point DASH_RS_BIN_DIR at the folder holding them.',
  );
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

function httpGetStatus(url) {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(null));
  });
}

// Process groups of apps still running; killed if this process exits without
// stopping them (a crashed or interrupted test run leaves no server behind).
const LIVE_GROUPS = new Set();
process.on('exit', () => {
  for (const pid of LIVE_GROUPS) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
});

/**
 * Start an app server on a free port of 127.0.0.1 with debug mode on and wait
 * until `GET /` answers 200.
 *
 * `app` is an example binary's name (looked up in binDir()); `command`/`args`
 * run something else (used by the harness self-test).
 * Returns { url, port, name, output(), stop() }.
 */
async function startApp(app, { command, args = [], env = {} } = {}) {
  const port = await freePort();
  const childEnv = {
    ...process.env,
    HOST: '127.0.0.1',
    PORT: String(port),
    DASH_DEBUG: '1',
    RUST_BACKTRACE: process.env.RUST_BACKTRACE || '1',
    ...env,
  };
  let file;
  let argv;
  let description;
  if (command) {
    file = command;
    argv = args;
    description = [command, ...args].join(' ');
  } else if (process.env.DASH_E2E_APP_CMD) {
    file = '/bin/sh';
    argv = ['-c', `exec ${process.env.DASH_E2E_APP_CMD.split('{app}').join(app)}`];
    description = argv[1];
  } else {
    file = appBinary(app);
    argv = args;
    description = file;
  }

  // Own process group, so stop() also ends anything the app started.
  const child = spawn(file, argv, { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  if (child.pid) LIVE_GROUPS.add(child.pid);
  let out = '';
  const keep = (chunk) => {
    out += chunk.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = null;
  const exitPromise = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      LIVE_GROUPS.delete(child.pid);
      exited = { code, signal };
      resolve(exited);
    });
    child.on('error', (err) => {
      exited = { code: null, signal: null, error: err };
      resolve(exited);
    });
  });

  const url = `http://127.0.0.1:${port}/`;
  const stop = async () => {
    if (exited) return exited;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
    const res = await Promise.race([exitPromise, sleep(5000).then(() => null)]);
    if (res) return res;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
    return exitPromise;
  };

  const deadline = Date.now() + SERVER_START_TIMEOUT_MS;
  let lastStatus = null;
  for (;;) {
    if (exited) {
      throw new Error(
        `${description} exited before answering (${JSON.stringify(exited)}); its output:\n${out}`,
      );
    }
    lastStatus = await httpGetStatus(url);
    if (lastStatus === 200) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `${description} did not answer GET ${url} with 200 within ${SERVER_START_TIMEOUT_MS} ms ` +
          `(last status: ${lastStatus}); its output:\n${out}`,
      );
    }
    await sleep(100);
  }
  return { url, port, name: app, output: () => out, stop };
}

/** Launch headless Chromium (a fresh temporary profile per launch). */
function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

function isLocalUrl(u) {
  let parsed;
  try {
    parsed = new URL(u);
  } catch {
    return false;
  }
  if (['data:', 'blob:', 'about:', 'chrome-error:'].includes(parsed.protocol)) return true;
  return parsed.hostname === '127.0.0.1';
}

/**
 * Open `app.url` in a fresh browser context and record problems.
 * Returns a session: { page, context, problems, requests, responses,
 * waitForReady(), assertClean(), close() }.
 * Options: ignore — array of RegExps; matching problems are not reported.
 */
async function openApp(browser, app, { ignore = [], waitReady = true, path: urlPath = '' } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  const requests = [];
  const responses = [];
  const note = (msg) => {
    if (!ignore.some((re) => re.test(msg))) problems.push(msg);
  };

  // Nothing may leave 127.0.0.1: abort (so tests never wait on a closed
  // network) and report.
  await context.route('**/*', (route) => {
    const u = route.request().url();
    if (isLocalUrl(u)) return route.continue();
    note(`request left 127.0.0.1: ${route.request().method()} ${u}`);
    return route.abort('blockedbyclient');
  });
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const loc = msg.location();
    const where = loc && loc.url ? ` (at ${loc.url}:${loc.lineNumber})` : '';
    // A blocked external request was reported already; don't double count.
    if (/net::ERR_BLOCKED_BY_CLIENT/.test(msg.text())) return;
    note(`console.error: ${msg.text()}${where}`);
  });
  page.on('pageerror', (err) => note(`pageerror: ${err.stack || err.message || err}`));
  page.on('crash', () => note('page crashed'));
  page.on('request', (req) => requests.push({ method: req.method(), url: req.url() }));
  page.on('requestfailed', (req) => {
    const failure = req.failure();
    const text = failure ? failure.errorText : 'unknown';
    if (/ERR_BLOCKED_BY_CLIENT/.test(text)) return; // reported by the route above
    note(`request failed: ${req.method()} ${req.url()} — ${text}`);
  });
  page.on('response', (res) => {
    responses.push({ url: res.url(), status: res.status(), method: res.request().method() });
    if (res.status() >= 400) {
      note(`HTTP ${res.status()} ${res.statusText()}: ${res.request().method()} ${res.url()}`);
    }
  });
  page.on('websocket', (ws) => {
    if (!isLocalUrl(ws.url().replace(/^ws/, 'http'))) note(`websocket left 127.0.0.1: ${ws.url()}`);
  });

  const session = {
    app,
    page,
    context,
    problems,
    requests,
    responses,
    waitForReady: (opts) => waitForDashReady(page, opts),
    assertClean: (opts) => assertClean(session, opts),
    close: () => context.close(),
  };
  try {
    await page.goto(new URL(urlPath, app.url).toString(), { waitUntil: 'load' });
    if (waitReady) await waitForDashReady(page);
  } catch (err) {
    if (problems.length) err.message += `\n--- problems seen in the browser ---\n  - ${problems.join('\n  - ')}`;
    await context.close().catch(() => {});
    throw err;
  }
  return session;
}

/**
 * Wait until dash-renderer has hydrated the layout and no callback is pending:
 * window.store (dash-renderer's redux store) reports appLifecycle HYDRATED and
 * no pending callbacks, `#_dash-app-content` exists, and no loading marker is
 * in the DOM (`._dash-loading` app spinner, `._dash-loading-callback`,
 * `[data-dash-is-loading="true"]`).
 */
async function waitForDashReady(page, { timeout = TIMEOUT_MS } = {}) {
  try {
    await page.waitForFunction(
      () => {
        const store = window.store;
        if (!store || typeof store.getState !== 'function') return false;
        const s = store.getState();
        if (s.appLifecycle !== 'HYDRATED') return false;
        const cbs = s.callbacks || {};
        for (const [k, v] of Object.entries(cbs)) {
          if (k !== 'stored' && k !== 'completed' && Array.isArray(v) && v.length) return false;
        }
        if (!document.querySelector('#_dash-app-content')) return false;
        if (document.querySelector('._dash-loading, ._dash-loading-callback, [data-dash-is-loading="true"]')) {
          return false;
        }
        return true;
      },
      null,
      { timeout, polling: 50 },
    );
  } catch (err) {
    const state = await page
      .evaluate(() => {
        const s = window.store && window.store.getState && window.store.getState();
        if (!s) return 'window.store is missing (dash-renderer did not start)';
        const cbs = {};
        for (const [k, v] of Object.entries(s.callbacks || {})) if (Array.isArray(v)) cbs[k] = v.length;
        return JSON.stringify({ appLifecycle: s.appLifecycle, isLoading: s.isLoading, callbacks: cbs });
      })
      .catch((e) => `(could not read state: ${e.message})`);
    throw new Error(`Dash front end did not become ready within ${timeout} ms: ${state}\n${err.message}`);
  }
}

/** What the dev tools show: error titles, count, whether the menu exists. */
function readDevTools(page) {
  return page.evaluate((sel) => {
    const text = (el) => (el ? el.textContent.trim() : null);
    const s = window.store && window.store.getState && window.store.getState();
    const err = (s && s.error) || { frontEnd: [], backEnd: [] };
    const storeErrors = [...(err.frontEnd || []), ...(err.backEnd || [])].map((e) => {
      const m = e && e.error ? e.error.message || JSON.stringify(e.error) : JSON.stringify(e);
      return `${e && e.type ? e.type : 'error'}: ${m}`;
    });
    return {
      menu: !!document.querySelector(sel.menu),
      count: text(document.querySelector(sel.errorCount)),
      indicator: !!document.querySelector(sel.errorIndicator),
      titles: [...document.querySelectorAll(sel.errorTitle)].map(text),
      storeErrors,
      backEndConnected: err.backEndConnected !== false,
      debugConfig: (() => {
        try {
          const cfg = JSON.parse(document.getElementById('_dash-config').textContent);
          return { ui: cfg.ui, props_check: cfg.props_check, hot_reload: !!cfg.hot_reload };
        } catch {
          return null;
        }
      })(),
    };
  }, DEVTOOLS);
}

/**
 * Assert the page is clean: after the renderer settles, there were no console
 * errors, page errors, failed/4xx/5xx requests or external requests, the
 * dev-tools menu is present (debug mode is on) and shows no error.
 */
async function assertClean(session, { requireDevTools = true, timeout = TIMEOUT_MS } = {}) {
  const { page, problems } = session;
  let readyError = null;
  try {
    await waitForDashReady(page, { timeout });
  } catch (err) {
    readyError = err;
  }
  // Give a late console error or response a moment to arrive.
  await sleep(150);
  const dev = await readDevTools(page);
  const found = [...problems];
  if (readyError) found.push(readyError.message);
  if (dev.count !== null) found.push(`dev tools show an error count: ${dev.count}`);
  if (dev.indicator) found.push('dev tools show the error indicator');
  for (const t of dev.titles) found.push(`dev-tools error overlay: ${t}`);
  for (const e of dev.storeErrors) found.push(`dash-renderer error state: ${e}`);
  if (!dev.backEndConnected) found.push('dev tools report the server as disconnected');
  if (requireDevTools && !dev.menu) {
    found.push(
      `dev-tools UI (${DEVTOOLS.menu}) is missing: the app must run in debug mode when DASH_DEBUG=1 ` +
        `(_dash-config ui=true); config seen: ${JSON.stringify(dev.debugConfig)}`,
    );
  }
  if (found.length) {
    assert.fail(`${session.app.name || 'app'}: ${found.length} problem(s) seen in the browser:\n  - ${found.join('\n  - ')}`);
  }
}

/** Poll `fn` until it returns without throwing, or rethrow its last error. */
async function eventually(fn, { timeout = TIMEOUT_MS, interval = 50 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    await sleep(interval);
  }
}

/** textContent of the first element matching `selector` (null if none). */
function textOf(page, selector) {
  return page.evaluate((sel) => {
    const el = document.querySelector(sel);
    return el ? el.textContent : null;
  }, selector);
}

/** textContent of every element matching `selector`. */
function textsOf(page, selector) {
  return page.evaluate((sel) => [...document.querySelectorAll(sel)].map((el) => el.textContent), selector);
}

/** Wait until the trimmed text of `selector` equals `expected`. */
async function expectText(page, selector, expected, opts) {
  await eventually(async () => {
    const t = await textOf(page, selector);
    assert.equal(t === null ? null : t.trim(), expected, `text of ${selector}`);
  }, opts);
}

/** Wait until the text of `selector` contains `expected`. */
async function expectTextContains(page, selector, expected, opts) {
  await eventually(async () => {
    const t = await textOf(page, selector);
    assert.ok(t !== null && t.includes(expected), `text of ${selector} should contain ${JSON.stringify(expected)}, is ${JSON.stringify(t)}`);
  }, opts);
}

/** Wait until the trimmed texts of all `selector` matches equal `expected`. */
async function expectTexts(page, selector, expected, opts) {
  await eventually(async () => {
    const ts = (await textsOf(page, selector)).map((t) => t.trim());
    assert.deepEqual(ts, expected, `texts of ${selector}`);
  }, opts);
}

/** Wait until exactly `n` elements match `selector`. */
async function expectCount(page, selector, n, opts) {
  await eventually(async () => {
    const c = await page.evaluate((sel) => document.querySelectorAll(sel).length, selector);
    assert.equal(c, n, `number of ${selector}`);
  }, opts);
}

/** CSS selector for a Dash component with a dict id (keys sorted, as dash-renderer's stringifyId). */
function dictId(obj) {
  const sorted = `{${Object.keys(obj)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${JSON.stringify(obj[k])}`)
    .join(',')}}`;
  return `[id='${sorted.replace(/'/g, "\\'")}']`;
}

/**
 * The usual shape of a per-example test file: one server and one browser for
 * the file, a fresh context (fresh storage) per test, and assertClean() after
 * every test body.
 */
function appFixture(name, opts = {}) {
  const fx = { app: null, browser: null };
  fx.setup = async () => {
    fx.app = await startApp(name, opts);
    fx.browser = await launchBrowser();
  };
  fx.teardown = async () => {
    if (fx.browser) await fx.browser.close().catch(() => {});
    if (fx.app) await fx.app.stop();
  };
  /** Run `body(session)` on a fresh page, then assert the page stayed clean. */
  fx.run = async (body, openOpts = {}) => {
    let session;
    try {
      session = await openApp(fx.browser, fx.app, openOpts);
    } catch (err) {
      err.message += `\n--- server output (${name}) ---\n${fx.app.output().slice(-4000)}`;
      throw err;
    }
    try {
      await body(session);
      await session.assertClean(openOpts);
    } catch (err) {
      if (session.problems.length && !/problem\(s\) seen in the browser/.test(err.message)) {
        err.message += `\n--- problems seen in the browser ---\n  - ${session.problems.join('\n  - ')}`;
      }
      err.message += `\n--- server output (${name}, tail) ---\n${fx.app.output().slice(-4000)}`;
      throw err;
    } finally {
      await session.close().catch(() => {});
    }
  };
  return fx;
}

module.exports = {
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  DEVTOOLS,
  TIMEOUT_MS,
  appBinary,
  appFixture,
  assertClean,
  binDir,
  binDirs,
  dictId,
  eventually,
  expectCount,
  expectText,
  expectTextContains,
  expectTexts,
  freePort,
  isLocalUrl,
  launchBrowser,
  openApp,
  readDevTools,
  sleep,
  startApp,
  textOf,
  textsOf,
  waitForDashReady,
};
