// Browser tests of the device simulator view (`/device`): the real binary on a free loopback port
// with a temporary database, driven in Debian's chromium by playwright-core, like serve.test.mjs
// (whose start-up, axe, 375 px and keyboard helpers are repeated here).
//
// The page runs a compression program in the simulator on the server and draws the streamed
// frames as per-chamber bars; the run must move the bars and end vented, also under a fault.
// Screenshot: tests/e2e/screenshots/device.png (gitignored) for a person to look at.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const bin = process.env.AFTERRUN_BIN || path.join(root, 'target/debug/afterrun');
const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const shots = path.join(here, 'screenshots');

let server;
let base;
let browser;
let tmp;

before(async () => {
  mkdirSync(shots, { recursive: true });
  tmp = mkdtempSync(path.join(tmpdir(), 'afterrun-e2e-device-'));
  server = spawn(bin, ['serve', '--addr', '127.0.0.1:0', '--db', path.join(tmp, 'device.db')], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, RUST_LOG: 'warn' },
  });
  base = await new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`afterrun serve did not start: ${log}`)), 30000);
    server.stderr.on('data', (chunk) => {
      log += chunk;
      const m = log.match(/serving on (http:\/\/[^\s/]+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    server.on('error', (e) => reject(new Error(`cannot start ${bin}: ${e.message}`)));
    server.on('exit', (code) => reject(new Error(`afterrun serve exited with ${code}: ${log}`)));
  });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    server.removeAllListeners('exit');
    server.kill('SIGINT');
  }
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** A page in a fresh context; axe is injected later, so the page's CSP is bypassed for it. */
async function open(width = 1100) {
  const context = await browser.newContext({
    viewport: { width, height: 900 },
    bypassCSP: true,
    reducedMotion: 'reduce',
  });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.errors = errors;
  return page;
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

/** axe-core's serious and critical violations on the page. */
async function axeViolations(page) {
  await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

async function assertAccessible(page, name) {
  const bad = await axeViolations(page);
  assert.deepEqual(bad, [], `${name}: axe serious/critical violations:\n${JSON.stringify(bad, null, 2)}`);
}

/** Loads `url` at 375 px wide and checks nothing scrolls sideways. */
async function assertNoSidewaysScroll(url, name, prepare) {
  const page = await open(375);
  await page.goto(url);
  if (prepare) await prepare(page);
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  assert.ok(scroll <= client, `${name}: page is ${scroll}px wide in a ${client}px window`);
  await shot(page, `${name}-375`);
  await page.context().close();
}

/**
 * Tabs through the page: every visible control must be reached, each with a visible focus
 * indicator (an outline of at least 2 px, or a box shadow).
 */
async function assertKeyboardReachable(page, name) {
  await page.evaluate(() => {
    const selector = 'a[href], button, select, input:not([type="hidden"]), textarea, summary, [tabindex]:not([tabindex="-1"])';
    let n = 0;
    for (const el of document.querySelectorAll(selector)) {
      const style = getComputedStyle(el);
      const visible = (el.checkVisibility ? el.checkVisibility({ visibilityProperty: true }) : el.getClientRects().length > 0) && style.visibility !== 'hidden' && !el.closest('[hidden]') && !el.disabled;
      if (visible) el.dataset.e2eControl = String(n++);
    }
    window.__e2eCount = n;
    document.activeElement?.blur();
    window.scrollTo(0, 0);
  });
  const total = await page.evaluate(() => window.__e2eCount);
  const reached = new Set();
  const unfocused = [];
  for (let i = 0; i < total + 20 && reached.size < total; i++) {
    await page.keyboard.press('Tab');
    const info = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      const style = getComputedStyle(el);
      const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
      const shadow = style.boxShadow && style.boxShadow !== 'none';
      return { id: el.dataset.e2eControl ?? null, visible: outline || shadow, desc: el.outerHTML.slice(0, 80) };
    });
    if (!info || info.id === null) continue;
    reached.add(info.id);
    if (!info.visible) unfocused.push(info.desc);
  }
  const missing = await page.evaluate((got) => {
    return [...document.querySelectorAll('[data-e2e-control]')]
      .filter((el) => !got.includes(el.dataset.e2eControl))
      .map((el) => el.outerHTML.slice(0, 80));
  }, [...reached]);
  assert.deepEqual(missing, [], `${name}: controls not reached by Tab`);
  assert.deepEqual(unfocused, [], `${name}: controls without a visible focus`);
  assert.ok(total > 0, `${name}: no controls found`);
}

/** Records, in the page, the highest value any chamber shows while the run goes on. */
async function watchBars(page) {
  await page.evaluate(() => {
    window.__highest = 0;
    const outputs = document.querySelectorAll('.dev-bar output');
    const observer = new MutationObserver(() => {
      for (const o of outputs) window.__highest = Math.max(window.__highest, Number(o.textContent) || 0);
    });
    for (const o of outputs) observer.observe(o, { childList: true, characterData: true, subtree: true });
  });
}

async function runToTheEnd(page, { speed = 'max', fault = '' } = {}) {
  await page.selectOption('#sim-speed', speed);
  await page.selectOption('#sim-fault', fault);
  await watchBars(page);
  await page.click('#sim-start');
  await page.waitForSelector('#sim-summary:not([hidden])', { timeout: 60000 });
}

async function chamberValues(page) {
  return page.$$eval('.dev-bar output', (os) => os.map((o) => Number(o.textContent)));
}

test('the demo program runs in the simulator: the bars move and the session ends vented', async () => {
  const page = await open();
  await page.goto(`${base}/device`);
  assert.equal(await page.title(), 'Device simulator · afterrun');
  assert.match(await page.locator('.dev-note').textContent(), /demo program/);
  assert.match(await page.locator('.dev-words').first().textContent(), /Level 3 of 7: 50 mmHg/);
  // The live panel waits for the run; JS shows it.
  assert.equal(await page.locator('#sim-live').isVisible(), false);
  await runToTheEnd(page);
  assert.ok(await page.locator('#sim-live').isVisible());
  const highest = await page.evaluate(() => window.__highest);
  assert.ok(highest >= 30, `a chamber filled while running: highest shown ${highest} mmHg`);
  const values = await chamberValues(page);
  assert.equal(values.length, 8, 'four chambers on each leg');
  assert.ok(values.every((v) => v < 5), `vented at the end: ${values}`);
  assert.equal((await page.locator('#sim-state').textContent()).trim(), 'Session ended: every chamber vented.');
  assert.match(await page.locator('#sim-summary').textContent(), /^Ended safe: every chamber vented\./);
  assert.equal((await page.locator('#sim-pump').textContent()).trim(), 'off');
  assert.equal((await page.locator('#sim-left').textContent()).trim(), '0:00');
  assert.equal((await page.locator('#sim-start').textContent()).trim(), 'Run again');
  // The phase is told to screen readers, politely.
  assert.match(await page.locator('#sim-announce').textContent(), /Ended safe/);
  await assertAccessible(page, 'device page after a run');
  await assertKeyboardReachable(page, 'device page after a run');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('an injected fault vents every chamber and the run ends safe', async () => {
  const page = await open();
  await page.goto(`${base}/device`);
  await runToTheEnd(page, { fault: 'pump_stuck_on:45s' });
  assert.match(await page.locator('#sim-state').textContent(), /^Fault: a pump fault\./);
  const summary = await page.locator('#sim-summary').textContent();
  assert.match(summary, /^Ended safe: every chamber vented\./);
  assert.match(summary, /The controller detected a pump fault at 0:4\d/);
  assert.ok((await chamberValues(page)).every((v) => v < 5));
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a live run looks like a product and can be stopped', async () => {
  const page = await open();
  await page.goto(`${base}/device`);
  await page.selectOption('#sim-speed', '10');
  await page.click('#sim-start');
  // Wait for the whole leg held at target (a few seconds of the first cycle at 10x).
  await page.waitForFunction(() => {
    const vals = [...document.querySelectorAll('.dev-bar output')].map((o) => Number(o.textContent));
    return vals.length > 0 && vals.filter((v) => v >= 45).length >= 6;
  }, null, { timeout: 30000 });
  await shot(page, 'device');
  assert.ok(await page.locator('#sim-stop').isVisible());
  await assertAccessible(page, 'device page while running');
  await page.click('#sim-stop');
  assert.equal(await page.locator('#sim-stop').isVisible(), false);
  assert.match(await page.locator('#sim-state').textContent(), /^Stopped/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'sim-start');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('without JavaScript the whole run is drawn by the server', async () => {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${base}/device`);
  await page.selectOption('#sim-fault', 'leak@2:45s');
  await Promise.all([page.waitForURL(/\/device\/run\?/), page.click('#sim-start')]);
  assert.match(await page.locator('.dev-result').textContent(), /Ended safe: every chamber vented\./);
  assert.equal(await page.locator('.dev-plot svg polyline').count(), 8);
  await shot(page, 'device-run-nojs');
  await context.close();
});

test('the device page fits 375 px and is reachable by keyboard', async () => {
  await assertNoSidewaysScroll(`${base}/device`, 'device', async (page) => {
    await runToTheEnd(page);
  });
  await assertNoSidewaysScroll(`${base}/device/run?plan=demo`, 'device-run');
  const page = await open();
  await page.goto(`${base}/device`);
  await assertAccessible(page, 'device page');
  await assertKeyboardReachable(page, 'device page');
  await page.context().close();
});

test('a plan with compression boots links to its program in the simulator', async () => {
  const page = await open();
  await page.goto(`${base}/`);
  await page.selectOption('#sore_calves_left', '6');
  await page.selectOption('#sore_calves_right', '6');
  await page.selectOption('#sore_quads_left', '6');
  await page.selectOption('#sore_quads_right', '6');
  await page.check('input[name="eq"][value="compression_boots"]');
  await page.click('button[type="submit"]');
  await page.waitForSelector('.verdict');
  const link = page.locator('.step-compression_boots a', { hasText: 'Run in the simulator' });
  await Promise.all([page.waitForURL(/\/device\?plan=\d+&step=\d+$/), link.click()]);
  assert.match(await page.locator('#h-program').textContent(), /Compression boots from your plan/);
  assert.equal(await page.locator('.dev-bar').count(), 10);
  await page.context().close();
});

test('a plan with a vibrating plate runs its program: the frequency rises and the motor stops', async () => {
  const page = await open();
  await page.goto(`${base}/`);
  await page.selectOption('#sore_quads_left', '6');
  await page.selectOption('#sore_quads_right', '6');
  await page.check('input[name="eq"][value="vibration_plate"]');
  await page.click('button[type="submit"]');
  await page.waitForSelector('.verdict');
  const link = page.locator('.step-vibration_plate a', { hasText: 'Run in the simulator' });
  await Promise.all([page.waitForURL(/\/device\?plan=\d+&step=\d+$/), link.click()]);
  assert.match(await page.locator('#h-program').textContent(), /Vibrating plate from your plan/);
  assert.equal(await page.locator('.dev-bar').count(), 2);
  await page.selectOption('#sim-speed', '10');
  await page.click('#sim-start');
  await page.waitForFunction(() => Number(document.querySelector('#sim-v-0').textContent) > 20, null, { timeout: 30000 });
  assert.match(await page.locator('#sim-state').textContent(), /^Segment 1 of \d+ \(standing\)/);
  await shot(page, 'device-plate');
  await assertAccessible(page, 'device page, plate running');
  await page.click('#sim-stop');
  await runToTheEnd(page);
  assert.ok(await page.evaluate(() => window.__highest) > 20);
  assert.match(await page.locator('#sim-summary').textContent(), /^Ended safe: the motor stopped\./);
  assert.equal((await page.locator('#sim-state').textContent()).trim(), 'Session ended: the motor has stopped.');
  assert.equal(Number(await page.locator('#sim-v-0').textContent()), 0);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
