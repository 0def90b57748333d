/** The Versions view against the in-page fake: opened from a pair card, an Activity row and a conflict; filter; restore; screenshots. */
import { expect, test } from '../helpers/fake-app';
import { shootBothSchemes } from '../helpers/artifacts';

test('Versions: per pair and per file, filter, restore to place and beside', async ({ openFake }) => {
  const page = await openFake({ kind: 'rich', shell: 'desktop', transfers: 40 });
  await page.getByRole('button', { name: 'Versions of Documents' }).click();
  const dialog = page.getByRole('dialog', { name: 'Versions · Documents' });
  const list = dialog.getByRole('list', { name: 'Kept versions' });
  await expect(list.getByRole('listitem')).toHaveCount(7);
  await expect(dialog.getByText('Kept for 30 days.')).toBeVisible();
  // Newest first, grouped by day, with who replaced or deleted each.
  await expect(list.getByRole('listitem').first()).toHaveAccessibleName(/^Budget\/2026 household\.ods, replaced by Office desktop/);
  await expect(list.getByRole('listitem', { name: /^Notes\/packing list\.md, deleted by Office desktop/ })).toBeVisible();
  await expect(list.getByRole('listitem', { name: /Letters\/landlord 2026-11\.docx, replaced by This device/ })).toBeVisible();
  await expect(dialog.getByRole('region', { name: 'Today' })).toBeVisible();
  await shootBothSchemes(page, 'ui-versions');

  // Filter: only deleted ones, then by text.
  await dialog.getByRole('button', { name: /^Deleted/ }).click();
  await expect(list.getByRole('listitem')).toHaveCount(3);
  await dialog.getByRole('button', { name: 'All' }).click();
  await dialog.getByLabel('Filter versions').fill('phone');
  await expect(list.getByRole('listitem')).toHaveCount(1);
  await expect(list.getByRole('listitem').first()).toHaveAccessibleName(/^Scans\/old receipts, folder deleted by Ana’s phone/);
  await dialog.getByLabel('Filter versions').fill('');

  // Restore a deleted file to its place: the row says where it went and is no longer "deleted".
  const packing = list.getByRole('listitem', { name: /^Notes\/packing list\.md/ });
  await packing.getByRole('button', { name: 'Restore Notes/packing list.md', exact: true }).click();
  await expect(packing.getByText('Restored to Notes/packing list.md')).toBeVisible();
  await expect(packing).toHaveAccessibleName(/^Notes\/packing list\.md, replaced by/);
  await expect(dialog.getByRole('status')).toHaveText('Restored to Notes/packing list.md');
  // Restore beside: a new name next to the file.
  const budget = list.getByRole('listitem').first();
  await budget.getByRole('button', { name: 'Restore Budget/2026 household.ods beside it' }).click();
  await expect(budget.getByText('Restored to Budget/2026 household (restored 2026-12-04 15.30).ods')).toBeVisible();
  await shootBothSchemes(page, 'ui-versions-restored');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();

  // Per file, from a conflict card: only that file's versions, and a way to widen to the whole pair.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: /Conflicts/ }).click();
  await page.getByRole('article', { name: 'Budget/2026 household.ods' }).getByRole('button', { name: 'Versions of Budget/2026 household.ods' }).click();
  const one = page.getByRole('dialog', { name: 'Versions of 2026 household.ods' });
  await expect(one.getByRole('list', { name: 'Kept versions' }).getByRole('listitem')).toHaveCount(2);
  await shootBothSchemes(page, 'ui-versions-file');
  await one.getByRole('button', { name: 'Show everything in Documents' }).click();
  await expect(page.getByRole('dialog', { name: 'Versions · Documents' }).getByRole('list', { name: 'Kept versions' }).getByRole('listitem')).toHaveCount(7);
  await page.keyboard.press('Escape');

  // Per file, from an Activity row.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Activity' }).click();
  const link = page.getByRole('list', { name: 'Transfers' }).getByRole('button', { name: /^Versions of / }).first();
  await expect(link).toBeVisible();
  const name = (await link.getAttribute('aria-label'))!.replace(/^Versions of /, '');
  await link.click();
  await expect(page.getByRole('dialog', { name: `Versions of ${name.split('/').pop()!}` })).toBeVisible();
});
