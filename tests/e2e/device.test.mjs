// Browser tests of the device simulator view (`/device`), on the shared harness (harness.mjs:
// the real binary on a free loopback port with a temporary database, Debian's chromium through
// playwright-core, axe, 375 px, keyboard and screenshot checks).
//
// The page runs a compression (or vibrating-plate) program in the simulator on the server and
// draws the streamed frames as bars; the run must move the bars and end vented, also under a
// fault. Screenshots: tests/e2e/screenshots/device.png and device-*.png (gitignored).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as harness from './harness.mjs';
import { shot, assertAccessible, assertKeyboardReachable } from './harness.mjs';

const app = harness.serveForTests('device');

const open = (width) => harness.open(app.browser, width);
const assertNoSidewaysScroll = (url, name, prepare) => harness.assertNoSidewaysScroll(app.browser, url, name, prepare);

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
  await page.goto(`${app.base}/device`);
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
  await page.goto(`${app.base}/device`);
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
  await page.goto(`${app.base}/device`);
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
  const page = await harness.openWith(app.browser, { javaScriptEnabled: false });
  await page.goto(`${app.base}/device`);
  await page.selectOption('#sim-fault', 'leak@2:45s');
  await Promise.all([page.waitForURL(/\/device\/run\?/), page.click('#sim-start')]);
  assert.match(await page.locator('.dev-result').textContent(), /Ended safe: every chamber vented\./);
  assert.equal(await page.locator('.dev-plot svg polyline').count(), 8);
  await shot(page, 'device-run-nojs');
  await page.context().close();
});

test('the device page fits 375 px and is reachable by keyboard', async () => {
  await assertNoSidewaysScroll(`${app.base}/device`, 'device', async (page) => {
    await runToTheEnd(page);
  });
  await assertNoSidewaysScroll(`${app.base}/device/run?plan=demo`, 'device-run');
  const page = await open();
  await page.goto(`${app.base}/device`);
  await assertAccessible(page, 'device page');
  await assertKeyboardReachable(page, 'device page');
  await page.context().close();
});

/**
 * Checks in with these sore muscles and this device, follows the plan's link to the device's
 * program, and checks the simulator shows it, with `bars` bars.
 */
async function programOfPlan(page, sore, device, heading, bars) {
  await page.goto(`${app.base}/`);
  await harness.checkIn(page, sore, [device]);
  const link = page.locator(`.step-${device} a`, { hasText: 'Run in the simulator' });
  await Promise.all([page.waitForURL(/\/device\?plan=\d+&step=\d+$/), link.click()]);
  assert.match(await page.locator('#h-program').textContent(), heading);
  assert.equal(await page.locator('.dev-bar').count(), bars);
}

test('a plan with compression boots links to its program in the simulator', async () => {
  const page = await open();
  const sore = { calves_left: '6', calves_right: '6', quads_left: '6', quads_right: '6' };
  await programOfPlan(page, sore, 'compression_boots', /Compression boots from your plan/, 10);
  await page.context().close();
});

test('a plan with a vibrating plate runs its program: the frequency rises and the motor stops', async () => {
  const page = await open();
  const sore = { quads_left: '6', quads_right: '6' };
  await programOfPlan(page, sore, 'vibration_plate', /Vibrating plate from your plan/, 2);
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
