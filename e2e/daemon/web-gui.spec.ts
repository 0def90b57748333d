/**
 * The real thing: `ferry serve` as the server, `ferry daemon --gui` as the client, the built UI in
 * Chromium over the daemon's WebSocket. Runs in order; each step builds on the one before: the first
 * signs in through the one-time link and chooses the password, the last ones restart the daemon.
 */
import { expect, test, type Page } from '@playwright/test';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { killAllFerry, spawnFerry, startServe, syncArgs, type ServeInfo } from '../../test/helpers/ferry-procs';
import { cleanupTempDirs, tempDir } from '../../test/helpers/trees';
import { shootBothSchemes } from '../helpers/artifacts';
import { freePort, startDaemon, type DaemonInfo } from '../helpers/daemon';

test.describe.configure({ mode: 'serial' });

let work: string;
let serverRoot: string;
let localDir: string;
let serve: ServeInfo;
let daemon: DaemonInfo;
let guiPort: number;
let page: Page;
const PASSWORD = 'e2e web password';
const pageErrors: string[] = [];

/** A fingerprint that differs from the real one in its last hex digit. */
function wrongFingerprint(fp: string): string {
  const last = fp.at(-1) ?? '0';
  return fp.slice(0, -1) + (last.toLowerCase() === 'a' ? 'B' : 'A');
}

async function readOrNull(path: string): Promise<string | null> {
  return readFile(path, 'utf8').catch(() => null);
}

function nav(p: Page, name: RegExp | string) {
  return p.getByRole('navigation', { name: 'Main' }).getByRole('button', { name });
}

test.beforeAll(async ({ browser }) => {
  work = await tempDir('ferry-e2e-');
  serverRoot = join(work, 'server-root');
  localDir = join(work, 'My Documents');
  await mkdir(serverRoot, { recursive: true });
  await mkdir(localDir, { recursive: true });
  await writeFile(join(localDir, 'already-here.txt'), 'present before the pair was added\n');
  serve = await startServe(serverRoot, join(work, 'server-state'));
  guiPort = await freePort();
  daemon = await startDaemon(join(work, 'daemon'), guiPort);
  page = await browser.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    // Expected noise: refused connections while the daemon restarts, the 401 of a wrong password.
    if (m.type() === 'error' && !/WebSocket|ERR_CONNECTION_REFUSED|status of 401/.test(m.text())) pageErrors.push(m.text());
  });
  await page.goto(daemon.loginUrl);
});

test.afterAll(async () => {
  await page?.close();
  await killAllFerry();
  await cleanupTempDirs();
});

test.afterEach(() => {
  expect(pageErrors, 'errors in the page').toEqual([]);
});

test('the one-time link signs in, lands on the plain address and offers to choose a password', async () => {
  await expect(page.getByRole('heading', { name: 'Choose a password' })).toBeVisible();
  expect(page.url()).toBe(daemon.url);
  await shootBothSchemes(page, 'daemon-choose-password');
  await page.getByLabel('New password').fill(PASSWORD);
  await page.getByLabel('Repeat password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Save password' }).click();
  await expect(page.getByRole('heading', { name: 'Folders', level: 1 })).toBeVisible();
  await expect(page.getByRole('status', { name: /Overall status/ })).toBeVisible();
  await expect(page.getByText('No folders yet').first()).toBeVisible();
  // A reload needs nothing but the session cookie.
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Folders', level: 1 })).toBeVisible();
  await expect(page.getByRole('alert').filter({ hasText: 'reconnecting' })).toHaveCount(0);
});

test('add a folder: a wrong fingerprint is refused, the right one connects, Start syncs', async () => {
  await page.getByRole('button', { name: 'Add folder' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Add folder' });
  // The web shell browses the daemon machine's folders through fs:listDirs.
  await dialog.getByRole('button', { name: 'Choose…' }).click();
  const picker = page.getByRole('dialog', { name: 'Choose a folder' });
  await expect(picker.getByLabel('Current folder')).not.toHaveText('…');
  await picker.getByRole('button', { name: 'Use this folder' }).click();
  await expect(picker).toBeHidden();
  await expect(dialog.getByLabel('Local folder', { exact: true })).not.toHaveValue('');
  await dialog.getByLabel('Local folder', { exact: true }).fill(localDir);
  await dialog.getByLabel('Server host', { exact: true }).fill('127.0.0.1');
  await dialog.getByLabel('Port', { exact: true }).fill(String(serve.port));
  await expect(dialog.getByLabel('Share', { exact: true })).toHaveValue('default');
  await dialog.getByLabel('Fingerprint', { exact: true }).fill(wrongFingerprint(serve.fingerprint));
  await dialog.getByLabel('Token', { exact: true }).fill(serve.token);

  await dialog.getByRole('button', { name: 'Test connection' }).click();
  await expect(dialog.getByRole('alert').filter({ hasText: 'FINGERPRINT_MISMATCH' })).toBeVisible({ timeout: 20_000 });
  await shootBothSchemes(page, 'daemon-add-folder-bad-fingerprint');

  await dialog.getByLabel('Fingerprint', { exact: true }).fill(serve.fingerprint);
  await dialog.getByRole('button', { name: 'Test connection' }).click();
  await expect(dialog.getByRole('status').filter({ hasText: 'Connected to' })).toBeVisible({ timeout: 20_000 });
  await shootBothSchemes(page, 'daemon-add-folder-ok');

  // This spec checks mirror semantics (the share follows the folder); new pairs default to two-way.
  await expect(dialog.getByRole('radio', { name: 'Two-way' })).toBeChecked();
  await dialog.getByRole('radio', { name: 'Mirror' }).check();
  await dialog.getByRole('button', { name: 'Start' }).click();
  await expect(dialog).toBeHidden();
  const card = page.getByRole('article', { name: 'My Documents' });
  await expect(card.getByLabel('Status: Up to date')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole('status', { name: 'Overall status: Up to date' })).toBeVisible();
  await expect.poll(() => readOrNull(join(serverRoot, 'already-here.txt')), { timeout: 20_000 }).toBe('present before the pair was added\n');
  await shootBothSchemes(page, 'daemon-folders');
});

test('a new file shows up in Activity as completed and lands on the server', async () => {
  await writeFile(join(localDir, 'hello.txt'), 'hello from the e2e test\n');
  await nav(page, 'Activity').click();
  const row = page.getByRole('list', { name: 'Transfers' }).getByRole('listitem').filter({ hasText: 'hello.txt' });
  await expect(row.filter({ hasText: 'Completed' }).first()).toBeVisible({ timeout: 20_000 });
  await expect.poll(() => readOrNull(join(serverRoot, 'hello.txt')), { timeout: 20_000 }).toBe('hello from the e2e test\n');
  await page.getByLabel('Path contains').fill('hello');
  await expect(page.getByRole('list', { name: 'Transfers' }).getByRole('listitem').first()).toContainText('hello.txt');
  await shootBothSchemes(page, 'daemon-activity');
  await page.getByLabel('Path contains').fill('');
});

test('pause holds changes back; resume sends them', async () => {
  await nav(page, 'Folders').click();
  const card = page.getByRole('article', { name: 'My Documents' });
  await card.getByRole('button', { name: 'Pause My Documents' }).click();
  await expect(card.getByLabel('Status: Paused')).toBeVisible({ timeout: 15_000 });
  await expect(page.getByRole('status', { name: 'Overall status: Paused' })).toBeVisible();
  await writeFile(join(localDir, 'while-paused.txt'), 'written while paused\n');
  // Negative check with a bounded wait: long enough for a live sync to have happened (p95 goal 150 ms).
  await page.waitForTimeout(2_000);
  expect(await readOrNull(join(serverRoot, 'while-paused.txt'))).toBeNull();
  await card.getByRole('button', { name: 'Resume My Documents' }).click();
  await expect(card.getByLabel('Status: Up to date')).toBeVisible({ timeout: 30_000 });
  await expect.poll(() => readOrNull(join(serverRoot, 'while-paused.txt')), { timeout: 20_000 }).toBe('written while paused\n');
});

test('an edit on the server, then here, is listed as a conflict', async () => {
  await writeFile(join(serverRoot, 'hello.txt'), 'edited on the server behind the client’s back\n');
  await page.waitForTimeout(300);
  await writeFile(join(localDir, 'hello.txt'), 'edited on the client\n');
  await expect(nav(page, 'Conflicts, 1 open')).toBeVisible({ timeout: 30_000 });
  await nav(page, /Conflicts/).click();
  const conflict = page.getByRole('article', { name: 'hello.txt' });
  await expect(conflict).toBeVisible();
  await expect(conflict.getByRole('button', { name: 'Keep mine' })).toBeVisible();
  await expect(page.getByRole('status', { name: /Overall status: Conflicts to review/ })).toBeVisible();
  await shootBothSchemes(page, 'daemon-conflicts');
  await conflict.getByRole('button', { name: 'Keep mine' }).click();
  await expect(conflict).toBeHidden({ timeout: 15_000 });
  await expect(page.getByText('1 resolved conflict')).toBeVisible();
  await expect.poll(() => readOrNull(join(serverRoot, 'hello.txt')), { timeout: 20_000 }).toBe('edited on the client\n');
});

test('"Keep both" puts the server\'s version beside the file', async () => {
  await writeFile(join(localDir, 'notes.txt'), 'first draft\n');
  await expect.poll(() => readOrNull(join(serverRoot, 'notes.txt')), { timeout: 20_000 }).toBe('first draft\n');
  await writeFile(join(serverRoot, 'notes.txt'), 'server-side rewrite\n');
  await page.waitForTimeout(300);
  await writeFile(join(localDir, 'notes.txt'), 'client-side rewrite\n');
  const conflict = page.getByRole('article', { name: 'notes.txt' });
  await expect(conflict).toBeVisible({ timeout: 30_000 });
  await conflict.getByRole('button', { name: 'Keep both' }).click();
  await expect(conflict).toBeHidden({ timeout: 15_000 });
  await expect(page.getByText('2 resolved conflicts')).toBeVisible();
  await expect
    .poll(async () => {
      const names = (await readdir(localDir)).filter((n) => n.startsWith('notes') && n !== 'notes.txt');
      return names.length === 1 ? readOrNull(join(localDir, names[0] as string)) : null;
    }, { timeout: 20_000 })
    .toBe('server-side rewrite\n');
  expect(await readFile(join(localDir, 'notes.txt'), 'utf8')).toBe('client-side rewrite\n');
});

test('server mode from the UI: a client connects and is listed', async () => {
  const port = await freePort();
  const root = join(work, 'daemon-served');
  await mkdir(root, { recursive: true });
  await nav(page, /Server/).click();
  await page.getByLabel('Root folder', { exact: true }).fill(root);
  await page.getByLabel('Listen address').fill('127.0.0.1');
  await page.getByLabel('Port', { exact: true }).fill(String(port));
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByRole('button', { name: 'Apply' })).toBeDisabled({ timeout: 15_000 });
  await page.getByRole('switch', { name: 'Server mode' }).check();
  await expect(page.getByLabel(`Server status: Running on 127.0.0.1:${port}`)).toBeVisible({ timeout: 20_000 });
  const fingerprint = (await page.getByLabel('Server fingerprint').textContent()) ?? '';
  expect(fingerprint.replace(/[^0-9A-F]/gi, '')).toHaveLength(64);

  await page.getByLabel('Device name').fill('e2e laptop');
  await page.getByRole('button', { name: 'New invite' }).click();
  await expect(page.getByRole('region', { name: 'New invite' }).getByText('Invite for e2e laptop')).toBeVisible();
  const token = (await page.getByLabel('New token', { exact: true }).textContent()) ?? '';
  expect(token.length).toBeGreaterThan(10);
  await expect(page.getByRole('table', { name: 'Tokens' }).getByText('e2e laptop')).toBeVisible();

  const clientDir = join(work, 'remote-client');
  await mkdir(clientDir, { recursive: true });
  await writeFile(join(clientDir, 'from-remote.txt'), 'sent by another client\n');
  spawnFerry(syncArgs(clientDir, { port, fingerprint, token }, join(work, 'remote-client-state')));
  const clients = page.getByRole('table', { name: 'Connected clients' });
  await expect(clients.getByRole('row').filter({ hasText: 'default' })).toBeVisible({ timeout: 30_000 });
  await expect.poll(() => readOrNull(join(root, 'from-remote.txt')), { timeout: 20_000 }).toBe('sent by another client\n');
  await expect(clients.getByRole('row').filter({ hasText: 'default' }).getByRole('cell').nth(4)).not.toHaveText('0', { timeout: 15_000 });
  await page.getByRole('button', { name: 'Done' }).click();
  await shootBothSchemes(page, 'daemon-server', true);
});

test('settings change through the daemon and the log folder is shown', async () => {
  await nav(page, 'Settings').click();
  await expect(page.getByText(join(work, 'daemon', 'state', 'logs'))).toBeVisible();
  await page.getByLabel('Log level').selectOption('debug');
  await page.reload();
  await expect(page.getByLabel('Log level')).toHaveValue('debug');
  await page.getByLabel('Show notifications').uncheck();
  await page.reload();
  await expect(page.getByLabel('Show notifications')).not.toBeChecked();
  await shootBothSchemes(page, 'daemon-settings');
});

test('sign out, the used link, a wrong password, then the right one', async () => {
  await nav(page, 'Settings').click();
  await expect(page.getByRole('form', { name: 'Change password' })).toBeVisible();
  await shootBothSchemes(page, 'daemon-web-access', true);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in to Ferry' })).toBeVisible();
  expect(page.url()).toBe(daemon.url);
  await shootBothSchemes(page, 'daemon-login');
  // The one-time link of this start was used by the first test.
  await page.goto(daemon.loginUrl);
  await expect(page.getByRole('status').filter({ hasText: 'already used or has expired' })).toBeVisible();
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Wrong password' })).toBeVisible();
  await shootBothSchemes(page, 'daemon-login-wrong-password');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible();
  expect(page.url()).toBe(daemon.url);
});

test('a restart of the daemon: "reconnecting", then the same page works again at the same address', async () => {
  await nav(page, 'Folders').click();
  await expect(page.getByRole('heading', { name: 'Folders', level: 1 })).toBeVisible();
  await daemon.proc.stop('SIGTERM');
  await expect(page.getByRole('alert').filter({ hasText: 'Ferry restarted — reconnecting…' })).toBeVisible({ timeout: 15_000 });
  await shootBothSchemes(page, 'daemon-disconnected');
  const before = daemon.url;
  daemon = await startDaemon(join(work, 'daemon'), guiPort);
  expect(daemon.url).toBe(before);
  // The login survived the restart (sessions are kept hashed in the state folder): no sign-in, no new URL.
  await expect(page.getByRole('alert').filter({ hasText: 'reconnecting' })).toBeHidden({ timeout: 30_000 });
  await expect(page.getByRole('heading', { name: 'Folders', level: 1 })).toBeVisible();
  expect(page.url()).toBe(before);
  // Commands reach the new process: a setting changed now is there after a reload.
  await nav(page, 'Settings').click();
  await page.getByLabel('Log level').selectOption('warn');
  await page.reload();
  await expect(page.getByLabel('Log level')).toHaveValue('warn');
  expect(page.url()).toBe(before);
});
