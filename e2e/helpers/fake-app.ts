/** Test fixture: the built renderer served over http with the in-page fake API installed. */
import { test as base, type Page } from '@playwright/test';
import { installFakeFerry, type FakeScenario } from '../fixtures/fake-ferry';
import { startStaticServer, type StaticServer } from './static-server';

/** Opens the UI in `page` in the given fake scenario. */
export type OpenFake = (scenario: FakeScenario) => Promise<Page>;

/** `test` with `openFake` and a worker-scoped static server. */
export const test = base.extend<{ openFake: OpenFake }, { staticServer: StaticServer }>({
  staticServer: [
    // Playwright reads fixture dependencies from the destructuring pattern: this one needs none.
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const server = await startStaticServer();
      await use(server);
      await server.close();
    },
    { scope: 'worker' },
  ],
  openFake: async ({ page, staticServer }, use) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      // A CSP violation shows up as a console error: fail loudly rather than ship it.
      if (m.type() === 'error') errors.push(m.text());
    });
    await use(async (scenario) => {
      await page.addInitScript(installFakeFerry, scenario);
      await page.goto(staticServer.url);
      await page.getByRole('navigation', { name: 'Main' }).waitFor();
      return page;
    });
    if (errors.length > 0) throw new Error(`page errors:\n${errors.join('\n')}`);
  },
});

export { expect } from '@playwright/test';
