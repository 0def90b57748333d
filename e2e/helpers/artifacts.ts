/** Screenshots for humans to review, saved under e2e-artifacts/ in light and dark. */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from '@playwright/test';

/** Folder the screenshots go to (git-ignored, kept by CI as artifacts). */
export const ARTIFACTS_DIR = resolve('e2e-artifacts');

/**
 * Saves `name`-light.png and `name`-dark.png of the current page, restoring the light scheme after.
 * `fullPage` grows the viewport to the app's scrolling content area (Playwright's fullPage only
 * covers document scrolling, and the app scrolls inside <main>).
 */
export async function shootBothSchemes(page: Page, name: string, fullPage = false): Promise<void> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const viewport = page.viewportSize();
  if (fullPage && viewport) {
    const extra = await page.evaluate(() => {
      const main = document.querySelector('main');
      return main ? main.scrollHeight - main.clientHeight : 0;
    });
    if (extra > 0) await page.setViewportSize({ width: viewport.width, height: viewport.height + extra });
  }
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
    await page.screenshot({ path: join(ARTIFACTS_DIR, `${name}-${scheme}.png`), animations: 'disabled' });
  }
  await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'reduce' });
  if (fullPage && viewport) await page.setViewportSize(viewport);
}
