/** A settings file Ferry cannot read stops the app with one clear dialog and is left as it was. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it, vi } from 'vitest';
import * as fake from './helpers/fake-electron';

vi.mock('electron', async () => await import('./helpers/fake-electron'));
vi.mock('electron-store', async () => await import('./helpers/fake-electron-store'));

const root = mkdtempSync(join(tmpdir(), 'ferry-main-bad-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

it('shows "Ferry cannot read its settings", exits 1, and keeps the file', async () => {
  const file = join(root, 'userData', 'settings.json');
  mkdirSync(join(root, 'userData'), { recursive: true });
  writeFileSync(file, '{ "version": 2, "pairs": "not a list" }');
  fake.control.userDataRoot = root;
  await import('../../src-main/app/main');
  await vi.waitFor(() => expect(fake.record.exitCodes).toEqual([1]));
  expect(fake.record.errorBoxes).toEqual([['Ferry cannot read its settings', expect.stringMatching(/settings\.json cannot be used: pairs must be a list/)]]);
  expect(fake.BrowserWindow.all).toHaveLength(0);
  expect(readFileSync(file, 'utf8')).toBe('{ "version": 2, "pairs": "not a list" }');
});
