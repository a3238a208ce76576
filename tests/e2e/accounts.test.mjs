// Browser test of multi-user mode (`afterrun serve --multi-user`, issue 6): a visitor is sent to
// the login page, a coach and a runner sign up, the runner checks in and adds the coach on the
// profile page, the coach's page lists the runner, a second runner cannot open the first one's
// plan, and logging out ends the session. Screenshots: login.png, signup.png, coach.png.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serveForTests, open, shot, assertAccessible, assertNoSidewaysScroll, assertKeyboardReachable } from './harness.mjs';

const PASSWORD = 'correct horse battery';
const app = serveForTests('accounts', ['--multi-user']);

async function signUp(page, username, role) {
  await page.goto(`${app.base}/signup`);
  await page.fill('#username', username);
  await page.fill('#password', PASSWORD);
  await page.check(`input[name="role"][value="${role}"]`);
  await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
}

test('runners and coaches log in, and each sees only what is theirs', async () => {
  // A visitor lands on the login page; it and the sign-up page are accessible.
  const coach = await open(app.browser);
  await coach.goto(`${app.base}/`);
  assert.equal(new URL(coach.url()).pathname, '/login');
  await assertAccessible(coach, 'login');
  await shot(coach, 'login');
  await assertKeyboardReachable(coach, 'login');
  await coach.goto(`${app.base}/signup`);
  await assertAccessible(coach, 'signup');
  await shot(coach, 'signup');

  await signUp(coach, 'carla', 'coach');
  assert.equal(new URL(coach.url()).pathname, '/coach');
  assert.match(await coach.textContent('main'), /Nobody yet/);

  const ann = await open(app.browser);
  await signUp(ann, 'ann', 'athlete');
  assert.equal(new URL(ann.url()).pathname, '/');
  await ann.selectOption('#sore_quads_left', '6');
  await ann.selectOption('#sore_quads_right', '6');
  await Promise.all([ann.waitForURL(/\/plans\/\d+$/), ann.click('button[type="submit"].primary')]);
  const planUrl = ann.url();

  await ann.goto(`${app.base}/profile`);
  await ann.fill('#coach', 'carla');
  await Promise.all([ann.waitForNavigation(), ann.click('text=Add coach')]);
  assert.match(await ann.textContent('main'), /carla/);
  await assertAccessible(ann, 'profile-coaches');

  assert.match(await ann.textContent('main'), /waiting for them to accept/);
  // The coach sees Ann's request and accepts it.
  await coach.goto(`${app.base}/coach`);
  assert.match(await coach.textContent('#h-requests'), /ask you to coach them/);
  await Promise.all([coach.waitForNavigation(), coach.click('button:has-text("Accept")')]);
  assert.equal(await coach.locator('#h-requests').count(), 0, 'no request left');
  assert.match(await coach.textContent('main'), /ann/);
  await assertAccessible(coach, 'coach');
  await shot(coach, 'coach');
  await assertKeyboardReachable(coach, 'coach');
  // The coach's navigation: their runners, no check-in or profile, and a log-out.
  assert.equal(await coach.locator('nav a[href="/profile"]').count(), 0);
  assert.equal(await coach.locator('nav a[href="/coach"]').count(), 1);
  assert.equal(await coach.locator('nav button:has-text("Log out")').count(), 1);
  // The coach opens Ann's status and her plan, read only: nothing there changes anything.
  await Promise.all([coach.waitForNavigation(), coach.click('main a:has-text("status")')]);
  assert.match(coach.url(), /\/coach\/athletes\/\d+\/status$/);
  assert.equal(await coach.title(), 'Status · afterrun');
  const runnerBase = coach.url().replace(/\/status$/, '');
  const planId = planUrl.match(/\/plans\/(\d+)$/)[1];
  await coach.goto(`${runnerBase}/plans/${planId}`);
  assert.match(await coach.textContent('main'), /ann's plan, read only/);
  assert.equal(await coach.locator('main form, button.timer, button.done').count(), 0);
  await assertAccessible(coach, 'coach-plan');
  await shot(coach, 'coach-plan-1280');
  await coach.setViewportSize({ width: 375, height: 900 });
  await coach.reload();
  await assertAccessible(coach, 'coach-plan at 375 px');
  await shot(coach, 'coach-plan-375');
  await coach.setViewportSize({ width: 1100, height: 900 });

  // Another runner cannot open Ann's plan.
  const bob = await open(app.browser);
  await signUp(bob, 'bob', 'athlete');
  const response = await bob.goto(planUrl);
  assert.equal(response.status(), 404);
  bob.errors.splice(0); // the browser logs the expected 404

  // Logging out ends the session.
  await Promise.all([ann.waitForNavigation(), ann.click('text=Log out')]);
  assert.equal(new URL(ann.url()).pathname, '/login');
  await ann.goto(`${app.base}/plans`);
  assert.equal(new URL(ann.url()).pathname, '/login');

  for (const page of [coach, ann, bob]) {
    assert.deepEqual(page.errors, []);
    await page.context().close();
  }
  await assertNoSidewaysScroll(app.browser, `${app.base}/login`, 'login');
});
