// Acceptance: upload a dataset version, see the triggered run appear. A dataset is created
// and its versions uploaded in the browser (with the progress bar); a pipeline that profiles
// the CSV and publishes its report is made through the API, and its dataset trigger is added
// in the editor's Triggers tab. Identical content adds no version; the lineage graph shows
// version → run → published version. A second test binds an input to a dataset and publishes
// an output from the properties panel.
import type { Page } from '@playwright/test';
import { Api, expect, screenshot, signIn, test, uniqueName } from './fixtures';

const csv = (rows: number, seed: number): string => {
  const species = ['setosa', 'versicolor', 'virginica'];
  const lines = ['sepal_length,sepal_width,petal_length,petal_width,species'];
  for (let i = 0; i < rows; i++) {
    const v = (k: number): string => (((i * 7 + k * 13 + seed) % 40) / 10 + 1).toFixed(1);
    lines.push(`${v(1)},${v(2)},${v(3)},${v(4)},${species[(i + seed) % 3]}`);
  }
  return `${lines.join('\n')}\n`;
};

/** Chooses a file in the upload card and presses Upload. */
async function upload(page: Page, name: string, content: string, message?: string): Promise<void> {
  await page.getByTestId('upload-file').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(content) });
  await expect(page.getByTestId('upload-file-name')).toHaveText(name);
  if (message) await page.getByTestId('upload-message').fill(message);
  await page.getByTestId('upload-start').click();
}

test('uploads dataset versions in the browser and sees the triggered run appear', async ({ page, request }) => {
  const api = await Api.connect(request);
  const name = uniqueName('e2e-iris').replace(/[ :]/g, '-');
  await signIn(page, '/datasets');

  let datasetId = 0;
  await test.step('create a dataset from the datasets page', async () => {
    await expect(page.getByRole('heading', { name: 'Datasets' })).toBeVisible();
    await page.getByTestId('new-dataset').click();
    const dialog = page.getByTestId('new-dataset-dialog');
    await dialog.getByTestId('dataset-name').fill(name);
    await dialog.getByTestId('dataset-description').fill('Iris measurements, exported nightly.');
    await dialog.getByTestId('dataset-create').click();
    await expect(page).toHaveURL(/\/datasets\/\d+$/);
    datasetId = Number(new URL(page.url()).pathname.split('/').pop());
    await expect(page.getByRole('heading', { level: 1 })).toContainText(name);
    await expect(page.getByText('No versions yet.')).toBeVisible();
  });

  await test.step('upload version 1 with a progress bar; the CSV gets a preview', async () => {
    await upload(page, 'iris.csv', csv(60, 0), 'first export');
    const result = page.getByTestId('upload-result');
    await expect(result).toHaveAttribute('data-created', 'true');
    await expect(result).toContainText('Version 1');
    // The progress bar reached the end.
    await expect(page.getByTestId('upload-progress')).toHaveAttribute('aria-valuenow', '100');
    await expect(page.getByTestId('upload-progress-text')).toContainText('Uploaded');
    await expect(page.getByTestId('version-row-1')).toContainText('text/csv');
    await expect(page.getByTestId('version-row-1')).toContainText('first export');
    const detail = page.getByTestId('version-detail');
    await expect(detail).toContainText('60 rows × 5 columns');
    await expect(detail.getByTestId('table-preview')).toContainText('petal_length');
    await expect(detail.getByTestId('version-download')).toHaveAttribute('href', `/api/datasets/${datasetId}/versions/1/download/`);
  });

  // A pipeline that profiles the newest version and publishes its report as a dataset.
  const describe = await api.componentVersion('Describe table');
  const pipeline = await api.post<{ id: number }>('/api/pipelines/', {
    name: uniqueName('E2E profile'),
    description: 'Profiles every new version of the iris export.',
    parameters: [{ name: 'target', type: 'String', default: 'species' }],
    graph: {
      schema_version: 1,
      nodes: [
        {
          id: 'profile',
          component_version: describe,
          label: 'Profile',
          position: { x: 0, y: 0 },
          arguments: { data: { dataset: { id: datasetId, version: 'latest' } }, target_column: { parameter: 'target' } },
          publish: [{ output: 'report', dataset: `${name}-profile` }],
        },
      ],
    },
  });

  // A cheap pipeline for the profile's metric to start.
  const noop = await api.componentVersion('No-op');
  const alertName = uniqueName('E2E big export');
  const alert = await api.post<{ id: number }>('/api/pipelines/', {
    name: alertName,
    description: 'Started when an export has many rows.',
    parameters: [],
    graph: { schema_version: 1, nodes: [{ id: 'note', component_version: noop, position: { x: 0, y: 0 }, arguments: { message: { value: 'big export' } } }] },
  });

  let triggerId = 0;
  await test.step("add a dataset trigger and a metric trigger in the editor's Triggers tab", async () => {
    await page.goto(`/pipelines/${pipeline.id}`);
    // The input's binding shows on the node: the dataset, newest version.
    await expect(page.getByTestId('node-profile')).toContainText(`⛁ ${name}@latest`);
    await expect(page.getByTestId('publish-hint-profile-report')).toContainText(`${name}-profile`);
    await page.getByTestId('tab-triggers').click();
    const panel = page.getByTestId('triggers-panel');
    await expect(panel).toContainText('No dataset starts this pipeline.');
    await panel.getByTestId('triggers-add-dataset').click();
    const dialog = page.getByTestId('dataset-trigger-dialog');
    // The dataset the graph reads and the input that reads it are chosen already.
    await expect(dialog.getByTestId('dtrigger-dataset')).toHaveValue(String(datasetId));
    await expect(dialog.getByTestId('dtrigger-input')).toHaveValue('profile/data');
    await expect(dialog.getByTestId('dtrigger-param-target')).toHaveValue('species');
    await screenshot(page, '20-dataset-trigger-dialog');
    await dialog.getByTestId('dtrigger-save').click();
    await expect(dialog).toBeHidden();
    const card = panel.locator('[data-testid^="panel-dataset-trigger-"]');
    await expect(card).toHaveCount(1);
    await expect(card).toContainText(name);
    await expect(card).toContainText('profile.data');
    triggerId = Number((await card.getAttribute('data-testid'))!.split('-').pop());

    // The profile's row count starts another pipeline when it is over 50.
    await panel.getByTestId('triggers-add-metric').click();
    const metric = page.getByTestId('metric-trigger-dialog');
    await expect(metric.getByTestId('mtrigger-output')).toHaveValue('profile/metrics');
    await metric.getByTestId('mtrigger-key').fill('n_rows');
    await metric.getByTestId('mtrigger-comparison').selectOption('>');
    await metric.getByTestId('mtrigger-threshold').fill('50');
    await metric.getByTestId('mtrigger-target').selectOption({ label: alertName });
    await expect(metric.getByTestId('mtrigger-rule')).toHaveText(`When profile.metrics.n_rows > 50, start ${alertName}.`);
    await metric.getByTestId('mtrigger-save').click();
    await expect(metric).toBeHidden();
    await expect(panel.locator('[data-testid^="panel-metric-trigger-"]')).toContainText('profile.metrics.n_rows');
    await expect(panel.locator('[data-testid^="panel-metric-trigger-"]')).toContainText(`> 50 → start ${alertName}`);
    await screenshot(page, '21-editor-triggers-tab');
  });

  let runId = 0;
  await test.step('upload version 2: the triggered run appears on the dataset page', async () => {
    await page.goto(`/datasets/${datasetId}`);
    await expect(page.getByTestId(`dataset-trigger-${triggerId}`)).toContainText('No version has started it yet.');
    await upload(page, 'iris.csv', csv(90, 1), 'second export');
    await expect(page.getByTestId('upload-result')).toHaveAttribute('data-created', 'true');
    await expect(page.getByTestId('upload-result')).toContainText('Version 2');
    await expect(page.getByTestId('version-row-2')).toBeVisible();
    const firing = page.getByTestId(`trigger-firing-${triggerId}-v2`);
    await expect(firing).toContainText('started', { timeout: 30_000 });
    const link = firing.locator('[data-testid^="trigger-run-"]');
    await expect(link).toBeVisible();
    runId = Number((await link.getAttribute('data-testid'))!.split('-').pop());
    await screenshot(page, '22-dataset-upload-triggered');
  });

  await test.step('the same bytes again: no new version, no new run', async () => {
    await upload(page, 'iris-copy.csv', csv(90, 1));
    const result = page.getByTestId('upload-result');
    await expect(result).toHaveAttribute('data-created', 'false');
    await expect(result).toContainText('Identical content: no new version.');
    await expect(result).toContainText('version 2');
    await expect(page.locator('[data-testid^="version-row-"]')).toHaveCount(2);
    await screenshot(page, '23-dataset-identical-upload');
    const firings = await api.get<{ results: unknown[] }>(`/api/dataset-triggers/${triggerId}/firings/`);
    expect(firings.results).toHaveLength(1);
  });

  await test.step('the run says which version started it, and completes', async () => {
    await page.getByTestId(`trigger-run-${runId}`).click();
    await expect(page).toHaveURL(new RegExp(`/runs/${runId}`));
    const trigger = page.getByTestId('run-trigger');
    await expect(trigger).toHaveAttribute('data-kind', 'dataset');
    await expect(trigger).toContainText(`New version ${name} v2`);
    await expect(page.getByTestId('run-dataset-inputs')).toContainText(`profile.data ← ${name} v2`);
    await expect(page.getByTestId('node-profile')).toHaveAttribute('data-status', 'completed', { timeout: 120_000 });
    await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'completed');
    await screenshot(page, '24-run-dataset-trigger');
  });

  await test.step('the runs list shows the trigger, and filters by it', async () => {
    await page.goto('/runs?trigger=dataset');
    const row = page.getByTestId(`run-row-${runId}`);
    await expect(row).toBeVisible();
    await expect(row.getByTestId(`run-trigger-${runId}`)).toContainText(`${name} v2`);
    await expect(page.getByTestId('filter-trigger')).toHaveValue('dataset');
    // The completed profile counted 90 rows: over 50, so its metric trigger started the other pipeline, once.
    await page.getByTestId('filter-trigger').selectOption('metric');
    const started = page.locator('[data-testid^="run-row-"]', { hasText: alertName });
    await expect(started).toHaveCount(1, { timeout: 30_000 });
    await expect(started.locator('[data-testid^="run-trigger-"]')).toContainText(`profile.metrics.n_rows = 90 > 50 in run #${runId}`);
    await page.getByTestId('filter-trigger').selectOption('');
    await expect(page.getByTestId(`run-row-${runId}`)).toBeVisible();
    await screenshot(page, '28-runs-list-triggers');
  });

  await test.step('the lineage graph: version 2 → the run → the published report', async () => {
    await page.goto(`/datasets/${datasetId}`);
    const graph = page.getByTestId('lineage-graph');
    await expect(graph).toBeVisible();
    await expect(graph.getByTestId(`lineage-version-${name}-2`)).toBeVisible();
    await expect(graph.getByTestId(`lineage-run-${runId}`)).toContainText('completed');
    await expect(graph.getByTestId(`lineage-version-${name}-profile-1`)).toBeVisible();
    await expect(graph.locator('.react-flow__edge')).toHaveCount(2);
    // Data flows left to right.
    const x = async (id: string): Promise<number> => (await graph.getByTestId(id).boundingBox())!.x;
    expect(await x(`lineage-version-${name}-2`)).toBeLessThan(await x(`lineage-run-${runId}`));
    expect(await x(`lineage-run-${runId}`)).toBeLessThan(await x(`lineage-version-${name}-profile-1`));
    await graph.scrollIntoViewIfNeeded();
    await screenshot(page, '25-dataset-lineage');
    // A node opens what it stands for: the published report's dataset.
    await graph.getByTestId(`lineage-version-${name}-profile-1`).click();
    await expect(page.getByRole('heading', { level: 1 })).toContainText(`${name}-profile`);
    await expect(page.getByTestId('version-row-1')).toContainText(`run #${runId}`);
  });

  await test.step('the datasets list shows both, with their latest version', async () => {
    await page.goto('/datasets');
    await expect(page.getByTestId(`dataset-row-${name}`)).toContainText('v2');
    await expect(page.getByTestId(`dataset-row-${name}`)).toContainText('90 rows × 5 columns');
    await expect(page.getByTestId(`dataset-row-${name}-profile`)).toContainText(`run #${runId}`);
    await screenshot(page, '26-datasets-list');
  });
});

test('registers an external URI, binds an input to a dataset and publishes an output from the properties panel', async ({ page, request }) => {
  const api = await Api.connect(request);
  const name = uniqueName('e2e-ext').replace(/[ :]/g, '-');
  const dataset = await api.post<{ id: number }>('/api/datasets/', { name, kind: 'dataset' });
  await signIn(page, `/datasets/${dataset.id}`);

  await test.step('register an s3:// URI as version 1', async () => {
    await page.getByTestId('register-open').click();
    const dialog = page.getByTestId('register-dialog');
    // A scheme the studio does not fetch is refused before asking the server.
    await dialog.getByTestId('register-uri').fill('ftp://example.org/data.csv');
    await expect(dialog).toContainText('use one of s3://, hdfs://, file://');
    await expect(dialog.getByTestId('register-submit')).toBeDisabled();
    await dialog.getByTestId('register-uri').fill('s3://warehouse/exports/iris.csv');
    await dialog.getByTestId('register-message').fill('nightly export');
    await dialog.getByTestId('register-submit').click();
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId('version-row-1')).toContainText('external');
    await expect(page.getByTestId('version-detail')).toContainText('s3://warehouse/exports/iris.csv');
    await expect(page.getByTestId('version-detail')).toContainText('steps get the URI');
  });

  await test.step('bind an input to the dataset and publish an output, in the editor', async () => {
    const load = await api.componentVersion('Load built-in dataset');
    const split = await api.componentVersion('Train/test split');
    const pipeline = await api.post<{ id: number }>('/api/pipelines/', {
      name: uniqueName('E2E bind'),
      description: '',
      parameters: [],
      graph: {
        schema_version: 1,
        nodes: [
          { id: 'load', component_version: load, position: { x: 0, y: 0 }, arguments: {} },
          { id: 'split', component_version: split, position: { x: 320, y: 0 }, arguments: { data: { from: { node: 'load', output: 'table' } } } },
        ],
      },
    });
    await page.goto(`/pipelines/${pipeline.id}`);
    await expect(page.locator('.react-flow__edge')).toHaveCount(1);
    await page.getByTestId('node-split').locator('.step-head').click();
    const panel = page.getByTestId('properties-panel');
    await expect(panel.getByTestId('bind-mode-data')).toHaveValue('connection');
    // The dataset version replaces the connection from the load step.
    await panel.getByTestId('bind-mode-data').selectOption('dataset');
    await expect(page.locator('.react-flow__edge')).toHaveCount(0);
    await panel.getByTestId('bind-dataset-data').selectOption({ label: `${name} (dataset)` });
    await panel.getByTestId('bind-dataset-version-data').selectOption('1');
    await expect(page.getByTestId('node-split')).toContainText(`⛁ ${name}@v1`);
    await expect(page.getByTestId('problem-count')).toBeHidden();
    await panel.getByTestId('publish-add-train').click();
    await panel.getByTestId('publish-dataset-train').fill(`${name}-train`);
    await expect(page.getByTestId('publish-hint-split-train')).toContainText(`${name}-train`);
    await expect(panel.getByTestId('prop-output-train')).toContainText(`creates “${name}-train” on the first run`);
    await screenshot(page, '27-properties-dataset-binding');
    await page.getByTestId('save').click();
    await page.getByTestId('save-confirm').click();
    await expect(page.getByTestId('toast').filter({ hasText: 'version 2' })).toBeVisible();
    const saved = await api.get<{ latest_version: { graph: { nodes: Array<{ id: string; arguments: Record<string, unknown>; publish?: unknown }> } } }>(
      `/api/pipelines/${pipeline.id}/`,
    );
    const node = saved.latest_version.graph.nodes.find((n) => n.id === 'split')!;
    expect(node.arguments.data).toEqual({ dataset: { id: dataset.id, version: 1 } });
    expect(node.publish).toEqual([{ output: 'train', dataset: `${name}-train` }]);
  });
});
