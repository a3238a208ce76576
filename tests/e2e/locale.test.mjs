// Browser tests of the runner's own world: a runner in America/New_York who reads miles sees
// local times and miles on the plan, status and import pages, with JavaScript on and off.
//
// The profile names the zone and the units; the JavaScript-off browser is set to another zone
// (Asia/Tokyo) to show that the server's own text follows the profile, not the browser.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as harness from './harness.mjs';

const root = harness.root;
const corpusFit = path.resolve(root, '../shared/corpus/fit/pyfitparse__garmin-fenix-5-run.fit');
const ZONE = 'America/New_York';

const app = harness.serveForTests('locale');

/** A page in a browser set to `timezoneId`, with or without JavaScript. */
function open({ timezoneId, javaScriptEnabled }) {
  return harness.openWith(app.browser, { timezoneId, javaScriptEnabled });
}

/** `HH:MM` of an ISO time in New York, as the pages write clock times. */
function nyClock(iso) {
  return new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
}

test('a runner in New York who reads miles sees local times and miles, with JavaScript on and off', async () => {
  const js = await open({ timezoneId: ZONE, javaScriptEnabled: true });
  // The profile: miles and the zone.
  await js.goto(`${app.base}/profile`);
  await js.selectOption('#units', 'mi');
  await js.fill('#tz_name', ZONE);
  await js.fill('#threshold_pace', '7:00');
  await Promise.all([js.waitForURL(/\/profile\?saved=1$/), js.click('button[type="submit"]')]);
  assert.equal(await js.inputValue('#threshold_pace'), '7:00', 'the pace reads back per mile');
  // Now the weekly volume is asked in miles, and kept in km.
  await js.fill('#weekly_mi', '30');
  await Promise.all([js.waitForURL(/\/profile\?saved=1$/), js.click('button[type="submit"]')]);
  assert.equal(await js.inputValue('#weekly_mi'), '30');
  const [me] = await (await fetch(`${app.base}/api/athletes`)).json();
  const profile = await (await fetch(`${app.base}/api/athletes/${me.id}/profile`)).json();
  assert.equal(profile.units, 'mi');
  assert.equal(profile.tz, ZONE);
  assert.ok(Math.abs(profile.threshold_pace_s_per_km - 420 / 1.609344) < 1e-6, 'stored per km (SI)');
  assert.equal(profile.weekly_km, 48.28, '30 mi a week in the contract\'s km');

  // Import, with JavaScript: 14:34 UTC on 11 June 2017 is 10:34 in New York, 0.2 km is 0.1 mi.
  await js.goto(`${app.base}/import`);
  await js.setInputFiles('#files', corpusFit);
  const row = js.locator('.upload', { hasText: path.basename(corpusFit) });
  await row.locator('.result[data-state="new"]').waitFor();
  assert.match(await row.locator('.result-detail').textContent(), /^Running · Sun 11 Jun 2017 10:34 · 0\.1 mi · 0:57/);

  // The check-in asks for the distance in miles; the plan's times are New York's.
  await js.goto(`${app.base}/`);
  assert.match(await js.locator('label[for="run_distance"], label:has(#run_distance)').textContent(), /Distance \(mi\)/);
  await js.click('summary:has-text("Your last run")');
  await js.fill('#run_distance', '13.1');
  await harness.checkIn(js, { quads_left: '6', quads_right: '6' });
  const planUrl = js.url();
  const times = await js.$$eval('.timeline time', (ts) => ts.map((t) => [t.getAttribute('datetime'), t.textContent]));
  assert.ok(times.length > 0);
  // The script words times in the browser's language (12- or 24-hour), in the profile's zone.
  const ny12 = (iso) => new Intl.DateTimeFormat('en-US', { timeZone: ZONE, hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
  for (const [iso, shown] of times) {
    assert.ok(shown.includes(nyClock(iso)) || shown.includes(ny12(iso)), `${shown} is ${iso} in New York`);
  }
  const checkins = await (await fetch(`${app.base}/api/athletes/${me.id}/checkins`)).json();
  assert.equal(checkins.at(-1).checkin.run.distance_km, 21.082, '13.1 mi in the contract\'s km');

  // Status, with JavaScript: the week in miles.
  await js.goto(`${app.base}/status`);
  assert.match(await js.locator('p.hint', { hasText: 'Last 7 days' }).textContent(), / mi in /);
  assert.deepEqual(js.errors, []);
  await js.context().close();

  // Without JavaScript, in a browser set to Tokyo: the server's text is New York's too.
  const plain = await open({ timezoneId: 'Asia/Tokyo', javaScriptEnabled: false });
  await plain.goto(planUrl);
  const served = await plain.$$eval('.timeline time', (ts) => ts.map((t) => [t.getAttribute('datetime'), t.textContent]));
  assert.equal(served.length, times.length);
  for (const [iso, shown] of served) {
    assert.equal(shown.trim(), nyClock(iso), `served ${shown} for ${iso}`);
  }
  await plain.goto(`${app.base}/status`);
  assert.match(await plain.locator('p.hint', { hasText: 'Last 7 days' }).textContent(), / mi in /);
  await plain.goto(`${app.base}/import`);
  await plain.setInputFiles('#files', corpusFit);
  await Promise.all([plain.waitForURL(/\/import$/), plain.click('#import-form button[type="submit"]')]);
  assert.match(await plain.locator('body').textContent(), /Running · Sun 11 Jun 2017 10:34 · 0\.1 mi · 0:57/);
  await plain.context().close();
});
