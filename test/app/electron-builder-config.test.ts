import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
// electron-builder's own loader and schema validator (app-builder-lib/scheme.json), as `electron-builder` runs them.
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config';
import { DebugLogger } from 'builder-util';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CONFIG = join(ROOT, 'electron-builder.yml');
const tmp = mkdtempSync(join(tmpdir(), 'ferry-builder-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Load a YAML config the way electron-builder does, then validate it against its schema. */
async function loadAndValidate(projectDir: string, file: string) {
  const config = await getConfig(projectDir, file, null);
  await validateConfiguration(config, new DebugLogger(false));
  return config;
}

describe('electron-builder.yml', () => {
  it('passes electron-builder’s schema validation', async () => {
    const config = await loadAndValidate(ROOT, CONFIG);
    expect(config.appId).toBe('dev.ferry.app');
    expect(config.productName).toBe('Ferry');
    expect(config.extraMetadata).toEqual({ main: 'dist/app/main.js' });
    // The loader folds plain patterns into one { filter } entry.
    expect(config.files).toEqual([{ filter: expect.arrayContaining(['dist/**/*', 'package.json', 'assets/**/*']) }]);
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.linux?.category).toBe('Utility');
    expect(config.linux?.maintainer).toBeTruthy();
    expect(config.win?.target).toEqual(['nsis']);
    expect(config.mac?.target).toEqual(['dmg']);
    expect(config.mac?.category).toBe('public.app-category.utilities');
  });

  it('points at icons that exist', async () => {
    const config = await getConfig(ROOT, CONFIG, null);
    for (const icon of [config.linux?.icon, config.win?.icon, config.mac?.icon]) {
      expect(icon, 'icon configured').toBeTypeOf('string');
      expect(existsSync(join(ROOT, icon as string)), `${icon} exists`).toBe(true);
    }
  });

  it('is rejected by the validator once it carries an unknown key', async () => {
    const broken = join(tmp, 'electron-builder.yml');
    writeFileSync(broken, `${readFileSync(CONFIG, 'utf8')}\nlinux2:\n  target: AppImage\n`);
    await expect(loadAndValidate(tmp, broken)).rejects.toThrow(/linux2/);
  });

  it('is rejected for a wrongly typed value', async () => {
    const broken = join(tmp, 'bad-type.yml');
    writeFileSync(broken, readFileSync(CONFIG, 'utf8').replace('asar: true', 'asar: 12'));
    await expect(loadAndValidate(tmp, broken)).rejects.toThrow(/asar/);
  });
});
