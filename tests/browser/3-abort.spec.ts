// Acceptance: abort a second run and see it aborted. The pipeline (a long No-op, then a
// step that must never start) is set up through the API; starting and aborting is done in the browser.
import { Api, expect, screenshot, signIn, test, uniqueName } from './fixtures';

test('aborts a long run from the run page', async ({ page, request }) => {
  const api = await Api.connect(request);
  const noop = await api.componentVersion('No-op');
  const script = await api.componentVersion('Run Python script');
  const pipeline = await api.post<{ id: number }>('/api/pipelines/', {
    name: uniqueName('E2E abort'),
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

  // Wait until the container really runs (its first log line is out), then abort.
  await expect(page.getByTestId('node-sleep')).toHaveAttribute('data-status', 'running', { timeout: 60_000 });
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
});
