// Browser tests of refused forms (issue 15, point 1): the error shows at the field, in its
// section opened, with the focus moved there — with JavaScript (htmx swaps the 422 answer in
// place) and without (the server's page, `autofocus`). Screenshots at 375 and 1280 px.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as harness from './harness.mjs';
import { shot, assertAccessible } from './harness.mjs';

let app;
let base;
let browser;

before(async () => {
  app = await harness.start('forms');
  ({ base, browser } = app);
});

after(async () => {
  await app?.stop();
});

async function open(width, javaScriptEnabled) {
  const context = await browser.newContext({ viewport: { width, height: 900 }, javaScriptEnabled, timezoneId: 'UTC', bypassCSP: true });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  return page;
}

/** `YYYY-MM-DDTHH:MM` a day from now, as a datetime-local field takes it. */
function tomorrow() {
  return new Date(Date.now() + 86400000).toISOString().slice(0, 16);
}

for (const width of [375, 1280]) {
  test(`a check-in finished tomorrow is refused at its field, with JavaScript, at ${width} px`, async () => {
    const page = await open(width, true);
    await page.goto(`${base}/`);
    await page.selectOption('#sore_quads_left', '5');
    await page.click('summary:has-text("Your last run")');
    await page.fill('#run_ended', tomorrow());
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
    await page.goto(`${base}/`);
    await page.selectOption('#sore_quads_left', '5');
    await page.click('summary:has-text("Your last run")');
    await page.fill('#run_ended', tomorrow());
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
