import { cleanup, render, screen } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, describe, expect, it } from 'vitest';
import { lookupOf, samplePipeline } from '../pipeline-core/fixtures';
import { describeTrigger, TriggerLabel } from './trigger';
import { datasetInputs, metricOutputs } from './TriggerDialogs';

afterEach(cleanup);

const label = (trigger: Parameters<typeof TriggerLabel>[0]['trigger']) =>
  render(
    <MemoryRouter>
      <TriggerLabel trigger={trigger} testId="t" />
    </MemoryRouter>,
  );

describe('TriggerLabel', () => {
  it('says who started a manual run, and nothing more', () => {
    label({ kind: 'manual', user: 'ada' });
    expect(screen.getByTestId('t').textContent).toBe('Started by ada');
  });

  it('links a dataset trigger to the version that started it', () => {
    label({ kind: 'dataset', dataset: 7, dataset_name: 'iris', dataset_version: 31, version: 4, dataset_trigger: 2 });
    expect(screen.getByTestId('t').textContent).toBe('datasetNew version iris v4');
    expect(screen.getByRole('link').getAttribute('href')).toBe('/datasets/7?version=4');
  });

  it('gives a schedule its fire time on its own clock', () => {
    label({ kind: 'schedule', schedule: 3, schedule_name: 'nightly', fire_time: '2025-03-03T05:00:00Z', timezone: 'Asia/Tokyo' });
    const text = screen.getByTestId('t').textContent!;
    expect(text).toMatch(/^schedulenightly · fire time/);
    expect(text).toContain('14:00');
    expect(text).toContain('(Asia/Tokyo)');
    expect(screen.getByRole('link').getAttribute('href')).toBe('/schedules?schedule=3');
  });

  it('shows the metric value against its threshold, and the source run', () => {
    label({ kind: 'metric', metric: 'evaluate.metrics.accuracy', value: 0.81, comparison: '<', threshold: 0.9, source_run: 12 });
    expect(screen.getByTestId('t').textContent).toBe('metricevaluate.metrics.accuracy = 0.81 < 0.9 in run #12');
    expect(screen.getByRole('link').getAttribute('href')).toBe('/runs/12');
  });

  it('links a retry to the run it retried', () => {
    label({ kind: 'retry', source_run: 5, user: 'ada' });
    expect(screen.getByRole('link').getAttribute('href')).toBe('/runs/5');
    expect(screen.getByTestId('t').textContent).toBe('retryof run #5 by ada');
    expect(describeTrigger({ kind: 'retry', source_run: 5, user: 'ada' })).toBe('Retry of run #5 by ada');
  });
});

describe('trigger choices', () => {
  it('offers file inputs for a dataset version, the ones already reading a dataset first', () => {
    const doc = samplePipeline();
    doc.graph.nodes[3]!.arguments.test_data = { dataset: { id: 7, version: 'latest' } };
    const choices = datasetInputs(doc, lookupOf()).map((c) => `${c.node}.${c.port}`);
    expect(choices[0]).toBe('evaluate.test_data');
    expect(choices).toContain('split.data');
    // Value inputs cannot take a version.
    expect(choices).not.toContain('split.seed');
  });

  it('offers Metrics outputs first for a metric trigger', () => {
    const choices = metricOutputs(samplePipeline(), lookupOf()).map((c) => `${c.node}.${c.port}`);
    expect(choices.slice(0, 2)).toEqual(['train.metrics', 'evaluate.metrics']);
  });
});
