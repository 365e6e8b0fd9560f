'use strict';
// The demo in a real browser: `cargo build --example demo`, then
// `DEMO_BIN=target/debug/examples/demo node --test tests/e2e/`
// (npm install playwright-core; Chromium at CHROMIUM_PATH, default /usr/bin/chromium).
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const net = require('node:net');
const { after, before, test } = require('node:test');
const { chromium } = require('playwright-core');

const BIN = process.env.DEMO_BIN || 'target/debug/examples/demo';
let server;
let browser;
let url;

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

before(async () => {
  const port = await freePort();
  url = `http://127.0.0.1:${port}/`;
  server = spawn(BIN, [], { env: { ...process.env, HOST: '127.0.0.1', PORT: String(port) }, stdio: 'inherit' });
  for (let i = 0; i < 200; i += 1) {
    const up = await fetch(url).then((r) => r.ok, () => false);
    if (up) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.kill();
});

const part = (aio, sub) => `[id='{"aio_id":"${aio}","component":"CounterAio","subcomponent":"${sub}"}']`;

test('each counter counts its own presses', async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(url);
  await page.locator(part('likes', 'button')).click();
  await page.locator(part('likes', 'button')).click();
  await page.locator(part('stars', 'button')).click();
  const text = (aio) => page.locator(part(aio, 'display')).textContent();
  for (let i = 0; i < 100 && ((await text('likes')) !== '2' || (await text('stars')) !== '5'); i += 1) {
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(await text('likes'), '2');
  assert.equal(await text('stars'), '5');
  assert.deepEqual(errors, []);
  await page.close();
});
