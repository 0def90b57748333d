/** The UI against the in-page fake: every page renders, core interactions work, screenshots for review. */
import { expect, test } from '../helpers/fake-app';
import { shootBothSchemes } from '../helpers/artifacts';

test.describe('with a populated fake engine', () => {
  test('every page renders real data; screenshots', async ({ openFake }) => {
    const page = await openFake({ kind: 'rich', shell: 'desktop', transfers: 400 });
    const nav = page.getByRole('navigation', { name: 'Main' });
    await expect(page.getByRole('status', { name: /Overall status: Conflicts to review/ })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Folders', level: 1 })).toBeVisible();
    await expect(page.getByRole('article', { name: 'Documents' }).getByText('Up to date')).toBeVisible();
    await expect(page.getByRole('article', { name: 'Music' }).getByText('FINGERPRINT_MISMATCH')).toBeVisible();
    // Each card shows its pair's mode.
    await expect(page.getByRole('article', { name: 'Documents' }).getByText('Two-way')).toBeVisible();
    await expect(page.getByRole('article', { name: 'Photos' }).getByText('Mirror')).toBeVisible();
    await expect(page.getByRole('article', { name: 'thesis' }).getByText('Receive')).toBeVisible();
    await shootBothSchemes(page, 'ui-folders', true);

    // Edit: the dialog starts from the pair's values and saves through pair:update.
    await page.getByRole('button', { name: 'Edit Photos' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit folder' });
    await expect(edit.getByLabel('Share', { exact: true })).toHaveValue('photos');
    await expect(edit.getByRole('radio', { name: 'Mirror' })).toBeChecked();
    await expect(edit.getByLabel('Overwrite what other devices wrote to this share')).not.toBeChecked();
    await edit.getByLabel('Share', { exact: true }).fill('pictures');
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect(edit).toBeHidden();
    await expect(page.getByRole('article', { name: 'Photos' })).toContainText('nas.home.arpa:7443/pictures');

    await page.getByRole('button', { name: 'Pause all' }).click();
    await expect(page.getByRole('status', { name: 'Overall status: Conflicts to review' })).toBeVisible();
    await expect(page.getByRole('article', { name: 'Documents' }).getByLabel('Status: Paused')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Pause all' })).toBeDisabled();
    await page.getByRole('button', { name: 'Resume all' }).click();
    await expect(page.getByRole('article', { name: 'thesis' }).getByLabel('Status: Up to date')).toBeVisible();

    // A save the engine refuses shows its error under the field it is about, in view, with the buttons still in reach.
    await page.getByRole('button', { name: 'Add folder' }).first().click();
    const add = page.getByRole('dialog', { name: 'Add folder' });
    await add.getByLabel('Local folder', { exact: true }).fill('/home/ana/Documents');
    await add.getByLabel('Server host', { exact: true }).fill('nas.home.arpa');
    await add.getByLabel('Fingerprint', { exact: true }).fill('a1'.repeat(32));
    await add.getByLabel('Token', { exact: true }).fill('fy_secret');
    await add.getByRole('button', { name: 'Start' }).click();
    const taken = add.getByRole('alert').filter({ hasText: 'already synced by another folder pair' });
    await expect(taken).toBeInViewport();
    await expect(add.getByLabel('Local folder', { exact: true })).toHaveAttribute('aria-invalid', 'true');
    await expect(add.getByRole('button', { name: 'Start' })).toBeInViewport();
    await shootBothSchemes(page, 'ui-add-folder-save-error');
    await add.getByRole('button', { name: 'Cancel' }).click();
    await expect(add).toBeHidden();

    await nav.getByRole('button', { name: 'Activity' }).click();
    await expect(page.getByRole('heading', { name: 'Activity', level: 1 })).toBeVisible();
    await expect(page.getByRole('list', { name: 'Transfers' }).getByRole('listitem').first()).toBeVisible();
    await shootBothSchemes(page, 'ui-activity');

    await nav.getByRole('button', { name: /Conflicts/ }).click();
    await expect(page.getByRole('article', { name: 'Budget/2026 household.ods' })).toBeVisible();
    await shootBothSchemes(page, 'ui-conflicts', true);
    await page.getByRole('article', { name: 'Notes/packing list.md' }).getByRole('button', { name: 'Keep server’s' }).click();
    await expect(page.getByRole('article', { name: 'Notes/packing list.md' })).toBeHidden();
    await expect(page.getByText('2 resolved conflicts')).toBeVisible();
    await expect(nav.getByRole('button', { name: 'Conflicts, 1 open' })).toBeVisible();

    await nav.getByRole('button', { name: /Server/ }).click();
    await expect(page.getByRole('table', { name: 'Connected clients' }).getByText('ana-laptop')).toBeVisible();
    await shootBothSchemes(page, 'ui-server', true);

    await nav.getByRole('button', { name: 'Settings' }).click();
    await expect(page.getByLabel('Log level')).toHaveValue('info');
    await shootBothSchemes(page, 'ui-settings');
  });

  test('activity with 100,000 transfers stays virtualised and filters', async ({ openFake }) => {
    const page = await openFake({ kind: 'rich', shell: 'desktop', transfers: 100_000 });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Activity' }).click();
    // transfers:recent hands over the newest few thousand; the rest arrive as transfersUpdated batches.
    await page.evaluate(() => (window as unknown as { __fake: { replayAll(): void } }).__fake.replayAll());
    await expect(page.getByText('100,000 transfers')).toBeVisible();
    // Virtualised: only a screenful of rows is in the DOM.
    expect(await page.getByRole('list', { name: 'Transfers' }).getByRole('listitem').count()).toBeLessThan(60);
    // No wall-clock bound here (a loaded machine must not fail a test): the virtualised list above is what
    // keeps it fast, and the expect timeouts bound each step.
    await page.getByLabel('Path contains').fill('report-99');
    await expect(page.getByText(/\d+ shown/)).toBeVisible();
    await page.getByLabel('Kind').selectOption('delete');
    await expect(page.getByText('Nothing matches these filters')).toBeVisible();
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByLabel('Folder', { exact: true }).selectOption({ label: 'Photos' });
    await expect(page.getByRole('list', { name: 'Transfers' }).getByRole('listitem').first()).toBeVisible();
  });
});

test.describe('starting from nothing', () => {
  test('paste an invite into Add folder: every server field filled, the address that answers chosen', async ({ openFake }) => {
    const page = await openFake({ kind: 'empty', shell: 'web' });
    await page.getByRole('button', { name: 'Add folder' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Add folder' });
    await dialog.getByLabel('Paste invite').fill('ferry1:not-an-invite');
    await expect(dialog.getByText(/damaged or incomplete|cannot be part of an invite/)).toBeVisible();
    // The fake's invite to 192.168.1.20, 10.8.0.1 and 127.0.0.1:7443 (e2e/fixtures/fake-ferry.ts).
    const invite = await page.evaluate(() => (window as unknown as { __fakeInvite: string }).__fakeInvite);
    await dialog.getByLabel('Paste invite').fill(invite);
    await expect(dialog.getByText('Filled in from the invite: 192.168.1.20, share “default”.')).toBeVisible();
    await expect(dialog.getByLabel('Server host', { exact: true })).toHaveValue('192.168.1.20');
    await expect(dialog.getByLabel('Port', { exact: true })).toHaveValue('7443');
    await expect(dialog.getByLabel('Share', { exact: true })).toHaveValue('default');
    await expect(dialog.getByLabel('Fingerprint', { exact: true })).toHaveValue(/^A1:B2:C3/);
    await expect(dialog.getByLabel('Token', { exact: true })).toHaveValue(/^fy_/);
    await expect(dialog.getByText(/Connected to/)).toBeVisible();
    await shootBothSchemes(page, 'ui-add-folder-invite');
  });

  test('add a folder: test connection good and bad, start it', async ({ openFake }) => {
    const page = await openFake({ kind: 'empty', shell: 'web' });
    await expect(page.getByText('No folders yet').first()).toBeVisible();
    await shootBothSchemes(page, 'ui-folders-empty');
    await page.getByRole('button', { name: 'Add folder' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Add folder' });
    // Saving an empty form names the first missing field right under it.
    await dialog.getByRole('button', { name: 'Start' }).click();
    await expect(dialog.getByRole('alert').filter({ hasText: 'Choose the local folder to sync.' })).toBeInViewport();
    await expect(dialog.getByLabel('Local folder', { exact: true })).toBeFocused();
    await dialog.getByRole('button', { name: 'Choose…' }).click();
    const browser = page.getByRole('dialog', { name: 'Choose a folder' });
    await browser.getByRole('button', { name: 'Documents' }).click();
    await expect(browser.getByLabel('Current folder')).toHaveText('/home/ana/Documents');
    await browser.getByRole('button', { name: 'Use this folder' }).click();
    await expect(dialog.getByLabel('Local folder', { exact: true })).toHaveValue('/home/ana/Documents');
    await dialog.getByLabel('Server host', { exact: true }).fill('nas.local');
    await dialog.getByLabel('Fingerprint', { exact: true }).fill('00'.repeat(32));
    await dialog.getByLabel('Token', { exact: true }).fill('fy_secret');
    await dialog.getByRole('button', { name: 'Test connection' }).click();
    await expect(dialog.getByRole('alert').filter({ hasText: 'FINGERPRINT_MISMATCH' })).toBeVisible();
    // The result lands below the button; it is scrolled into view, not left under the footer.
    await expect(dialog.getByRole('alert').filter({ hasText: 'FINGERPRINT_MISMATCH' })).toBeInViewport();
    await shootBothSchemes(page, 'ui-add-folder-bad');
    await dialog.getByLabel('Fingerprint', { exact: true }).fill('a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90');
    await dialog.getByRole('button', { name: 'Test connection' }).click();
    await expect(dialog.getByRole('status')).toContainText('Connected to nas.local');
    await shootBothSchemes(page, 'ui-add-folder-ok');
    // Three modes, one sentence each; two-way for a new pair; mirror alone offers overwriting others' changes.
    await expect(dialog.getByRole('radio', { name: 'Two-way' })).toBeChecked();
    await expect(dialog.getByText('Changes on any device show up everywhere.')).toBeVisible();
    await expect(dialog.getByText('This folder follows the server; changes made here are not sent.')).toBeVisible();
    const overwrite = dialog.getByLabel('Overwrite what other devices wrote to this share');
    await expect(overwrite).toBeHidden();
    await dialog.getByText('The server becomes an exact copy of this folder', { exact: false }).click();
    await expect(dialog.getByRole('radio', { name: 'Mirror' })).toBeChecked();
    await expect(overwrite).not.toBeChecked();
    await overwrite.check();
    await dialog.getByRole('radio', { name: 'Mirror' }).scrollIntoViewIfNeeded();
    await shootBothSchemes(page, 'ui-add-folder-modes');
    await dialog.getByRole('radio', { name: 'Receive' }).check();
    await expect(overwrite).toBeHidden();
    await dialog.getByRole('button', { name: 'Start' }).click();
    await expect(dialog).toBeHidden();
    const card = page.getByRole('article', { name: 'Documents' });
    await expect(card.getByText('Up to date')).toBeVisible();
    await expect(card.getByText('Receive')).toBeVisible();
    await card.getByRole('button', { name: 'Pause Documents' }).click();
    await expect(card.getByText('Paused')).toBeVisible();
    await card.getByRole('button', { name: 'Resume Documents' }).click();
    await expect(card.getByText('Up to date')).toBeVisible();
    await card.getByRole('button', { name: 'Remove Documents' }).click();
    await page.getByRole('dialog', { name: 'Remove this folder?' }).getByRole('button', { name: 'Remove' }).click();
    await expect(page.getByText('No folders yet').first()).toBeVisible();
  });

  test('server mode, tokens and settings', async ({ openFake }) => {
    const page = await openFake({ kind: 'empty', shell: 'web' });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: /Server/ }).click();
    await page.getByRole('switch', { name: 'Server mode' }).check();
    await expect(page.getByLabel('Server fingerprint')).toContainText('A1:B2');
    // Reachable addresses, never the 0.0.0.0 it listens on; the first start's token is shown once as an invite.
    await expect(page.getByLabel('Server status: Running on 192.168.1.20:7443')).toBeVisible();
    await expect(page.getByLabel('Reachable addresses')).toContainText('10.8.0.1:7443');
    await expect(page.getByLabel('Reachable addresses')).not.toContainText('0.0.0.0');
    const panel = page.getByRole('region', { name: 'New invite' });
    await expect(panel.getByText('Your first invite')).toBeVisible();
    await expect(panel.getByLabel('Invite', { exact: true })).toHaveText(/^ferry1:[A-Za-z0-9_-]{100,}$/);
    await expect(panel.getByRole('img', { name: /QR code of the invite/ })).toBeVisible();
    await shootBothSchemes(page, 'ui-server-first-invite', true);

    await page.getByLabel('Device name').fill('Laptop');
    await page.getByRole('button', { name: 'New invite' }).click();
    await expect(panel.getByText('Invite for Laptop')).toBeVisible();
    await expect(panel.getByLabel('Invite', { exact: true })).toHaveText(/^ferry1:/);
    await expect(panel.getByLabel('New token', { exact: true })).toHaveText(/^fy_/);
    await expect(page.getByRole('table', { name: 'Tokens' }).getByRole('row', { name: /Laptop/ })).toContainText('Never');
    await shootBothSchemes(page, 'ui-server-new-token', true);
    await panel.getByRole('button', { name: 'Done' }).click();
    await expect(panel).toBeHidden();
    await page.getByRole('button', { name: 'Revoke Laptop' }).click();
    await page.getByRole('dialog', { name: 'Revoke this token?' }).getByRole('button', { name: 'Revoke' }).click();
    await expect(page.getByRole('table', { name: 'Tokens' }).getByRole('row', { name: /Laptop/ })).toBeHidden();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Settings' }).click();
    await page.getByLabel('Start Ferry at login').uncheck();
    await expect(page.getByLabel('Start Ferry at login')).not.toBeChecked();
    await page.getByLabel('Log level').selectOption('debug');
    await expect(page.getByLabel('Log level')).toHaveValue('debug');
  });
});

test('a small desktop window keeps every page usable', async ({ openFake }) => {
  const page = await openFake({ kind: 'rich', shell: 'desktop', transfers: 200 });
  await page.setViewportSize({ width: 880, height: 600 });
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(page.getByRole('article', { name: 'Documents' })).toBeVisible();
  await shootBothSchemes(page, 'ui-small-folders');
  await nav.getByRole('button', { name: /Activity/ }).click();
  await expect(page.getByRole('list', { name: 'Transfers' }).getByRole('listitem').first()).toBeVisible();
  await shootBothSchemes(page, 'ui-small-activity');
  await nav.getByRole('button', { name: /Server/ }).click();
  await shootBothSchemes(page, 'ui-small-server');
  // The Add folder dialog is taller than this window: its fields scroll, its buttons stay in view.
  await nav.getByRole('button', { name: /Folders/ }).click();
  await page.getByRole('button', { name: 'Add folder' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Add folder' });
  await expect(dialog.getByRole('button', { name: 'Start' })).toBeInViewport({ ratio: 1 });
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeInViewport({ ratio: 1 });
  await shootBothSchemes(page, 'ui-small-add-folder');
});
