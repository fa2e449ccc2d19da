// Acceptance: abort a second run and see it aborted; the run page follows the server within a
// second; an aborted run can be retried; the runs list filters by status and pipeline. The pipeline
// (a long No-op, then a step that must never start) is set up through the API; starting, aborting
// and retrying is done in the browser.
import { Api, expect, screenshot, signIn, test, uniqueName } from './fixtures';

interface Run {
  status: string;
  steps: Array<{ node_id: string; status: string }>;
}

test('aborts a long run from the run page, retries it and finds both in the runs list', async ({ page, request }) => {
  const api = await Api.connect(request);
  const name = uniqueName('E2E abort');
  const noop = await api.componentVersion('No-op');
  const script = await api.componentVersion('Run Python script');
  const pipeline = await api.post<{ id: number }>('/api/pipelines/', {
    name,
    description: 'A step that sleeps long enough to be aborted.',
    message: 'created by the browser tests',
    parameters: [{ name: 'sleep', type: 'Float', default: 120 }],
    graph: {
      schema_version: 1,
      nodes: [
        {
          id: 'sleep',
          component_version: noop,
          label: 'Sleep',
          position: { x: 0, y: 0 },
          arguments: { message: { value: 'sleeping until aborted' }, sleep_seconds: { parameter: 'sleep' } },
        },
        {
          id: 'after',
          component_version: script,
          label: 'After',
          position: { x: 320, y: 0 },
          arguments: { script: { value: 'print("never runs")' }, input_data: { from: { node: 'sleep', output: 'out' } } },
        },
      ],
    },
  });

  await signIn(page, `/pipelines/${pipeline.id}`);
  await expect(page.getByTestId('node-sleep')).toBeVisible();
  await page.getByTestId('run').click();
  const dialog = page.getByTestId('run-dialog');
  await expect(dialog.getByTestId('run-param-sleep')).toHaveValue('120');
  await dialog.getByTestId('run-start').click();
  await expect(page).toHaveURL(/\/runs\/\d+/);
  const runId = Number(new URL(page.url()).pathname.split('/').pop());

  // Live: once the server says the step runs, the page shows it within a second.
  await expect
    .poll(async () => (await api.get<Run>(`/api/runs/${runId}/`)).steps.find((s) => s.node_id === 'sleep')?.status, {
      timeout: 60_000,
      intervals: [50],
    })
    .toBe('running');
  await expect(page.getByTestId('node-sleep')).toHaveAttribute('data-status', 'running', { timeout: 1_000 });

  // Wait until the container really runs (its first log line is out), then abort.
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'running');
  await page.getByTestId('node-sleep').click();
  await expect(page.getByTestId('step-log')).toContainText('sleeping until aborted', { timeout: 30_000 });
  await page.getByTestId('abort').click();

  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'aborted', { timeout: 60_000 });
  await expect(page.getByTestId('node-sleep')).toHaveAttribute('data-status', 'aborted');
  await expect(page.getByTestId('step-drawer').getByTestId('step-status')).toHaveAttribute('data-status', 'aborted');
  // The downstream step never started.
  await expect(page.getByTestId('node-after')).toHaveAttribute('data-status', /^(aborted|skipped)$/);
  await expect(page.getByTestId('abort')).toBeHidden();
  // An aborted run can be retried.
  await expect(page.getByTestId('retry')).toBeVisible();
  // The log shows the container was stopped, and stops following.
  await expect(page.getByTestId('step-log')).toContainText('received SIGTERM');
  await expect(page.getByTestId('step-drawer').getByText('● live')).toBeHidden();
  await screenshot(page, '10-run-aborted');

  // Retry opens the new run's page; it is aborted through the API (its step would sleep for minutes).
  await page.getByTestId('retry').click();
  await expect(page).not.toHaveURL(new RegExp(`/runs/${runId}$`));
  await expect(page).toHaveURL(/\/runs\/\d+$/);
  const retryId = Number(new URL(page.url()).pathname.split('/').pop());
  expect((await api.get<Run & { retry_of: number | null }>(`/api/runs/${retryId}/`)).retry_of).toBe(runId);
  await expect(page.getByTestId('node-sleep')).toBeVisible();
  await api.post(`/api/runs/${retryId}/abort/`, {});
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'aborted', { timeout: 60_000 });

  // The runs list: both runs under their pipeline, filtered by status.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Runs' }).click();
  await expect(page.getByTestId('run-list')).toBeVisible();
  await page.getByTestId('filter-pipeline').selectOption({ label: name });
  await expect(page).toHaveURL(new RegExp(`pipeline=${pipeline.id}`));
  const rows = page.locator('[data-testid^="run-row-"]');
  await expect(rows).toHaveCount(2);
  await expect(page.getByTestId(`run-row-${runId}`)).toBeVisible();
  await expect(page.getByTestId(`run-row-${retryId}`)).toBeVisible();
  await page.getByTestId('filter-status').selectOption('completed');
  await expect(page).toHaveURL(/status=completed/);
  await expect(page.getByText('No runs match these filters')).toBeVisible();
  await page.getByTestId('filter-status').selectOption('aborted');
  await expect(rows).toHaveCount(2);
  // Without the pipeline filter, aborted runs of any pipeline, and only aborted ones.
  await page.getByTestId('filter-pipeline').selectOption('');
  await expect(page.getByTestId(`run-row-${runId}`)).toBeVisible();
  for (const status of await rows.locator('.status-pill').evaluateAll((els) => els.map((e) => e.textContent?.trim()))) {
    expect(status).toBe('aborted');
  }
});
