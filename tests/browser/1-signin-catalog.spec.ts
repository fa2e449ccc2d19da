// Acceptance: sign in (a wrong password gives a readable error, then the right one works),
// open the catalog and find a component by search.
import { expect, PASSWORD, screenshot, test, USER } from './fixtures';

test('signs in after a wrong password and finds a component in the catalog', async ({ page, console }) => {
  // A protected page sends a signed-out visitor to the sign-in form, remembering where they were going.
  await page.goto('/catalog');
  await expect(page).toHaveURL(/\/login\?next=%2Fcatalog/);
  await expect(page.getByRole('form', { name: 'Sign in' })).toBeVisible();

  await page.getByLabel('Username').fill(USER);
  await page.getByLabel('Password').fill('not-the-password');
  // Chromium logs the refused request itself ("Failed to load resource: … 400/401"); that one is expected.
  await console.expectErrors(/Failed to load resource.*\/api\/auth\/login\//, async () => {
    await page.getByRole('button', { name: 'Sign in' }).click();
    const error = page.getByTestId('error-message');
    await expect(error).toBeVisible();
    // Readable: a sentence, not a status code or a JSON dump.
    await expect(error).toContainText(/password/i);
    await expect(error).not.toContainText('{');
    await expect(error).not.toHaveText(/^\s*Request failed \(\d+\)/);
    await screenshot(page, '00-signin-error');
  });
  await expect(page).toHaveURL(/\/login/);

  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/catalog$/);
  await expect(page.getByTestId('current-user')).toHaveText(USER);
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Catalog' })).toHaveClass(/active/);

  // The whole library is listed, then a search narrows it down.
  await expect(page.getByRole('heading', { name: 'Component catalog' })).toBeVisible();
  const cards = page.locator('[data-testid^="component-card-"]');
  await expect(page.getByTestId('component-card-No-op')).toBeVisible();
  const all = await cards.count();
  expect(all).toBeGreaterThanOrEqual(8);

  await page.getByTestId('catalog-search').fill('confusion matrix');
  const evaluate = page.getByTestId('component-card-Evaluate classifier');
  await expect(evaluate).toBeVisible();
  await expect(page.getByTestId('component-card-No-op')).toBeHidden();
  await expect(page).toHaveURL(/search=confusion/);
  expect(await cards.count()).toBeLessThan(all);
  // The card shows the category and the typed signature.
  await expect(evaluate).toContainText('Evaluation');
  await expect(evaluate.locator('.sig-port', { hasText: 'model' })).toContainText('Model');
  await screenshot(page, '01-catalog-search');

  // A search that matches nothing says so.
  await page.getByTestId('catalog-search').fill('zzz-no-such-component');
  await expect(page.getByText(/No component matches/)).toBeVisible();

  // The detail view lists every input with its type and default.
  await page.getByTestId('catalog-search').fill('split');
  await page.getByTestId('component-card-Train/test split').click();
  await expect(page.getByRole('heading', { level: 1, name: 'Train/test split' })).toBeVisible();
  const inputs = page.getByTestId('component-inputs');
  await expect(inputs).toContainText('test_fraction');
  await expect(inputs).toContainText('Float');
  await expect(inputs).toContainText('0.2');
  await expect(page.getByTestId('component-image')).toContainText('pipeline-studio/sklearn');
  await screenshot(page, '02-component-detail');
});
