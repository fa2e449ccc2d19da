// Acceptance: sign in (a wrong password gives a readable error, then the right one works),
// open the catalog and find a component by search; filter by category; import a component.
import { expect, PASSWORD, screenshot, signIn, test, uniqueName, USER } from './fixtures';

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

test('filters the catalog by category and imports a component from pasted YAML', async ({ page }) => {
  await signIn(page, '/catalog');
  const cards = page.locator('[data-testid^="component-card-"]');
  await expect(page.getByTestId('component-card-No-op')).toBeVisible();

  await test.step('a category chip narrows the catalog to that category', async () => {
    await page.getByTestId('category-evaluation').click();
    await expect(page).toHaveURL(/category=evaluation/);
    await expect(page.getByTestId('component-card-Evaluate classifier')).toBeVisible();
    await expect(page.getByTestId('component-card-No-op')).toBeHidden();
    await expect(page.getByTestId('component-card-Train classifier')).toBeHidden();
    for (const tag of await cards.locator('.cat-tag').allTextContents()) expect(tag).toBe('Evaluation');
    await page.getByRole('button', { name: 'All', exact: true }).click();
    await expect(page.getByTestId('component-card-No-op')).toBeVisible();
  });

  await test.step('import a Kubeflow component.yaml pasted into the import dialog', async () => {
    const name = uniqueName('E2E echo');
    await page.getByTestId('import-component').click();
    const dialog = page.getByTestId('import-dialog');
    await expect(dialog).toBeVisible();
    await dialog.getByTestId('import-yaml').fill(
      [
        `name: ${name}`,
        'description: Imported by the browser tests.',
        'metadata: {annotations: {category: test}}',
        'inputs:',
        '- {name: text, type: String, default: hello}',
        'implementation:',
        '  container:',
        '    image: alpine:3',
        '    command: [echo, {inputValue: text}]',
      ].join('\n'),
    );
    await dialog.getByTestId('import-submit').click();
    await expect(dialog.getByTestId('import-result')).toContainText(`Imported ${name} version 1`);
    await dialog.getByRole('button', { name: 'Close', exact: true }).last().click();
    await expect(dialog).toBeHidden();

    // It is in the catalog now, under its category.
    await page.getByTestId('catalog-search').fill(name);
    const card = page.getByTestId(`component-card-${name}`);
    await expect(card).toBeVisible();
    await expect(card).toContainText('Test');
    await page.getByTestId('category-test').click();
    await expect(card).toBeVisible();
    await page.getByTestId('category-training').click();
    await expect(card).toBeHidden();
  });
});
