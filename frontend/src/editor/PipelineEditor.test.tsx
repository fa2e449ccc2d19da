import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EVALUATE, samplePipeline, SPECS } from '../pipeline-core/fixtures';
import type { PipelineDocument } from '../pipeline-core';
import { PipelineEditor } from './PipelineEditor';

afterEach(cleanup);

// The canvas opens at a zoom that fits the steps into the window (Canvas.tsx roughFit); in jsdom's
// 1024 × 768 the sample pipeline would open below the low-detail zoom, where steps have no port labels
// or hints. A desktop window, as in the browser tests, shows them at full detail.
beforeEach(() => {
  Object.assign(window, { innerWidth: 1920, innerHeight: 1080 });
});

describe('PipelineEditor', () => {
  it('renders every step with typed, named handles', () => {
    render(<PipelineEditor pipeline={samplePipeline()} components={SPECS} palette={SPECS} />);
    for (const id of ['load', 'split', 'train', 'evaluate']) expect(screen.getByTestId(`node-${id}`)).toBeTruthy();
    expect(screen.getByTestId('node-split').textContent).toContain('Split');
    const handle = screen.getByTestId('handle-split-in-data');
    expect(handle.getAttribute('data-port-type')).toBe('Dataset');
    expect(screen.getByTestId('handle-train-out-model')).toBeTruthy();
    expect(screen.getByTestId('palette-item-Train classifier')).toBeTruthy();
  });

  it('renders steps without per-port rows when zoomed far out, keeping every handle', () => {
    Object.assign(window, { innerWidth: 600, innerHeight: 400 });
    render(<PipelineEditor pipeline={samplePipeline()} components={SPECS} palette={SPECS} />);
    const split = screen.getByTestId('node-split');
    expect(split.textContent).toContain('Split');
    expect(split.querySelector('.port')).toBeNull();
    const handle = screen.getByTestId('handle-split-in-data');
    expect(handle.classList.contains('target')).toBe(true);
    expect(handle.getAttribute('data-handleid')).toBe('in:data');
    expect(screen.getByTestId('handle-train-out-model').getAttribute('data-handleid')).toBe('out:model');
  });

  it('adds a component from the palette with the keyboard and reports the change', () => {
    const onChange = vi.fn<(doc: PipelineDocument) => void>();
    render(<PipelineEditor pipeline={samplePipeline()} components={SPECS} palette={SPECS} onChange={onChange} />);
    fireEvent.keyDown(screen.getByTestId(`palette-item-${EVALUATE.name}`), { key: 'Enter' });
    expect(onChange).toHaveBeenCalledTimes(1);
    const doc = onChange.mock.calls[0]![0];
    expect(doc.graph.nodes.at(-1)).toMatchObject({ id: 'evaluate-classifier', component_version: EVALUATE.id });
    // The new step is selected and its unbound inputs are flagged.
    expect(screen.getByTestId('properties-panel').textContent).toContain('Evaluate classifier');
    expect(screen.getByTestId('node-evaluate-classifier').getAttribute('data-invalid')).toBe('true');
    expect(screen.getByTestId('tab-problems').textContent).toBe('Problems (2)');
  });

  it('undoes with Ctrl+Z', () => {
    const onChange = vi.fn<(doc: PipelineDocument) => void>();
    const original = samplePipeline();
    render(<PipelineEditor pipeline={original} components={SPECS} palette={SPECS} onChange={onChange} />);
    fireEvent.keyDown(screen.getByTestId(`palette-item-${EVALUATE.name}`), { key: 'Enter' });
    act(() => {
      fireEvent.keyDown(window, { key: 'z', ctrlKey: true });
    });
    expect(onChange).toHaveBeenCalledTimes(2);
    expect(onChange.mock.calls[1]![0]).toBe(original);
    expect(screen.queryByTestId('node-evaluate-classifier')).toBeNull();
  });

  it('edits a constant through the properties panel', () => {
    const onChange = vi.fn<(doc: PipelineDocument) => void>();
    render(<PipelineEditor pipeline={samplePipeline()} components={SPECS} palette={SPECS} onChange={onChange} />);
    fireEvent.click(screen.getByTestId('node-split'));
    fireEvent.change(screen.getByTestId('bind-mode-seed'), { target: { value: 'value' } });
    fireEvent.change(screen.getByTestId('value-seed'), { target: { value: '7' } });
    const last = onChange.mock.calls.at(-1)![0];
    expect(last.graph.nodes[1]!.arguments.seed).toEqual({ value: 7 });
  });

  it('connects an input from the keyboard through "Connect to…", offering only outputs that fit', () => {
    const onChange = vi.fn<(doc: PipelineDocument) => void>();
    render(<PipelineEditor pipeline={samplePipeline()} components={SPECS} palette={SPECS} onChange={onChange} />);
    fireEvent.keyDown(screen.getByTestId(`palette-item-${EVALUATE.name}`), { key: 'Enter' });
    const select = screen.getByTestId('connect-model') as HTMLSelectElement;
    // Only Model outputs: train.model. Datasets, metrics and the step's own outputs are not offered.
    const offered = [...select.options].slice(1).map((o) => o.textContent);
    expect(offered).toEqual(['Train classifier → model (Model)']);
    const testData = [...(screen.getByTestId('connect-test_data') as HTMLSelectElement).options].slice(1).map((o) => o.textContent);
    expect(testData).toEqual(['Load built-in dataset → table (Dataset)', 'Split → train (Dataset)', 'Split → test (Dataset)']);
    fireEvent.change(select, { target: { value: '0' } });
    const last = onChange.mock.calls.at(-1)![0];
    expect(last.graph.nodes.at(-1)!.arguments.model).toEqual({ from: { node: 'train', output: 'model' } });
    // Now connected: the panel says from where and offers no second connection.
    expect(screen.getByTestId('prop-input-model').textContent).toContain('from train.model');
    expect(screen.queryByTestId('connect-model')).toBeNull();
  });

  it('offers no upstream step that would close a cycle', () => {
    render(<PipelineEditor pipeline={samplePipeline()} components={SPECS} palette={SPECS} />);
    fireEvent.click(screen.getByTestId('node-split'));
    // split.data is connected already; disconnect it, then only load (not train or evaluate, downstream) may feed it.
    fireEvent.click(screen.getByTestId('prop-input-data').querySelector('button.link')!);
    const options = [...(screen.getByTestId('connect-data') as HTMLSelectElement).options].slice(1).map((o) => o.textContent);
    expect(options).toEqual(['Load built-in dataset → table (Dataset)']);
  });

  it('shows step states read-only, without the side panels', () => {
    const onStepClick = vi.fn();
    render(
      <PipelineEditor
        pipeline={samplePipeline()}
        components={SPECS}
        readOnly
        variant="view"
        statuses={{ load: 'completed', split: 'running', train: 'pending', evaluate: 'pending' }}
        onStepClick={onStepClick}
      />,
    );
    expect(screen.getByTestId('node-load').getAttribute('data-status')).toBe('completed');
    expect(screen.getByTestId('node-split').getAttribute('data-status')).toBe('running');
    expect(screen.queryByTestId('properties-panel')).toBeNull();
    expect(screen.queryByLabelText('Component palette')).toBeNull();
    fireEvent.click(screen.getByTestId('node-split'));
    expect(onStepClick).toHaveBeenCalledWith('split');
  });
});

describe('PipelineEditor: datasets', () => {
  const DATASETS = [
    { id: 7, name: 'iris', kind: 'dataset', latest_version: 3 },
    { id: 8, name: 'iris-model', kind: 'model', latest_version: 1 },
  ];

  it('binds an input to the latest or a pinned version of a fitting dataset', () => {
    const onChange = vi.fn<(doc: PipelineDocument) => void>();
    render(<PipelineEditor pipeline={samplePipeline()} components={SPECS} palette={SPECS} onChange={onChange} datasets={DATASETS} />);
    fireEvent.click(screen.getByTestId('node-split'));
    const mode = screen.getByTestId('bind-mode-data') as HTMLSelectElement;
    // A Dataset input offers datasets of kind dataset, not models.
    fireEvent.change(mode, { target: { value: 'dataset' } });
    expect(onChange.mock.calls.at(-1)![0].graph.nodes[1]!.arguments.data).toEqual({ dataset: { id: 7, version: 'latest' } });
    const dataset = screen.getByTestId('bind-dataset-data') as HTMLSelectElement;
    expect([...dataset.options].map((o) => o.textContent)).toEqual(['iris (dataset)', 'iris-model (model) (incompatible)']);
    fireEvent.change(screen.getByTestId('bind-dataset-version-data'), { target: { value: '2' } });
    expect(onChange.mock.calls.at(-1)![0].graph.nodes[1]!.arguments.data).toEqual({ dataset: { id: 7, version: 2 } });
    // The node says what it reads, and nothing is wrong with it.
    expect(screen.getByTestId('node-split').textContent).toContain('⛁ iris@v2');
    expect(screen.getByTestId('node-split').getAttribute('data-invalid')).toBeNull();
    // Value inputs cannot read a dataset.
    expect([...(screen.getByTestId('bind-mode-seed') as HTMLSelectElement).options].map((o) => o.value)).not.toContain('dataset');
  });

  it('flags a binding to a model dataset as the server would', () => {
    const doc = samplePipeline();
    doc.graph.nodes[1]!.arguments.data = { dataset: { id: 8, version: 'latest' } };
    render(<PipelineEditor pipeline={doc} components={SPECS} palette={SPECS} datasets={DATASETS} />);
    expect(screen.getByTestId('node-split').getAttribute('data-invalid')).toBe('true');
    expect(screen.getByTestId('tab-problems').textContent).toBe('Problems (1)');
  });

  it('publishes an output to a dataset and shows it on the node', () => {
    const onChange = vi.fn<(doc: PipelineDocument) => void>();
    render(<PipelineEditor pipeline={samplePipeline()} components={SPECS} palette={SPECS} onChange={onChange} datasets={DATASETS} />);
    fireEvent.click(screen.getByTestId('node-train'));
    fireEvent.click(screen.getByTestId('publish-add-model'));
    expect(onChange.mock.calls.at(-1)![0].graph.nodes[2]!.publish).toEqual([{ output: 'model', dataset: 'train-model' }]);
    fireEvent.change(screen.getByTestId('publish-dataset-model'), { target: { value: 'iris-model' } });
    expect(screen.getByTestId('prop-output-model').textContent).toContain('adds a version to model “iris-model” (now v1)');
    // Publishing as a dataset into a model dataset is refused, next to the declaration.
    fireEvent.change(screen.getByTestId('publish-kind-model'), { target: { value: 'dataset' } });
    expect(screen.getByTestId('prop-output-model').textContent).toContain('is published as a dataset, but dataset "iris-model" holds models');
    expect(onChange.mock.calls.at(-1)![0].graph.nodes[2]!.publish).toEqual([{ output: 'model', dataset: 'iris-model', kind: 'dataset' }]);
    expect(screen.getByTestId('publish-hint-train-model').textContent).toContain('iris-model');
    // Value outputs cannot be published.
    expect(screen.queryByTestId('publish-add-n')).toBeNull();
  });

  it('shows page-supplied tabs beside its own', () => {
    render(
      <PipelineEditor
        pipeline={samplePipeline()}
        components={SPECS}
        palette={SPECS}
        extraTabs={[{ id: 'triggers', label: 'Triggers', render: () => <p>the triggers</p> }]}
      />,
    );
    fireEvent.click(screen.getByTestId('tab-triggers'));
    expect(screen.getByText('the triggers')).toBeTruthy();
  });
});
