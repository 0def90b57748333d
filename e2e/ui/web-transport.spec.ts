/** The web transport against a scripted WebSocket host: secret handling, events, reconnect and refetch. */
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

test('connects with the secret, applies pushed events, reconnects and refetches after a drop', async ({ page }) => {
  await page.goto(host.url);
  await expect(page.getByText('No folders yet').first()).toBeVisible();
  expect(page.url()).not.toContain('s3cret');

  host.push('transfersUpdated', [
    { id: 'x1', pairId: 'p1', kind: 'upload', path: 'pushed/by-event.txt', status: 'completed', size: 1000, bytesDone: 1000, bytesSent: 100, startedAt: Date.now() - 500, finishedAt: Date.now(), error: null },
  ]);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Activity' }).click();
  await expect(page.getByRole('listitem').filter({ hasText: 'pushed/by-event.txt' })).toContainText('saved 90%');

  // While the socket is down the state changes; the UI must refetch it on reconnect.
  host.state = {
    ...host.state,
    pairs: [{ id: 'p1', localPath: '/home/u/Reconnected', host: 'h', port: 1, share: 'default', fingerprint: 'a'.repeat(64), token: 't', paused: false, ignore: [], rescanIntervalSec: 0, allowEmptyRoot: false }],
    pairStates: { p1: { id: 'p1', status: 'watching', connected: true, filesPending: 0, bytesPending: 0, lastSyncedAt: Date.now(), lastError: null } },
  };
  host.dropClients();
  const banner = page.getByRole('alert').filter({ hasText: 'Disconnected from Ferry — reconnecting…' });
  await expect(banner).toBeVisible();
  await expect(banner).toBeHidden({ timeout: 10_000 });
  expect(host.connections()).toBeGreaterThanOrEqual(2);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Folders' }).click();
  await expect(page.getByRole('article', { name: 'Reconnected' })).toBeVisible();

  // A reload reuses the secret kept in sessionStorage.
  await page.reload();
  await expect(page.getByRole('article', { name: 'Reconnected' })).toBeVisible();
});

test('a wrong secret never connects and the banner says what to do', async ({ page }) => {
  await page.goto(`${host.origin}/#secret=wrong`);
  const banner = page.getByRole('alert');
  await expect(banner).toContainText('Cannot reach Ferry — retrying…', { timeout: 15_000 });
  await expect(banner).toContainText('If the Ferry daemon was restarted, open the new address it printed.');
  expect(host.connections()).toBe(0);
  await shootBothSchemes(page, 'ui-stale-link');
});

test('without any secret the banner points to the printed address', async ({ page }) => {
  await page.goto(`${host.origin}/`);
  await expect(page.getByRole('alert')).toContainText('“ferry daemon --gui” printed');
});
