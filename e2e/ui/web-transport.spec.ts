/** The web transport against a scripted WebSocket host: login, events, reconnect and refetch. */
import { expect, test } from '@playwright/test';
import { startFakeWsHost, type FakeWsHost } from '../helpers/fake-ws-host';
import { shootBothSchemes } from '../helpers/artifacts';

let host: FakeWsHost;

test.beforeEach(async () => {
  host = await startFakeWsHost('s3cret-e2e');
});

test.afterEach(async () => {
  await host.close();
});

test('connects, applies pushed events, reconnects and refetches after a drop', async ({ page }) => {
  await page.goto(host.url);
  await expect(page.getByText('No folders yet').first()).toBeVisible();

  host.push('transfersUpdated', [
    { id: 'x1', pairId: 'p1', kind: 'upload', path: 'pushed/by-event.txt', status: 'completed', size: 1000, bytesDone: 1000, bytesSent: 100, startedAt: Date.now() - 500, finishedAt: Date.now(), error: null },
  ]);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Activity' }).click();
  await expect(page.getByRole('listitem').filter({ hasText: 'pushed/by-event.txt' })).toContainText('saved 90%');

  // While the socket is down the state changes; the UI must refetch it on reconnect.
  host.state = {
    ...host.state,
    pairs: [{ id: 'p1', localPath: '/home/u/Reconnected', host: 'h', port: 1, share: 'default', fingerprint: 'a'.repeat(64), token: 't', paused: false, ignore: [], rescanIntervalSec: 0, allowEmptyRoot: false, mode: 'two-way', allowForeignChanges: false }],
    pairStates: { p1: { id: 'p1', status: 'watching', connected: true, filesPending: 0, bytesPending: 0, lastSyncedAt: Date.now(), lastError: null } },
  };
  host.dropClients();
  const banner = page.getByRole('alert').filter({ hasText: 'Ferry restarted — reconnecting…' });
  await expect(banner).toBeVisible();
  await expect(banner).toBeHidden({ timeout: 10_000 });
  expect(host.connections()).toBeGreaterThanOrEqual(2);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Folders' }).click();
  await expect(page.getByRole('article', { name: 'Reconnected' })).toBeVisible();

  // A reload needs nothing but the (cookie) session.
  await page.reload();
  await expect(page.getByRole('article', { name: 'Reconnected' })).toBeVisible();
});

test('a signed-out browser gets the login page; a wrong password is refused, the right one connects', async ({ page }) => {
  host.loggedIn = false;
  await page.goto(host.url);
  await expect(page.getByRole('heading', { name: 'Sign in to Ferry' })).toBeVisible();
  expect(host.connections()).toBe(0);
  await shootBothSchemes(page, 'ui-login');
  await page.getByLabel('Password').fill('nope');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('Wrong password');
  await page.getByLabel('Password').fill('s3cret-e2e');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByText('No folders yet').first()).toBeVisible();
  expect(host.connections()).toBe(1);
  expect(page.url()).toBe(host.url);
});

test('"Show notifications" works in the browser: a new conflict pops up a notification', async ({ page, context }) => {
  await context.grantPermissions(['notifications'], { origin: host.origin });
  // Record what the page shows (the real Notification still runs).
  await page.addInitScript(() => {
    const Real = window.Notification;
    const shown: string[] = [];
    (window as unknown as { shownNotifications: string[] }).shownNotifications = shown;
    window.Notification = class extends Real {
      constructor(title: string, opts?: NotificationOptions) {
        super(title, opts);
        shown.push(`${title} | ${opts?.body ?? ''}`);
      }
    } as typeof Notification;
  });
  await page.goto(host.url);
  await expect(page.getByText('No folders yet').first()).toBeVisible();
  const version = { size: 10, mtimeMs: Date.now() };
  host.push('stateChanged', host.state);
  host.push('stateChanged', {
    ...host.state,
    conflicts: [{ id: 'c1', pairId: 'p1', path: 'docs/report.txt', detectedAt: Date.now(), local: version, server: { ...version, keptAs: 'docs/report (server).txt' }, resolved: false }],
  });
  await expect.poll(() => page.evaluate(() => (window as unknown as { shownNotifications: string[] }).shownNotifications), { timeout: 15_000 })
    .toEqual(['Conflict: report.txt | docs/report.txt changed on both sides; both versions are kept. Open Ferry to choose.']);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Settings' }).click();
  await expect(page.locator('#notify-hint')).toContainText('This browser shows them while a Ferry tab is open.');
});
