/**
 * Restore from the Versions view against the real processes: `ferry serve`, `ferry daemon --gui` with a mirror
 * pair, Chromium on the web GUI. A file deleted in the folder (so on the server too, kept as a version) comes back.
 */
import { expect, test, type Page } from '@playwright/test';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { killAllFerry, startServe, type ServeInfo } from '../../test/helpers/ferry-procs';
import { cleanupTempDirs, tempDir } from '../../test/helpers/trees';
import { shootBothSchemes } from '../helpers/artifacts';
import { freePort, startDaemon } from '../helpers/daemon';

let serverRoot: string;
let localDir: string;
let serve: ServeInfo;
let page: Page;
const pageErrors: string[] = [];

async function readOrNull(path: string): Promise<string | null> {
  return readFile(path, 'utf8').catch(() => null);
}

test.beforeAll(async ({ browser }) => {
  const work = await tempDir('ferry-e2e-versions-');
  serverRoot = join(work, 'server-root');
  localDir = join(work, 'Projects');
  await mkdir(serverRoot, { recursive: true });
  await mkdir(join(localDir, 'plans'), { recursive: true });
  await writeFile(join(localDir, 'plans', 'garden plan.txt'), 'raised beds along the south fence\n');
  await writeFile(join(localDir, 'todo.txt'), 'order seeds\n');
  serve = await startServe(serverRoot, join(work, 'server-state'));
  const daemon = await startDaemon(join(work, 'daemon'), await freePort());
  page = await browser.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/WebSocket|ERR_CONNECTION_REFUSED|status of 401/.test(m.text())) pageErrors.push(m.text());
  });
  await page.goto(daemon.loginUrl);
  await page.getByLabel('New password').fill('e2e versions password');
  await page.getByLabel('Repeat password').fill('e2e versions password');
  await page.getByRole('button', { name: 'Save password' }).click();
  await expect(page.getByRole('heading', { name: 'Folders', level: 1 })).toBeVisible();
});

test.afterAll(async () => {
  await page?.close();
  await killAllFerry();
  await cleanupTempDirs();
});

test('a deleted file is restored from the Versions view and appears back in the folder', async () => {
  // A mirror pair: the folder is the truth, so the restore lands in the folder and is sent from there.
  await page.getByRole('button', { name: 'Add folder' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Add folder' });
  await dialog.getByLabel('Local folder', { exact: true }).fill(localDir);
  await dialog.getByLabel('Server host', { exact: true }).fill('127.0.0.1');
  await dialog.getByLabel('Port', { exact: true }).fill(String(serve.port));
  await dialog.getByLabel('Fingerprint', { exact: true }).fill(serve.fingerprint);
  await dialog.getByLabel('Token', { exact: true }).fill(serve.token);
  await dialog.getByRole('radio', { name: 'Mirror' }).check();
  await dialog.getByRole('button', { name: 'Start' }).click();
  await expect(dialog).toBeHidden();
  const card = page.getByRole('article', { name: 'Projects' });
  await expect(card.getByLabel('Status: Up to date')).toBeVisible({ timeout: 30_000 });
  const onServer = join(serverRoot, 'plans', 'garden plan.txt');
  await expect.poll(() => readOrNull(onServer), { timeout: 20_000 }).toBe('raised beds along the south fence\n');

  // Deleted here: the mirror deletes it on the server, which keeps it as a version.
  await rm(join(localDir, 'plans', 'garden plan.txt'));
  await expect.poll(() => readOrNull(onServer), { timeout: 20_000 }).toBeNull();

  await card.getByRole('button', { name: 'Versions of Projects' }).click();
  const versions = page.getByRole('dialog', { name: 'Versions · Projects' });
  const row = versions.getByRole('listitem').filter({ hasText: 'garden plan.txt' });
  await expect(row).toHaveAccessibleName(/^plans\/garden plan\.txt, deleted by This device/, { timeout: 20_000 });
  await expect(versions.getByText('Kept for 30 days.')).toBeVisible();
  await shootBothSchemes(page, 'daemon-versions');

  await row.getByRole('button', { name: 'Restore plans/garden plan.txt', exact: true }).click();
  await expect(row.getByText('Restored to plans/garden plan.txt')).toBeVisible({ timeout: 20_000 });
  // Back in the folder, and (sent like any change) on the server again.
  await expect.poll(() => readOrNull(join(localDir, 'plans', 'garden plan.txt')), { timeout: 20_000 }).toBe('raised beds along the south fence\n');
  await expect.poll(() => readOrNull(onServer), { timeout: 20_000 }).toBe('raised beds along the south fence\n');
  await expect(row).toHaveAccessibleName(/^plans\/garden plan\.txt, replaced by This device/, { timeout: 20_000 });
  // Only the restored file is listed again: the download's temp file never reached the server.
  await expect(versions.getByRole('listitem')).toHaveCount(1);
  await shootBothSchemes(page, 'daemon-versions-restored');
  expect(pageErrors, 'errors in the page').toEqual([]);
});
