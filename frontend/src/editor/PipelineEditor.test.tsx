import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EVALUATE, samplePipeline, SPECS } from '../pipeline-core/fixtures';
import type { PipelineDocument } from '../pipeline-core';
import { PipelineEditor } from './PipelineEditor';

afterEach(cleanup);

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
