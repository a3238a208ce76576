// Browser tests of the installable web app (issue 17, point 2): the manifest and its icons,
// the service worker in control, and the last plan opening without a network.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as harness from './harness.mjs';

const app = harness.serveForTests('app');

/** The width and height a PNG's header gives. */
function pngSize(bytes) {
  const b = Buffer.from(bytes);
  assert.equal(b.subarray(1, 4).toString(), 'PNG');
  return [b.readUInt32BE(16), b.readUInt32BE(20)];
}

test('the app is installable: a manifest with icons, a service worker in control', async () => {
  const page = await harness.open(app.browser, 400);
  await page.goto(`${app.base}/`);
  const href = await page.getAttribute('link[rel="manifest"]', 'href');
  const manifest = await (await fetch(new URL(href, app.base))).json();
  // Chromium's installability conditions, checked one by one.
  assert.ok(manifest.name && manifest.short_name);
  assert.equal(manifest.start_url, '/');
  assert.equal(manifest.display, 'standalone');
  for (const size of [192, 512]) {
    const icon = manifest.icons.find((i) => i.sizes === `${size}x${size}` && i.type === 'image/png');
    assert.ok(icon, `an icon of ${size} px`);
    const bytes = await (await fetch(new URL(icon.src, app.base))).arrayBuffer();
    assert.deepEqual(pngSize(bytes), [size, size]);
  }
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  assert.equal(await page.evaluate(() => Boolean(navigator.serviceWorker.controller)), true, 'the worker controls the page');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('the last plan opens without a network', async () => {
  const page = await harness.open(app.browser, 400);
  await page.goto(`${app.base}/`);
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  await harness.checkIn(page, { quads_left: '6', quads_right: '6' });
  const planUrl = page.url();
  // The plan page is fetched as a page (a navigation), which the worker keeps.
  await page.goto(planUrl);
  const steps = await page.locator('.timeline .step').count();
  await page.context().setOffline(true);
  await page.goto(planUrl);
  assert.equal(await page.locator('.timeline .step').count(), steps, 'the plan, offline');
  await page.goto(`${app.base}/status`);
  assert.equal(await page.locator('.timeline .step').count(), steps, 'another page offline: the last plan');
  await page.context().setOffline(false);
  // The log-in page (where logging out lands) drops the kept plan: a shared browser keeps none.
  await page.goto(`${app.base}/login`);
  await page.waitForFunction(async () => (await caches.keys()).length === 0);
  await page.context().close();
});

test('"Remind me" shows a notification at a step\'s start, from the service worker', async () => {
  const page = await harness.openWith(app.browser, { viewport: { width: 400, height: 900 }, bypassCSP: true, permissions: ['notifications'] });
  await page.goto(`${app.base}/`);
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  await harness.checkIn(page, { quads_left: '6', quads_right: '6' });
  const first = page.locator('.timeline .step').first();
  const title = (await first.locator('h3').evaluate((h) => h.firstChild.textContent)).trim();
  const duration = (await first.locator('.dur').textContent()).trim();
  const when = (await first.locator('time').textContent()).trim();
  await page.click('#remind');
  // The worker shows it at the step's start (the first step starts now).
  const notifications = () => page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    return (await registration.getNotifications()).map((n) => ({ title: n.title, body: n.body }));
  });
  let shown = [];
  for (let i = 0; i < 100 && shown.length === 0; i += 1) {
    shown = await notifications();
    if (shown.length === 0) await page.waitForTimeout(200);
  }
  assert.ok(shown.length > 0, 'a notification was shown');
  assert.equal(shown[0].title, title);
  assert.equal(shown[0].body, `${duration}, at ${when}`, 'the step, its duration and its local time');
  assert.equal((await page.textContent('#remind')).trim(), 'Reminders on');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
