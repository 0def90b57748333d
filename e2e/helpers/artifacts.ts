/** Screenshots for humans to review, saved under e2e-artifacts/ in light and dark. */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from '@playwright/test';

/** Folder the screenshots go to (git-ignored, kept by CI as artifacts). */
export const ARTIFACTS_DIR = resolve('e2e-artifacts');

/** Saves `name`-light.png and `name`-dark.png of the current page, restoring the light scheme after. */
export async function shootBothSchemes(page: Page, name: string, fullPage = false): Promise<void> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
    await page.screenshot({ path: join(ARTIFACTS_DIR, `${name}-${scheme}.png`), fullPage, animations: 'disabled' });
  }
  await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'reduce' });
}
