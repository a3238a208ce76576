// Browser test of the status page on the demo athlete (`afterrun serve --demo`: 90 days of
// synthetic runs imported through the real decoder, a check-in after each, plans with steps
// done): the fitness chart, the ACWR gauge, the soreness forecast on the body map and the
// "what works for you" panel (issue 8). Screenshots: status.png, status-375.png.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  serveForTests, open, shot, shots, assertAccessible, assertNoSidewaysScroll, assertKeyboardReachable,
} from './harness.mjs';

// Seeding 90 days through the real import and planner takes a while in a debug build.
const app = serveForTests('status', ['--demo'], { timeoutMs: 180000 });

test('serve --demo says what it is doing before it serves', async () => {
  const log = app.serverLog();
  const said = log.indexOf('--demo: importing and planning 90 days');
  assert.ok(said >= 0, log);
  assert.ok(said < log.indexOf('serving on'), 'said before serving');
});

test('the demo athlete sees a living status page with what works for them', async () => {
  const page = await open(app.browser);
  const res = await page.goto(`${app.base}/status`);
  assert.equal(res.status(), 200, `GET /status: ${await res.text()}\nserver log:\n${app.serverLog()}`);
  await page.waitForSelector('h1');
  assert.equal(await page.textContent('h1'), 'Your training status');
  // Fitness, fatigue and form as numbers, a chart with three lines over daily loads.
  const fitness = Number(await page.textContent('dd.fitness'));
  assert.ok(fitness > 20, `a marathon block builds fitness: ${fitness}`);
  assert.equal(await page.locator('svg.chart polyline').count(), 3);
  assert.ok(await page.locator('svg.chart rect.load').count() > 40, 'a bar per run day');
  // The ACWR gauge, with its value in words for screen readers.
  const gauge = await page.getAttribute('svg.gauge', 'aria-label');
  assert.match(gauge, /^Acute to chronic workload ratio \d\.\d\d on a scale from 0 to 2$/);
  // The forecast: both legs, front and back, and the table of the eight groups.
  assert.equal(await page.locator('.bodymap path.region').count(), 16);
  assert.equal(await page.locator('table.forecast tbody tr').count(), 8);
  // What works for you: the learner found the demo's invented truth, said as association.
  const panel = page.locator('section.what-works');
  const first = await panel.locator('li').first().textContent();
  assert.match(first, /^For you, foam rolling has been followed by \d\.\d points less soreness than expected, over \d+ sessions\.$/);
  assert.match(await panel.textContent(), /An association, not proof/);
  await assertAccessible(page, 'status');
  await shot(page, 'status');
  await panel.screenshot({ path: path.join(shots, 'what-works.png') });
  await assertKeyboardReachable(page, 'status');
  assert.deepEqual(page.errors, []);
  await page.context().close();
  await assertNoSidewaysScroll(app.browser, `${app.base}/status`, 'status');
  // On a phone the forecast shows every column, with no hidden scroll box.
  const phone = await open(app.browser, 375);
  await phone.goto(`${app.base}/status`);
  const [tableWidth, boxWidth] = await phone.evaluate(() => {
    const t = document.querySelector('table.forecast');
    return [t.scrollWidth, t.parentElement.clientWidth];
  });
  assert.ok(tableWidth <= boxWidth, `the table is ${tableWidth} px in ${boxWidth} px`);
  await phone.locator('table.forecast').screenshot({ path: path.join(shots, 'forecast-375.png') });
  await phone.context().close();
});

test('the status JSON of the page is the CLI contract', async () => {
  const res = await fetch(`${app.base}/api/athletes/me/status`);
  assert.equal(res.status, 200, `${await res.clone().text()}\nserver log:\n${app.serverLog()}`);
  const doc = await res.json();
  for (const key of ['as_of', 'fitness', 'fatigue', 'form', 'acwr', 'acwr_band', 'monotony', 'weekly_km', 'daily', 'muscles', 'what_works']) {
    assert.ok(key in doc, `status has ${key}`);
  }
  assert.equal(doc.muscles.length, 8);
  assert.ok(doc.daily.length >= 88);
});
