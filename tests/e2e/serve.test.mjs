// Browser tests of `afterrun serve`: the real binary on a free loopback port with a temporary
// database, driven in Debian's chromium by playwright-core. Run by `node --test tests/e2e/`
// after `cargo build -p afterrun` (binary: $AFTERRUN_BIN, else target/debug/afterrun).
//
// Measured on every page: axe-core finds no serious or critical violation, nothing scrolls
// sideways at 375 px, and every visible control is reached by Tab with a visible focus ring.
// Screenshots of each page go to tests/e2e/screenshots/ (gitignored) for a person to look at.

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
const corpusFit = path.resolve(root, '../shared/corpus/fit/pyfitparse__garmin-fenix-5-run.fit');

let server;
let base;
let browser;
let tmp;

before(async () => {
  mkdirSync(shots, { recursive: true });
  tmp = mkdtempSync(path.join(tmpdir(), 'afterrun-e2e-'));
  server = spawn(bin, ['serve', '--addr', '127.0.0.1:0', '--db', path.join(tmp, 'e2e.db')], {
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

async function submitAndWaitForPlan(page) {
  await page.click('button[type="submit"]');
  await page.waitForSelector('.verdict');
}

async function modalities(page) {
  return page.$$eval('.timeline .step', (steps) => steps.map((s) => s.dataset.modality));
}

test('a new user sets a profile, uploads a FIT file, checks in with sore quads, gets a plan starting with a walk and marks it done', async () => {
  const page = await open();
  // A new user sets a profile first.
  await page.goto(`${base}/profile`);
  assert.equal(await page.title(), 'Profile · afterrun');
  for (const eq of ['foam_roller', 'massage_gun']) {
    await page.check(`input[name="eq"][value="${eq}"]`);
  }
  await page.fill('#weekly_km', '45');
  await page.selectOption('#goal', 'half_marathon');
  await Promise.all([page.waitForURL(/\/profile\?saved=1$/), page.click('button[type="submit"]')]);
  assert.ok(await page.locator('.notice').isVisible());
  assert.ok(await page.isChecked('input[name="eq"][value="massage_gun"]'));
  await shot(page, 'profile');
  await assertAccessible(page, 'profile page');
  await assertKeyboardReachable(page, 'profile page');

  // Then imports a run from the watch: the file goes up with its own progress and result row.
  await page.goto(`${base}/import`);
  assert.equal(await page.title(), 'Import · afterrun');
  assert.ok(await page.locator('#dropzone').isVisible(), 'the drop zone is shown with JS on');
  await page.setInputFiles('#files', corpusFit);
  const row = page.locator('.upload', { hasText: path.basename(corpusFit) });
  await row.locator('.result[data-state="new"]').waitFor();
  assert.match(await row.locator('.result-detail').textContent(), /^Running · .* · 0\.2 km · 0:57$/);
  assert.match(await page.locator('#summary-line').textContent(), /^1 file: 1 new, 0 already imported, 0 skipped, 0 failed\.$/);
  await page.waitForFunction(() => /1 new/.test(document.getElementById('import-live').textContent));
  // Several at once: the same run again (recognised, not stored twice), a settings file (not
  // an activity) and a GPX cut off in its XML (failed, with the reason in words).
  const gpx = readFileSync(path.resolve(root, '../shared/corpus/gpx/gpxpy__cerknicko-jezero.gpx'));
  const settings = path.resolve(root, '../shared/corpus/fit/gofit-fitsdk__Settings.fit');
  await page.setInputFiles('#files', [
    { name: path.basename(corpusFit), mimeType: 'application/octet-stream', buffer: readFileSync(corpusFit) },
    { name: path.basename(settings), mimeType: 'application/octet-stream', buffer: readFileSync(settings) },
    { name: 'broken.gpx', mimeType: 'application/gpx+xml', buffer: gpx.subarray(0, 200) },
  ]);
  await page.waitForFunction(() => document.querySelectorAll('.upload[data-state="done"]').length === 4);
  assert.equal(await page.locator('.upload').nth(1).locator('.result').getAttribute('data-state'), 'duplicate');
  assert.equal(await page.locator('.upload', { hasText: 'Settings.fit' }).locator('.result').getAttribute('data-state'), 'skipped');
  const broken = page.locator('.upload', { hasText: 'broken.gpx' }).locator('.result');
  assert.equal(await broken.getAttribute('data-state'), 'failed');
  assert.match(await broken.textContent(), /not readable XML/);
  assert.equal(await page.locator('#summary-line').textContent(), '4 files: 1 new, 1 already imported, 1 skipped, 1 failed.');
  await shot(page, 'import');
  await assertAccessible(page, 'import page');
  await assertKeyboardReachable(page, 'import page');

  await page.goto(`${base}/`);
  assert.equal(await page.title(), 'Check in · afterrun');
  // The check-in starts from the profile.
  assert.ok(await page.isChecked('input[name="eq"][value="massage_gun"]'));
  await shot(page, 'checkin');
  await assertAccessible(page, 'check-in page');

  // The body map leads to the rating of the region clicked.
  await page.click('path[data-input="sore_quads_left"]');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'sore_quads_left');
  await page.keyboard.press('Escape');
  await page.selectOption('#sore_quads_left', '6');
  await page.selectOption('#sore_quads_right', '6');
  assert.match(await page.getAttribute('path[data-input="sore_quads_left"]', 'class'), /\blv6\b/);
  await shot(page, 'checkin-filled');

  await submitAndWaitForPlan(page);
  assert.equal(await page.title(), 'Your plan · afterrun');
  assert.equal(await page.getAttribute('.verdict', 'data-level'), 'self_care');
  const steps = await modalities(page);
  assert.equal(steps[0], 'walk', `steps: ${steps}`);
  assert.ok(steps.includes('foam_rolling'), `steps: ${steps}`);

  // The plan is stored: it has its own address, and "done" is kept in the database.
  assert.match(page.url(), /\/plans\/\d+$/);
  await Promise.all([
    page.waitForURL(/\/plans\/\d+#step-0$/),
    page.locator('#step-0 button.done').click(),
  ]);
  await page.reload();
  await page.waitForSelector('#step-0.is-done');
  assert.equal((await page.locator('#step-0 .done-mark').textContent()).trim(), 'Done ✓');
  assert.equal(await page.locator('#step-1 .done-mark').count(), 0);
  await shot(page, 'plan');
  await page.goto(`${base}/plans`);
  assert.match(await page.locator('.plan-item').first().textContent(), /1 of \d+ steps done/);
  await shot(page, 'plans');
  await assertAccessible(page, 'plans page');
  await page.goBack();
  await assertAccessible(page, 'plan page');
  await assertKeyboardReachable(page, 'plan page');
  assert.deepEqual(page.errors, [], 'no script errors');
  await page.context().close();
});

test('a swollen, warm calf shows the urgent-care verdict and no recovery steps', async () => {
  const page = await open();
  await page.goto(`${base}/`);
  await page.selectOption('#sore_calves_left', '6');
  await page.check('#sym_swelling');
  await page.selectOption('select[name="where_swelling"]', 'calf_left');
  await page.selectOption('select[name="trend_swelling"]', 'worsening');
  await page.check('#sym_warmth');
  await page.selectOption('select[name="where_warmth"]', 'calf_left');
  for (const eq of ['massage_gun', 'compression_boots']) {
    await page.check(`input[name="eq"][value="${eq}"]`);
  }
  await submitAndWaitForPlan(page);
  const verdict = page.locator('.verdict');
  assert.equal(await verdict.getAttribute('data-level'), 'urgent_care');
  assert.equal(await verdict.getAttribute('role'), 'alert');
  assert.ok(await verdict.isVisible());
  // Unmissable: the verdict fills the top of the screen in a colour of its own.
  const box = await verdict.boundingBox();
  assert.ok(box.y < 200 && box.height > 120, `verdict box ${JSON.stringify(box)}`);
  const steps = await modalities(page);
  assert.equal(steps[0], 'seek_urgent_care', `steps: ${steps}`);
  for (const m of steps) {
    assert.ok(['seek_urgent_care', 'call_emergency', 'rest'].includes(m), `a recovery step at a red flag: ${steps}`);
  }
  await shot(page, 'plan-urgent');
  await assertAccessible(page, 'urgent plan page');
  assert.deepEqual(page.errors, [], 'no script errors');
  await page.context().close();
});

test('without JavaScript the import form uploads the files and answers with the results', async () => {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, javaScriptEnabled: false, bypassCSP: true });
  const page = await context.newPage();
  await page.goto(`${base}/import`);
  assert.ok(await page.locator('#dropzone').isHidden(), 'no drop zone without JS');
  const walk = path.resolve(root, '../shared/corpus/gpx/gpxpy__cerknicko-jezero-without-elevations.gpx');
  await page.setInputFiles('#files', [corpusFit, walk]);
  await Promise.all([page.waitForURL(/\/import$/), page.click('#import-submit button[type="submit"]')]);
  await page.waitForSelector('#import-summary:not([hidden])');
  assert.equal(await page.locator('.upload').count(), 2);
  assert.match(await page.locator('#summary-line').textContent(), /^2 files: \d new, \d already imported, 0 skipped, 0 failed\.$/);
  await shot(page, 'import-nojs');
  await context.close();
});

test('guide pages are readable and accessible', async () => {
  const page = await open();
  await page.goto(`${base}/guide`);
  await shot(page, 'guide');
  await assertAccessible(page, 'guide list');
  const first = page.locator('.topics a').first();
  await first.click();
  await page.waitForSelector('article h1');
  await shot(page, 'guide-topic');
  await assertAccessible(page, 'guide topic');
  await assertKeyboardReachable(page, 'guide topic');
  await page.context().close();
});

test('the check-in page is reachable by keyboard with a visible focus everywhere', async () => {
  const page = await open();
  await page.goto(`${base}/`);
  await page.check('#sym_swelling');
  await assertKeyboardReachable(page, 'check-in page');
  await page.context().close();
});

test('no page scrolls sideways at 375 px', async () => {
  await assertNoSidewaysScroll(`${base}/`, 'checkin', async (page) => {
    await page.check('#sym_swelling');
    await page.locator('details.more').evaluateAll((ds) => ds.forEach((d) => { d.open = true; }));
  });
  await assertNoSidewaysScroll(`${base}/`, 'plan', async (page) => {
    await page.selectOption('#sore_quads_left', '6');
    await page.selectOption('#sore_quads_right', '6');
    await submitAndWaitForPlan(page);
    await page.locator('details').evaluateAll((ds) => ds.forEach((d) => { d.open = true; }));
  });
  await assertNoSidewaysScroll(`${base}/`, 'plan-urgent', async (page) => {
    await page.check('#sym_swelling');
    await page.selectOption('select[name="where_swelling"]', 'calf_left');
    await page.check('#sym_warmth');
    await page.selectOption('select[name="where_warmth"]', 'calf_left');
    await submitAndWaitForPlan(page);
  });
  await assertNoSidewaysScroll(`${base}/profile`, 'profile');
  await assertNoSidewaysScroll(`${base}/import`, 'import', async (page) => {
    await page.setInputFiles('#files', corpusFit);
    await page.locator('.result').first().waitFor();
  });
  await assertNoSidewaysScroll(`${base}/plans`, 'plans');
  await assertNoSidewaysScroll(`${base}/guide`, 'guide');
  await assertNoSidewaysScroll(`${base}/guide/doms`, 'guide-topic');
});

test('the JSON API answers the browser-less client with the same plan', async () => {
  const checkin = JSON.parse(readFileSync(path.join(root, '../shared/vignettes/doms-classic.json'), 'utf8')).checkin;
  const res = await fetch(`${base}/api/plan`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: base },
    body: JSON.stringify(checkin),
  });
  assert.equal(res.status, 200);
  const plan = await res.json();
  assert.equal(plan.steps[0].modality, 'walk');
  const refused = await fetch(`${base}/api/plan`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: 'http://evil.example' },
    body: JSON.stringify(checkin),
  });
  assert.equal(refused.status, 403);
  assert.equal(refused.headers.get('content-type'), 'application/problem+json');
});
