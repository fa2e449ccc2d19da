import { describe, expect, it } from 'vitest';
import { ANY, EVALUATE, samplePipeline, SPECS, TRAIN } from '../pipeline-core/fixtures';
import { emptyDocument, graphEdges } from '../pipeline-core';
import { createEditorStore, minimapShown } from './store';

function store(doc = samplePipeline()) {
  return createEditorStore(doc, SPECS);
}

describe('editor store', () => {
  it('validates on load and on every edit', () => {
    const s = store();
    expect(s.getState().problems).toEqual([]);
    const id = s.getState().addComponent(EVALUATE, { x: 0, y: 0 });
    expect(id).toBe('evaluate-classifier');
    expect(s.getState().problems.map((p) => [p.code, p.port])).toEqual([
      ['unbound_input', 'model'],
      ['unbound_input', 'test_data'],
    ]);
    expect(s.getState().nodeProblems.get(id)).toHaveLength(2);
    expect([...s.getState().selectedNodes]).toEqual([id]);
  });

  it('connects compatible ports and refuses others with a notice', () => {
    const s = store();
    const id = s.getState().addComponent(EVALUATE, { x: 0, y: 0 });
    expect(s.getState().connect({ source: 'split', output: 'train', target: id, input: 'model' })).toBe(false);
    expect(s.getState().notice).toMatchObject({ kind: 'error', text: expect.stringContaining('expects Model') });
    expect(s.getState().connect({ source: 'train', output: 'model', target: id, input: 'model' })).toBe(true);
    expect(s.getState().doc.graph.nodes.at(-1)!.arguments.model).toEqual({ from: { node: 'train', output: 'model' } });
  });

  it('undoes and redoes edits', () => {
    const s = store();
    const before = s.getState().doc;
    s.getState().addComponent(TRAIN, { x: 1, y: 1 });
    const after = s.getState().doc;
    s.getState().undo();
    expect(s.getState().doc).toBe(before);
    s.getState().redo();
    expect(s.getState().doc).toBe(after);
    s.getState().undo();
    s.getState().addComponent(ANY, { x: 0, y: 0 });
    expect(s.getState().future).toEqual([]); // a new edit drops the redo stack
  });

  it('records one undo step per drag, not per frame', () => {
    const s = store();
    const before = s.getState().doc;
    for (let i = 1; i <= 10; i++) s.getState().moveNodes(new Map([['load', { x: i, y: i }]]), true);
    s.getState().moveNodes(new Map([['load', { x: 10, y: 10 }]]), false);
    expect(s.getState().doc.graph.nodes[0]!.position).toEqual({ x: 10, y: 10 });
    expect(s.getState().past).toHaveLength(1);
    s.getState().undo();
    expect(s.getState().doc).toBe(before);
  });

  it('tells listeners of a drag once, when it ends', () => {
    const s = store();
    const finished: unknown[] = [];
    s.subscribe((state, prev) => {
      if (state.doc !== prev.doc && !state.dragging) finished.push(state.doc);
    });
    for (let i = 1; i <= 5; i++) s.getState().moveNodes(new Map([['load', { x: i, y: i }]]), true);
    expect(finished).toEqual([]);
    expect(s.getState().dragging).toBe(true);
    s.getState().moveNodes(new Map([['load', { x: 6, y: 6 }]]), false);
    expect(finished).toEqual([s.getState().doc]);
    expect(s.getState().dragging).toBe(false);
  });

  it('keeps measured sizes without re-rendering anything', () => {
    const s = store();
    let notified = 0;
    s.subscribe(() => notified++);
    s.getState().setMeasured(new Map([['load', { width: 260, height: 120 }]]));
    expect(notified).toBe(0);
    expect(s.getState().measured.get('load')).toEqual({ width: 260, height: 120 });
  });

  it('coalesces typing in one field into one undo step', () => {
    const s = store();
    for (const label of ['S', 'Sp', 'Spl']) {
      s.getState().edit((d) => ({ ...d, parameters: [{ name: 'trees', type: 'Integer', default: label.length }] }), { coalesce: 'x' });
    }
    expect(s.getState().past).toHaveLength(1);
  });

  it('deletes selected nodes and edges in one step, unbinding downstream inputs', () => {
    const s = store();
    const edge = graphEdges(s.getState().doc.graph).find((e) => e.target === 'evaluate' && e.input === 'model')!;
    s.getState().select(['load'], [edge.id]);
    s.getState().deleteSelection();
    const doc = s.getState().doc;
    expect(doc.graph.nodes.map((n) => n.id)).toEqual(['split', 'train', 'evaluate']);
    expect(doc.graph.nodes[0]!.arguments.data).toBeUndefined();
    expect(doc.graph.nodes[2]!.arguments.model).toBeUndefined();
    expect(s.getState().past).toHaveLength(1);
    expect(s.getState().problems.map((p) => [p.code, p.node, p.port])).toEqual([
      ['unbound_input', 'split', 'data'],
      ['unbound_input', 'evaluate', 'model'],
    ]);
  });

  it('copies and pastes the selection with new ids and offsets', () => {
    const s = store();
    s.getState().select(['split', 'train']);
    expect(s.getState().copySelection()).toBe(2);
    expect(s.getState().paste()).toEqual(['split-2', 'train-2']);
    expect(s.getState().paste()).toEqual(['split-3', 'train-3']);
    const nodes = s.getState().doc.graph.nodes;
    expect(nodes.find((n) => n.id === 'train-3')!.arguments.training_data).toEqual({ from: { node: 'split-3', output: 'train' } });
    expect(nodes.find((n) => n.id === 'split-3')!.position).toEqual({ x: 380, y: 80 });
    expect([...s.getState().selectedNodes]).toEqual(['split-3', 'train-3']);
  });

  it('lays the graph out left to right and asks for a fit', () => {
    const s = store();
    const fit = s.getState().fitRequest;
    s.getState().autoLayout();
    const x = Object.fromEntries(s.getState().doc.graph.nodes.map((n) => [n.id, n.position.x]));
    expect(x.load!).toBeLessThan(x.split!);
    expect(x.split!).toBeLessThan(x.train!);
    expect(s.getState().fitRequest).toBe(fit + 1);
  });

  it('changes nothing when read-only', () => {
    const s = createEditorStore(samplePipeline(), SPECS, true);
    const doc = s.getState().doc;
    s.getState().addComponent(TRAIN, { x: 0, y: 0 });
    s.getState().moveNodes(new Map([['load', { x: 5, y: 5 }]]), true);
    s.getState().select(['load']);
    s.getState().deleteSelection();
    expect(s.getState().doc).toBe(doc);
  });

  it('keeps selection of nodes that survive a reload, and clears history', () => {
    const s = store();
    s.getState().select(['train']);
    s.getState().addComponent(ANY, { x: 0, y: 0 });
    s.getState().select(['train']);
    s.getState().load(samplePipeline());
    expect([...s.getState().selectedNodes]).toEqual(['train']);
    expect(s.getState().past).toEqual([]);
    s.getState().load(emptyDocument());
    expect(s.getState().selectedNodes.size).toBe(0);
  });

  it('hides the minimap by default on very large graphs', () => {
    const big = emptyDocument();
    big.graph.nodes = Array.from({ length: 201 }, (_, i) => ({ id: `n${i}`, component_version: 1, position: { x: 0, y: 0 }, arguments: {} }));
    const s = store(big);
    expect(minimapShown(s.getState())).toBe(false);
    s.getState().toggleMinimap();
    expect(minimapShown(s.getState())).toBe(true);
    expect(minimapShown(store().getState())).toBe(true);
  });
});

describe('editor store: datasets', () => {
  it('re-validates when the datasets become known, and names them for the canvas', () => {
    const doc = samplePipeline();
    doc.graph.nodes[1]!.arguments.data = { dataset: { id: 99, version: 'latest' } };
    const s = store(doc);
    // Unknown datasets are not judged until the list is there, as the server skips them without one.
    expect(s.getState().problems).toEqual([]);
    s.getState().setDatasets([{ id: 7, name: 'iris', kind: 'dataset', latest_version: 1 }]);
    expect(s.getState().problems.map((p) => p.code)).toEqual(['unknown_dataset']);
    expect(s.getState().datasetNames.get(7)).toBe('iris');
  });
});
