// Browser tests of refused forms (issue 15, point 1): the error shows at the field, in its
// section opened, with the focus moved there — with JavaScript (htmx swaps the 422 answer in
// place) and without (the server's page, `autofocus`). Screenshots at 375 and 1280 px.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as harness from './harness.mjs';
import { shot, assertAccessible } from './harness.mjs';

const app = harness.serveForTests('forms');

function open(width, javaScriptEnabled) {
  return harness.openWith(app.browser, { viewport: { width, height: 900 }, javaScriptEnabled, timezoneId: 'UTC', bypassCSP: true });
}

/** `YYYY-MM-DDTHH:MM` a day from now, as a datetime-local field takes it. */
function tomorrow() {
  return new Date(Date.now() + 86400000).toISOString().slice(0, 16);
}

/** On the check-in page: rates sore quads (left) and says the run ended tomorrow. */
async function checkInFinishedTomorrow(page) {
  await page.goto(`${app.base}/`);
  await page.selectOption('#sore_quads_left', '5');
  await page.click('summary:has-text("Your last run")');
  await page.fill('#run_ended', tomorrow());
}

for (const width of [375, 1280]) {
  test(`a check-in finished tomorrow is refused at its field, with JavaScript, at ${width} px`, async () => {
    const page = await open(width, true);
    await checkInFinishedTomorrow(page);
    // Collapse the section again: the answer must open it.
    await page.click('summary:has-text("Your last run")');
    await page.click('button[type="submit"]');
    const note = page.locator('.field-error');
    await note.waitFor();
    assert.match(await note.textContent(), /future/);
    assert.equal(new URL(page.url()).pathname, '/', 'the page stays, the plan is not made');
    assert.equal(await page.getAttribute('#run_ended', 'aria-invalid'), 'true');
    assert.ok(await page.locator('details:has(#run_ended)').evaluate((d) => d.open), 'its section is opened');
    await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'run_ended');
    assert.equal(await page.inputValue('#sore_quads_left'), '5', 'the other answers are kept');
    await shot(page, `checkin-error-js-${width}`);
    await assertAccessible(page, `refused check-in, ${width} px`);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test(`a check-in finished tomorrow is refused at its field, without JavaScript, at ${width} px`, async () => {
    const page = await open(width, false);
    await checkInFinishedTomorrow(page);
    const [response] = await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
    assert.equal(response.status(), 422);
    const note = page.locator('.field-error');
    assert.ok(await note.isVisible(), 'the message is shown');
    assert.match(await note.textContent(), /future/);
    assert.equal(await page.getAttribute('#run_ended', 'aria-invalid'), 'true');
    assert.equal(await page.getAttribute('#run_ended', 'autofocus'), '', 'the browser moves there');
    assert.ok(await page.locator('details:has(#run_ended)').getAttribute('open') !== null, 'its section is opened');
    // Without JavaScript, nothing that needs it shows.
    assert.equal(await page.locator('button.timer:visible').count(), 0);
    await shot(page, `checkin-error-nojs-${width}`);
    await page.context().close();
  });
}

/** Seconds shown by a step's clock (`m:ss`). */
async function clockSeconds(step) {
  const text = (await step.locator('output.clock').textContent()) || '';
  const m = text.match(/^(\d+):(\d\d)$/);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

for (const width of [375, 1280]) {
  test(`marking a step done keeps its timer running, undo takes it back, a reload keeps the timer, at ${width} px`, async () => {
    const page = await open(width, true);
    await page.goto(`${app.base}/`);
    await harness.checkIn(page, { quads_left: '6', quads_right: '6' });
    const step = page.locator('.timeline .step:has(button.timer:visible)').first();
    const id = await step.getAttribute('id');
    const timer = page.locator(`#${id} button.timer`);
    const total = Number(await timer.getAttribute('data-seconds'));
    await timer.click();
    await page.waitForFunction((sel) => /^\d+:\d\d$/.test(document.querySelector(sel).textContent), `#${id} output.clock`);
    // Mark done: no page load (a marker on the window survives), the timer goes on.
    await page.evaluate(() => { window.__samePage = true; });
    await page.click(`#${id} button.done`);
    await page.locator(`#${id} .done-mark`).waitFor();
    assert.equal(await page.evaluate(() => window.__samePage), true, 'no page load');
    await page.waitForTimeout(1500);
    const left = await clockSeconds(page.locator(`#${id}`));
    assert.ok(left !== null && left < total, `the timer still runs: ${left} of ${total}`);
    assert.equal((await page.locator(`#${id} button.timer`).textContent()).trim(), 'Pause');
    await shot(page, `plan-done-${width}`);
    // Undo.
    await page.click(`#${id} button.undo`);
    await page.locator(`#${id} button.done`).waitFor();
    assert.equal(await page.locator(`#${id} .done-mark`).count(), 0);
    assert.equal(await page.evaluate(() => window.__samePage), true, 'no page load');
    // A reload: the timer keeps its end time.
    await page.reload();
    await page.waitForFunction((sel) => /^\d+:\d\d$/.test(document.querySelector(sel).textContent), `#${id} output.clock`);
    const after = await clockSeconds(page.locator(`#${id}`));
    assert.ok(after !== null && after <= left && after < total, `the timer survived the reload: ${after}, ${left} before, of ${total}`);
    assert.equal((await page.locator(`#${id} button.timer`).textContent()).trim(), 'Pause');
    await assertAccessible(page, `plan with a running timer, ${width} px`);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
}

/** A duration as the app words it (afterrun-service::words::duration_words). */
function durationWords(seconds) {
  const h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
  const parts = [];
  if (h > 0) parts.push(`${h} h`);
  if (m > 0) parts.push(`${m} min`);
  if (s > 0 || parts.length === 0) parts.push(`${s} s`);
  return parts.join(' ');
}

/** iCalendar `20261123T083000Z` as milliseconds. */
function icsTime(text) {
  const m = text.match(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/);
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
}

for (const width of [375, 1280]) test(`one duration everywhere, and no reference id on the plan page, its calendar or the guide, at ${width} px`, async () => {
  const page = await open(width, true);
  await page.goto(`${app.base}/`);
  await harness.checkIn(page, { quads_left: '6', quads_right: '6' }, ['massage_gun']);
  const planPath = new URL(page.url()).pathname;
  const html = await page.content();
  const ics = await (await fetch(`${app.base}${planPath}/calendar.ics`)).text();
  const events = ics.replace(/\r\n /g, '').split('BEGIN:VEVENT').slice(1);
  const steps = await page.$$eval('.timeline .step', (els) => els.map((el) => ({
    label: el.querySelector('.dur')?.textContent ?? null,
    timer: el.querySelector('button.timer')?.getAttribute('data-seconds') ?? null,
  })));
  assert.equal(events.length, steps.length);
  let timed = 0;
  steps.forEach((step, i) => {
    const start = events[i].match(/DTSTART:(\S+)/)[1];
    const end = events[i].match(/DTEND:(\S+)/);
    if (step.timer === null || end === null) return;
    timed += 1;
    const seconds = Number(step.timer);
    assert.equal(step.label, durationWords(seconds), `step ${i}: label and timer`);
    assert.equal((icsTime(end[1]) - icsTime(start)) / 1000, seconds, `step ${i}: timer and calendar`);
  });
  assert.ok(timed >= 2, 'timed steps were compared');
  // The reference ids of the plan are for JSON only.
  const [me] = await (await fetch(`${app.base}/api/athletes`)).json();
  const planId = planPath.split('/').pop();
  const plan = await (await fetch(`${app.base}/api/athletes/${me.id}/plans/${planId}`)).json();
  const ids = (plan.plan ?? plan).references.map((r) => r.id);
  assert.ok(ids.length > 0);
  const guide = await (await fetch(`${app.base}/guide/massage`)).text();
  for (const id of ids) {
    assert.ok(!html.includes(id), `the plan page shows ${id}`);
    assert.ok(!ics.includes(id), `the calendar shows ${id}`);
    assert.ok(!guide.includes(id), `the guide shows ${id}`);
  }
  await shot(page, `plan-durations-${width}`);
  await page.context().close();
});

/** The `YYYY-MM-DDTHH:MM` of a day ago, for a datetime-local field. */
function yesterday() {
  return new Date(Date.now() - 86400000).toISOString().slice(0, 16);
}

for (const width of [375, 1280]) {
  test(`the profile keeps heart rates and threshold pace, and a next run in the past is refused, at ${width} px`, async () => {
    const page = await open(width, true);
    await page.goto(`${app.base}/profile`);
    await page.fill('#max_hr', '188');
    await page.fill('#rest_hr', '48');
    await page.fill('#threshold_pace', '4:20');
    await Promise.all([page.waitForURL(/\/profile\?saved=1$/), page.click('button[type="submit"]')]);
    assert.equal(await page.inputValue('#max_hr'), '188');
    assert.equal(await page.inputValue('#rest_hr'), '48');
    assert.equal(await page.inputValue('#threshold_pace'), '4:20');
    // A resting rate above the maximum is refused at its field (both within the fields' own
    // ranges, so the browser sends them and the server says why).
    await page.fill('#max_hr', '105');
    await page.fill('#rest_hr', '110');
    await page.click('button[type="submit"]');
    await page.locator('.field-error').waitFor();
    assert.equal(await page.getAttribute('#rest_hr', 'aria-invalid'), 'true');
    await shot(page, `profile-thresholds-${width}`);
    await assertAccessible(page, `profile with an error, ${width} px`);
    // The ▶ of a collapsed section stays inside its card.
    await page.goto(`${app.base}/`);
    const inside = await page.$$eval('details.card > summary, details.more > summary', (els) => els.every((el) => getComputedStyle(el).listStylePosition === 'inside'));
    assert.ok(inside, 'section markers inside their cards');
    // A next run in the past is refused at its field.
    await page.selectOption('#sore_quads_left', '4');
    await page.fill('#next_run', yesterday());
    await page.click('button[type="submit"]');
    await page.locator('.field-error').waitFor();
    assert.match(await page.locator('.field-error').textContent(), /in the past/);
    assert.equal(await page.getAttribute('#next_run', 'aria-invalid'), 'true');
    await shot(page, `checkin-past-next-run-${width}`);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
}
