// The browser tests' shared harness: start the real `afterrun serve` binary on a free loopback
// port with a temporary database, launch Debian's chromium through playwright-core, and the
// measurements every page gets — axe-core (no serious or critical violation), nothing scrolling
// sideways at 375 px, every control reached by Tab with a visible focus, and a screenshot in
// tests/e2e/screenshots/ (gitignored) for a person to look at.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, '../..');
export const bin = process.env.AFTERRUN_BIN || path.join(root, 'target/debug/afterrun');
const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const shots = path.join(here, 'screenshots');

/**
 * Starts `afterrun serve` with `args` on a fresh database; resolves to
 * `{ base, browser, stop }` once the server prints its address.
 */
export async function start(name, args = [], { timeoutMs = 30000 } = {}) {
  mkdirSync(shots, { recursive: true });
  const tmp = mkdtempSync(path.join(tmpdir(), `afterrun-e2e-${name}-`));
  const server = spawn(bin, ['serve', '--addr', '127.0.0.1:0', '--db', path.join(tmp, `${name}.db`), ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, RUST_LOG: 'warn' },
  });
  let log = '';
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`afterrun serve did not start: ${log}`)), timeoutMs);
    server.stderr.on('data', (chunk) => {
      log += chunk;
      // The whole address, up to its closing `/`: stderr may arrive cut anywhere, and a
      // half-read port (`127.0.0.1:4`) would send the tests to another program.
      const m = log.match(/serving on (http:\/\/[^\s/]+)\//);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    server.on('error', (e) => reject(new Error(`cannot start ${bin}: ${e.message}`)));
    server.on('exit', (code) => reject(new Error(`afterrun serve exited with ${code}: ${log}`)));
  });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const stop = async () => {
    await browser.close();
    if (server.exitCode === null) {
      server.removeAllListeners('exit');
      server.kill('SIGINT');
    }
    rmSync(tmp, { recursive: true, force: true });
  };
  // The server's stderr so far, for assertion messages.
  const serverLog = () => log;
  return { base, browser, stop, serverLog };
}

/**
 * The server of one test file: started with `start`'s arguments before the file's tests and
 * stopped after them. Its fields (`base`, `browser`, `stop`, `serverLog`) are set once started.
 */
export function serveForTests(name, args = [], options = {}) {
  const app = {};
  before(async () => {
    Object.assign(app, await start(name, args, options));
  });
  after(async () => {
    await app.stop?.();
  });
  return app;
}

/**
 * A page in a fresh context with these options (1100 × 900 unless they say otherwise);
 * `page.errors` collects its script errors.
 */
export async function openWith(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, ...options });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  return page;
}

/**
 * On the check-in page: rates the soreness (`{ quads_left: '6' }` → `#sore_quads_left`), ticks
 * the equipment, sends the check-in and waits for the plan.
 */
export async function checkIn(page, sore, equipment = []) {
  for (const [where, rating] of Object.entries(sore)) await page.selectOption(`#sore_${where}`, rating);
  for (const eq of equipment) await page.check(`input[name="eq"][value="${eq}"]`);
  await page.click('button[type="submit"]');
  await page.waitForSelector('.verdict');
}

/** A page in a fresh context; axe is injected later, so the page's CSP is bypassed for it. */
export async function open(browser, width = 1100) {
  const page = await openWith(browser, { viewport: { width, height: 900 }, bypassCSP: true, reducedMotion: 'reduce' });
  page.on('console', (m) => { if (m.type() === 'error') page.errors.push(m.text()); });
  return page;
}

export async function shot(page, name) {
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

/** axe-core's serious and critical violations on the page. */
export async function axeViolations(page) {
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

export async function assertAccessible(page, name) {
  const bad = await axeViolations(page);
  assert.deepEqual(bad, [], `${name}: axe serious/critical violations:\n${JSON.stringify(bad, null, 2)}`);
}

/** Loads `url` at 375 px wide and checks nothing scrolls sideways. */
export async function assertNoSidewaysScroll(browser, url, name, prepare) {
  const page = await open(browser, 375);
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
export async function assertKeyboardReachable(page, name) {
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
