// Browser tests of `afterrun serve`: the real binary on a free loopback port with a temporary
// database, driven in Debian's chromium by playwright-core. Run by `node --test tests/e2e/`
// after `cargo build -p afterrun` (binary: $AFTERRUN_BIN, else target/debug/afterrun).
//
// Measured on every page: axe-core finds no serious or critical violation, nothing scrolls
// sideways at 375 px, and every visible control is reached by Tab with a visible focus ring.
// Screenshots of each page go to tests/e2e/screenshots/ (gitignored) for a person to look at.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as harness from './harness.mjs';
import { shot, assertAccessible, assertKeyboardReachable } from './harness.mjs';

const root = harness.root;
const corpusFit = path.resolve(root, '../shared/corpus/fit/pyfitparse__garmin-fenix-5-run.fit');

const app = harness.serveForTests('serve');

const open = (width) => harness.open(app.browser, width);
const assertNoSidewaysScroll = (url, name, prepare) => harness.assertNoSidewaysScroll(app.browser, url, name, prepare);

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
  await page.goto(`${app.base}/profile`);
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
  await page.goto(`${app.base}/import`);
  assert.equal(await page.title(), 'Import · afterrun');
  assert.ok(await page.locator('#dropzone').isVisible(), 'the drop zone is shown with JS on');
  await page.setInputFiles('#files', corpusFit);
  const row = page.locator('.upload', { hasText: path.basename(corpusFit) });
  await row.locator('.result[data-state="new"]').waitFor();
  assert.match(await row.locator('.result-detail').textContent(), /^Running · .* · 0\.2 km · 0:57 · read with 1 warning: shorter than a minute or 100 m: kept, check that the file is complete$/);
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

  await page.goto(`${app.base}/`);
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
  // Marked done in place (the step is swapped in, no page load), and kept in the database.
  await page.locator('#step-0 button.done').click();
  await page.locator('#step-0 .done-mark').waitFor();
  await page.reload();
  await page.waitForSelector('#step-0.is-done');
  assert.equal((await page.locator('#step-0 .done-mark').textContent()).trim(), 'Done ✓');
  assert.equal(await page.locator('#step-1 .done-mark').count(), 0);
  await shot(page, 'plan');
  await page.goto(`${app.base}/plans`);
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
  await page.goto(`${app.base}/`);
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

test('without JavaScript a ticked symptom is asked where before the plan', async () => {
  const page = await harness.openWith(app.browser, { javaScriptEnabled: false, bypassCSP: true });
  await page.goto(`${app.base}/`);
  assert.equal(await page.locator('select[name="where_swelling"]').count(), 0, 'no questions before a tick');
  await page.check('#sym_swelling');
  await Promise.all([page.waitForLoadState('load'), page.click('button[type="submit"]')]);
  await page.waitForSelector('#details-step');
  assert.equal(await page.locator('.verdict').count(), 0, 'no plan yet');
  assert.ok(await page.isChecked('#sym_swelling'), 'the tick is kept');
  await page.selectOption('select[name="where_swelling"]', 'calf_left');
  await page.selectOption('select[name="trend_swelling"]', 'worsening');
  await page.click('button[type="submit"]');
  await page.waitForSelector('.verdict');
  assert.equal(await page.locator('.verdict').getAttribute('data-level'), 'urgent_care');
  await shot(page, 'checkin-details-nojs');
  await page.context().close();
});

test('without JavaScript the import form uploads the files and answers with the results', async () => {
  const page = await harness.openWith(app.browser, { javaScriptEnabled: false, bypassCSP: true });
  await page.goto(`${app.base}/import`);
  assert.ok(await page.locator('#dropzone').isHidden(), 'no drop zone without JS');
  const walk = path.resolve(root, '../shared/corpus/gpx/gpxpy__cerknicko-jezero-without-elevations.gpx');
  await page.setInputFiles('#files', [corpusFit, walk]);
  await Promise.all([page.waitForURL(/\/import$/), page.click('#import-submit button[type="submit"]')]);
  await page.waitForSelector('#import-summary:not([hidden])');
  assert.equal(await page.locator('.upload').count(), 2);
  assert.match(await page.locator('#summary-line').textContent(), /^2 files: \d new, \d already imported, 0 skipped, 0 failed\.$/);
  await shot(page, 'import-nojs');
  await page.context().close();
});

test('guide pages are readable and accessible', async () => {
  const page = await open();
  await page.goto(`${app.base}/guide`);
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
  await page.goto(`${app.base}/`);
  await page.check('#sym_swelling');
  await assertKeyboardReachable(page, 'check-in page');
  await page.context().close();
});

test('no page scrolls sideways at 375 px', async () => {
  await assertNoSidewaysScroll(`${app.base}/`, 'checkin', async (page) => {
    await page.check('#sym_swelling');
    await page.locator('details.more').evaluateAll((ds) => ds.forEach((d) => { d.open = true; }));
  });
  await assertNoSidewaysScroll(`${app.base}/`, 'plan', async (page) => {
    await page.selectOption('#sore_quads_left', '6');
    await page.selectOption('#sore_quads_right', '6');
    await submitAndWaitForPlan(page);
    await page.locator('details').evaluateAll((ds) => ds.forEach((d) => { d.open = true; }));
  });
  await assertNoSidewaysScroll(`${app.base}/`, 'plan-urgent', async (page) => {
    await page.check('#sym_swelling');
    await page.selectOption('select[name="where_swelling"]', 'calf_left');
    await page.check('#sym_warmth');
    await page.selectOption('select[name="where_warmth"]', 'calf_left');
    await submitAndWaitForPlan(page);
  });
  await assertNoSidewaysScroll(`${app.base}/profile`, 'profile');
  await assertNoSidewaysScroll(`${app.base}/import`, 'import', async (page) => {
    await page.setInputFiles('#files', corpusFit);
    await page.locator('.result').first().waitFor();
  });
  await assertNoSidewaysScroll(`${app.base}/plans`, 'plans');
  await assertNoSidewaysScroll(`${app.base}/guide`, 'guide');
  await assertNoSidewaysScroll(`${app.base}/guide/doms`, 'guide-topic');
});

test('the JSON API answers the browser-less client with the same plan', async () => {
  const checkin = JSON.parse(readFileSync(path.join(root, '../shared/vignettes/doms-classic.json'), 'utf8')).checkin;
  const res = await fetch(`${app.base}/api/plan`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: app.base },
    body: JSON.stringify(checkin),
  });
  assert.equal(res.status, 200);
  const plan = await res.json();
  assert.equal(plan.steps[0].modality, 'walk');
  const refused = await fetch(`${app.base}/api/plan`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: 'http://evil.example' },
    body: JSON.stringify(checkin),
  });
  assert.equal(refused.status, 403);
  assert.equal(refused.headers.get('content-type'), 'application/problem+json');
});
