// Acceptance: create a pipeline by dragging components from the palette, connect them,
// set a parameter, save; see an invalid connection refused; run it and watch every node
// turn completed; open a step's log and the evaluation step's confusion matrix and ROC curve.
import type { Locator, Page } from '@playwright/test';
import { Api, expect, screenshot, signIn, test, uniqueName, USER } from './fixtures';

/** Drags a palette item onto the canvas with real HTML5 drag and drop; `at` is relative to the canvas. */
async function dragFromPalette(page: Page, component: string, at: { x: number; y: number }): Promise<void> {
  const before = await page.locator('.react-flow__node').count();
  await page.getByTestId(`palette-item-${component}`).dragTo(page.getByTestId('canvas'), { targetPosition: at });
  await expect(page.locator('.react-flow__node')).toHaveCount(before + 1);
}

/** Draws an edge the way a person does: press on one handle, move, release on another. */
async function drawEdge(page: Page, from: Locator, to: Locator): Promise<void> {
  const a = await from.boundingBox();
  const b = await to.boundingBox();
  if (!a || !b) throw new Error('handle not on screen');
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 5 });
  await page.mouse.up();
}

const handle = (page: Page, node: string, side: 'in' | 'out', port: string): Locator =>
  page.getByTestId(`handle-${node}-${side}-${port}`);

// Node ids are derived from the component names.
const LOAD = 'load-built-in-dataset';
const SPLIT = 'train-test-split';
const TRAIN = 'train-classifier';
const EVALUATE = 'evaluate-classifier';
const STEPS = [LOAD, SPLIT, TRAIN, EVALUATE];

test('builds a pipeline by drag and drop, saves it, runs it and inspects the results', async ({ page, request }) => {
  const name = uniqueName('E2E iris');
  await signIn(page);

  await test.step('a new pipeline from the pipelines list', async () => {
    await page.getByTestId('new-pipeline').click();
    await expect(page).toHaveURL(/\/pipelines\/new$/);
    await page.getByTestId('pipeline-name').fill(name);
    await expect(page.getByTestId('palette-item-Load built-in dataset')).toBeVisible();
  });

  await test.step('drag four components from the palette onto the canvas', async () => {
    // At zoom 1 a step is 260px wide and lands 20px up-left of the drop point. The producers are
    // stacked on the left, the evaluation on the right, so every handle to draw from stays clear of
    // the canvas edges (the canvas pans by itself when a connection is dragged near its border).
    await dragFromPalette(page, 'Load built-in dataset', { x: 70, y: 80 });
    // The step lands where it was dropped, at zoom 1: the view does not jump to the first step.
    const canvasBox = (await page.getByTestId('canvas').boundingBox())!;
    const first = (await page.getByTestId(`node-${LOAD}`).boundingBox())!;
    expect(Math.abs(first.x - (canvasBox.x + 50))).toBeLessThan(3);
    expect(Math.abs(first.y - (canvasBox.y + 60))).toBeLessThan(3);
    expect(Math.round(first.width)).toBe(260);
    await dragFromPalette(page, 'Train/test split', { x: 70, y: 200 });
    // The palette's search narrows the list; dragging from a filtered list works the same.
    await page.getByTestId('palette-search').fill('classifier');
    await expect(page.getByTestId('palette-item-Load built-in dataset')).toBeHidden();
    await dragFromPalette(page, 'Train classifier', { x: 70, y: 400 });
    await dragFromPalette(page, 'Evaluate classifier', { x: 350, y: 260 });
    await page.getByTestId('palette-search').fill('');
    for (const id of STEPS) await expect(page.getByTestId(`node-${id}`)).toBeVisible();
    // Nothing is wired yet: the editor lists the unbound required inputs as problems.
    await expect(page.getByTestId('problem-count')).toBeVisible();
    await expect(page.getByTestId(`node-problems-${SPLIT}`)).toBeVisible();
  });

  await test.step('an incompatible connection is refused with the reason', async () => {
    await drawEdge(page, handle(page, LOAD, 'out', 'table'), handle(page, EVALUATE, 'in', 'model'));
    const banner = page.getByTestId('connection-error');
    await expect(banner).toBeVisible();
    await expect(banner).toContainText(/Type mismatch.*'table' is Dataset.*'model' expects Model/);
    await expect(page.locator('.react-flow__edge')).toHaveCount(0);
    await banner.getByRole('button', { name: 'Dismiss' }).click();
    await expect(banner).toBeHidden();
  });

  await test.step('connect outputs to inputs', async () => {
    await drawEdge(page, handle(page, LOAD, 'out', 'table'), handle(page, SPLIT, 'in', 'data'));
    await expect(page.locator('.react-flow__edge')).toHaveCount(1);
    await drawEdge(page, handle(page, SPLIT, 'out', 'train'), handle(page, TRAIN, 'in', 'training_data'));
    await drawEdge(page, handle(page, TRAIN, 'out', 'model'), handle(page, EVALUATE, 'in', 'model'));
    await drawEdge(page, handle(page, SPLIT, 'out', 'test'), handle(page, EVALUATE, 'in', 'test_data'));
    await expect(page.locator('.react-flow__edge')).toHaveCount(4);
    await expect(page.getByTestId('connection-error')).toBeHidden();
    // Every required input is bound now.
    await expect(page.getByTestId('problem-count')).toBeHidden();
    await screenshot(page, '03-editor-connected');
  });

  await test.step('set parameters in the properties panel', async () => {
    // A constant: the split's test fraction.
    await page.getByTestId(`node-${SPLIT}`).locator('.step-head').click();
    const panel = page.getByTestId('properties-panel');
    await expect(panel).toContainText('Train/test split');
    await panel.getByTestId('bind-mode-test_fraction').selectOption('value');
    await panel.getByTestId('value-test_fraction').fill('0.3');
    await expect(page.getByTestId(`node-${SPLIT}`)).toContainText('0.3');
    // A pipeline parameter: the number of trees, asked for when the run starts.
    await page.getByTestId(`node-${TRAIN}`).locator('.step-head').click();
    await expect(panel).toContainText('Train classifier');
    await panel.getByTestId('bind-mode-n_estimators').selectOption('parameter');
    await expect(panel.getByTestId('bind-param-n_estimators')).toHaveValue('n_estimators');
    await expect(page.getByTestId(`node-${TRAIN}`)).toContainText('{n_estimators}');
    await page.getByTestId('tab-pipeline').click();
    await expect(page.getByTestId('param-name-0')).toHaveValue('n_estimators');
    await expect(page.getByTestId('unsaved')).toBeVisible();
    await page.getByTestId(`node-${SPLIT}`).locator('.step-head').click();
    await expect(page.getByTestId('value-test_fraction')).toHaveValue('0.3');
    await screenshot(page, '04-editor-properties');
  });

  await test.step('tidy up with auto-layout', async () => {
    await page.getByTestId('auto-layout').click();
    // Left to right in data-flow order, all in view.
    await expect
      .poll(async () => {
        const xs = await Promise.all(STEPS.map(async (id) => (await page.getByTestId(`node-${id}`).boundingBox())?.x ?? NaN));
        return xs.every((x, i) => i === 0 || x > xs[i - 1]!);
      })
      .toBe(true);
    for (const id of STEPS) await expect(page.getByTestId(`node-${id}`)).toBeInViewport();
    await screenshot(page, '05-editor-auto-layout');
  });

  let pipelineId = 0;
  await test.step('save with a message', async () => {
    await page.getByTestId('save').click();
    const dialog = page.getByTestId('save-dialog');
    await expect(dialog).toBeVisible();
    await dialog.getByTestId('save-message').fill('Iris, built in the browser');
    await dialog.getByTestId('save-confirm').click();
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId('toast').filter({ hasText: 'version 1' })).toBeVisible();
    await expect(page).toHaveURL(/\/pipelines\/\d+$/);
    await expect(page.getByTestId('unsaved')).toBeHidden();
    pipelineId = Number(new URL(page.url()).pathname.split('/').pop());

    // What reached the server is the graph format of DESIGN.md, as drawn.
    const api = await Api.connect(request);
    const saved = await api.get<{
      name: string;
      latest_version: {
        number: number;
        message: string;
        parameters: Array<{ name: string; type: string; default: unknown }>;
        graph: { nodes: Array<{ id: string; arguments: Record<string, unknown> }> };
      };
    }>(`/api/pipelines/${pipelineId}/`);
    expect(saved.name).toBe(name);
    expect(saved.latest_version.number).toBe(1);
    expect(saved.latest_version.message).toBe('Iris, built in the browser');
    expect(saved.latest_version.parameters).toEqual([expect.objectContaining({ name: 'n_estimators', type: 'Integer', default: 100 })]);
    const args = Object.fromEntries(saved.latest_version.graph.nodes.map((n) => [n.id, n.arguments]));
    expect(Object.keys(args).sort()).toEqual([...STEPS].sort());
    expect(args[SPLIT]).toMatchObject({ data: { from: { node: LOAD, output: 'table' } }, test_fraction: { value: 0.3 } });
    expect(args[TRAIN]).toMatchObject({ training_data: { from: { node: SPLIT, output: 'train' } }, n_estimators: { parameter: 'n_estimators' } });
    expect(args[EVALUATE]).toMatchObject({
      model: { from: { node: TRAIN, output: 'model' } },
      test_data: { from: { node: SPLIT, output: 'test' } },
    });
  });

  await test.step('run it with the default parameters', async () => {
    await page.getByTestId('run').click();
    const dialog = page.getByTestId('run-dialog');
    await expect(dialog).toBeVisible();
    await expect(dialog.getByTestId('run-param-n_estimators')).toHaveValue('100');
    await dialog.getByTestId('run-start').click();
    await expect(page).toHaveURL(/\/runs\/\d+/);
    await expect(page.getByTestId('run-trigger')).toHaveText(`Started by ${USER}`);
    await expect(page.locator('.param-chip', { hasText: 'n_estimators' })).toContainText('100');
  });

  await test.step('every node turns completed', async () => {
    await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', /pending|running/);
    for (const id of STEPS) {
      await expect(page.getByTestId(`node-${id}`)).toHaveAttribute('data-status', 'completed', { timeout: 120_000 });
    }
    await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'completed');
    await expect(page.getByTestId('abort')).toBeHidden();
    await expect(page.getByTestId('run-duration')).not.toHaveText('—');
    await screenshot(page, '06-run-completed');
  });

  await test.step("a step's log opens in the drawer", async () => {
    await page.getByTestId(`node-${LOAD}`).click();
    const drawer = page.getByTestId('step-drawer');
    await expect(drawer).toBeVisible();
    // The drawer is wider than the step list it replaces: the graph is fitted again, none of it underneath.
    await expect
      .poll(async () => {
        const edge = (await drawer.boundingBox())?.x ?? 0;
        const rights = await Promise.all(
          STEPS.map(async (id) => {
            const box = await page.getByTestId(`node-${id}`).boundingBox();
            return box ? box.x + box.width : Infinity;
          }),
        );
        return Math.max(...rights) <= edge;
      })
      .toBe(true);
    await expect(drawer.getByTestId('step-status')).toHaveAttribute('data-status', 'completed');
    await expect(drawer.getByTestId('step-log')).toContainText("loading scikit-learn dataset 'iris'");
    await expect(drawer.getByTestId('step-log')).toContainText('wrote 150 rows');
    const table = drawer.getByTestId('artifact-table');
    await expect(table).toBeVisible();
    // The output table is previewed: the iris columns and the first rows of 150.
    const preview = table.getByTestId('table-preview');
    await expect(preview).toBeVisible();
    await expect(preview.locator('th').first()).toBeVisible();
    await expect(preview).toContainText(/of 150 rows/);
    // Its download link serves the bytes (with the page's session).
    const href = await table.getByTestId('download-table').getAttribute('href');
    expect(href).toMatch(/^\/api\/artifacts\/\d+\/download\/$/);
    const download = await page.request.get(href!);
    expect(download.status()).toBe(200);
    expect((await download.body()).length).toBeGreaterThan(100);
    // The step is over: after a last read the log stops following.
    await expect(drawer.getByText('● live')).toBeHidden();
    await screenshot(page, '07-run-step-log');
  });

  await test.step("the evaluation step's metrics, confusion matrix and ROC curve", async () => {
    await page.getByTestId(`node-${EVALUATE}`).click();
    const drawer = page.getByTestId('step-drawer');
    await expect(drawer).toContainText(EVALUATE);
    await expect(drawer.getByTestId('metrics')).toContainText('accuracy');
    const matrix = drawer.getByTestId('confusion-matrix');
    await expect(matrix).toBeVisible();
    // Iris has three classes: a 3×3 heatmap whose cells sum to the test rows (30% of 150).
    await expect(matrix.locator('[data-testid^="cm-cell-"]')).toHaveCount(9);
    for (const label of ['setosa', 'versicolor', 'virginica']) await expect(matrix).toContainText(label);
    const counts = await matrix.locator('text.cell-text').allTextContents();
    expect(counts.map(Number).reduce((a, b) => a + b, 0)).toBe(45);
    await matrix.scrollIntoViewIfNeeded();
    await screenshot(page, '08-run-confusion-matrix');
    const roc = drawer.getByTestId('roc-chart');
    await roc.scrollIntoViewIfNeeded();
    await expect(roc).toBeVisible();
    // One-vs-rest: a curve per class, each with its AUC in the legend.
    await expect(roc.locator('polyline')).toHaveCount(3);
    await expect(roc.locator('.legend-item')).toHaveCount(3);
    await expect(roc).toContainText('AUC');
    await screenshot(page, '09-run-roc');
  });
});

test('edits with the keyboard, undoes and copies, guards unsaved work and shows an old version read-only', async ({ page, request }) => {
  const api = await Api.connect(request);
  const load = await api.componentVersion('Load built-in dataset');
  const pipeline = await api.post<{ id: number }>('/api/pipelines/', {
    name: uniqueName('E2E keyboard'),
    description: 'Edited without the mouse.',
    message: 'just the data',
    parameters: [],
    graph: {
      schema_version: 1,
      nodes: [{ id: 'load', component_version: load, label: 'Load', position: { x: 0, y: 0 }, arguments: {} }],
    },
  });
  await signIn(page, `/pipelines/${pipeline.id}`);
  await expect(page.getByTestId('node-load')).toBeVisible();
  const nodes = page.locator('.react-flow__node');
  const edges = page.locator('.react-flow__edge');
  const panel = page.getByTestId('properties-panel');

  await test.step('add a step from the palette and connect its input, keyboard only', async () => {
    await page.getByTestId('palette-search').focus();
    await page.keyboard.type('split');
    await page.getByTestId('palette-item-Train/test split').focus();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId(`node-${SPLIT}`)).toBeVisible();
    await expect(panel).toContainText('Train/test split');
    // "Connect to…" offers the compatible upstream outputs only.
    const connect = panel.getByTestId('connect-data');
    await expect(connect.locator('option')).toHaveText(['Connect to…', 'Load → table (Dataset)']);
    await connect.focus();
    await screenshot(page, '11-editor-connect-by-keyboard');
    await connect.selectOption({ label: 'Load → table (Dataset)' });
    await expect(edges).toHaveCount(1);
    await expect(panel.getByTestId('prop-input-data')).toContainText('from load.table');
    await expect(page.getByTestId('unsaved')).toBeVisible();
  });

  await test.step('Ctrl+Z undoes the connection, Ctrl+Y redoes it', async () => {
    // Shortcuts are for the canvas: leave the select first, as Escape or a click on the canvas would.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('Control+z');
    await expect(edges).toHaveCount(0);
    await page.keyboard.press('Control+y');
    await expect(edges).toHaveCount(1);
  });

  await test.step('Ctrl+C / Ctrl+V duplicates a step and Delete removes it', async () => {
    await page.getByTestId(`node-${SPLIT}`).locator('.step-head').click();
    await page.keyboard.press('Control+c');
    await page.keyboard.press('Control+v');
    await expect(nodes).toHaveCount(3);
    // The copy is the selection now: Delete removes it and nothing else.
    await page.keyboard.press('Delete');
    await expect(nodes).toHaveCount(2);
    await expect(page.getByTestId('node-load')).toBeVisible();
    await expect(page.getByTestId(`node-${SPLIT}`)).toBeVisible();
    await expect(edges).toHaveCount(1);
  });

  await test.step('leaving with unsaved changes asks first; Stay keeps them', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Runs' }).click();
    const dialog = page.getByTestId('unsaved-dialog');
    await expect(dialog).toBeVisible();
    await dialog.getByRole('button', { name: 'Stay' }).click();
    await expect(dialog).toBeHidden();
    await expect(page).toHaveURL(new RegExp(`/pipelines/${pipeline.id}$`));
    await expect(page.getByTestId(`node-${SPLIT}`)).toBeVisible();
    await expect(page.getByTestId('unsaved')).toBeVisible();
  });

  await test.step('signing out with unsaved changes asks first too; Stay keeps the session and the edit', async () => {
    await page.getByTestId('sign-out').click();
    const dialog = page.getByTestId('unsaved-dialog');
    await expect(dialog).toBeVisible();
    await dialog.getByRole('button', { name: 'Stay' }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId('current-user')).toHaveText(USER);
    await expect(page.getByTestId(`node-${SPLIT}`)).toBeVisible();
    await expect(page.getByTestId('unsaved')).toBeVisible();
    const me = (await (await page.request.get('/api/auth/me/')).json()) as { authenticated: boolean };
    expect(me.authenticated).toBe(true);
  });

  await test.step('save as version 2 with Ctrl+S; the dialog keeps the keyboard inside', async () => {
    await expect(page.getByTestId('sign-out')).toBeFocused(); // the unsaved dialog gave focus back
    await page.keyboard.press('Control+s');
    const dialog = page.getByTestId('save-dialog');
    const message = dialog.getByTestId('save-message');
    await expect(dialog).toBeVisible();
    await expect(message).toBeFocused();
    // Escape closes it, and focus returns to where it was.
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId('sign-out')).toBeFocused();
    await page.keyboard.press('Control+s');
    await expect(message).toBeFocused();
    // Tab and Shift+Tab cycle through the dialog's controls and never reach the page behind it.
    for (const key of ['Tab', 'Tab', 'Tab', 'Tab', 'Tab', 'Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab']) {
      await page.keyboard.press(key);
      expect(await dialog.evaluate((d) => d.contains(document.activeElement)), `focus after ${key}`).toBe(true);
    }
    await message.focus();
    await page.keyboard.type('split added by keyboard');
    await dialog.getByTestId('save-confirm').click();
    await expect(page.getByTestId('toast').filter({ hasText: 'version 2' })).toBeVisible();
    await expect(page.getByTestId('unsaved')).toBeHidden();
  });

  await test.step('version 1 opens read-only: a banner, no palette, its own graph', async () => {
    await page.getByTestId('version-select').selectOption('1');
    await expect(page).toHaveURL(/version=1/);
    await expect(page.getByTestId('readonly-banner')).toContainText('Viewing version 1');
    await expect(page.getByTestId('palette-search')).toHaveCount(0);
    await expect(page.getByTestId('node-load')).toBeVisible();
    await expect(page.getByTestId(`node-${SPLIT}`)).toHaveCount(0);
    await expect(page.getByTestId('save')).toBeDisabled();
  });

  await test.step('with nothing unsaved, Sign out ends the session', async () => {
    await page.getByTestId('sign-out').click();
    await expect(page).toHaveURL(/\/login$/);
    await expect(page.getByRole('form', { name: 'Sign in' })).toBeVisible();
    const me = (await (await page.request.get('/api/auth/me/')).json()) as { authenticated: boolean };
    expect(me.authenticated).toBe(false);
  });
});
