import { describe, expect, it } from 'vitest';
import { layoutGraph } from './layout';
import { lookupOf, samplePipeline, TRAIN } from './fixtures';
import {
  addNode,
  copyNodes,
  disconnect,
  moveNodes,
  parameterUsers,
  pasteFragment,
  removeNodes,
  renameParameter,
  setPublish,
  slugify,
  uniqueNodeId,
} from './ops';
import type { Binding } from './types';
import { validateDocument } from './validate';

describe('document edits', () => {
  it('makes readable unique ids', () => {
    expect(slugify('Train/test split')).toBe('train-test-split');
    expect(uniqueNodeId(['train', 'train-2'], 'Train')).toBe('train-3');
    expect(uniqueNodeId([], '***')).toBe('step');
  });

  it('adds a node with no bindings and keeps other nodes identical', () => {
    const doc = samplePipeline();
    const { doc: next, id } = addNode(doc, TRAIN, { x: 5, y: 6 });
    expect(id).toBe('train-classifier');
    expect(next.graph.nodes.at(-1)).toEqual({ id, component_version: 3, position: { x: 5, y: 6 }, arguments: {} });
    expect(next.graph.nodes[0]).toBe(doc.graph.nodes[0]);
  });

  it('removes a node and the bindings that read from it', () => {
    const next = removeNodes(samplePipeline(), ['split']);
    expect(next.graph.nodes.map((n) => n.id)).toEqual(['load', 'train', 'evaluate']);
    expect(next.graph.nodes[1]!.arguments).toEqual({ n_estimators: { parameter: 'trees' } });
    expect(next.graph.nodes[2]!.arguments).toEqual({ model: { from: { node: 'train', output: 'model' } } });
  });

  it('disconnects only from-bindings', () => {
    const doc = samplePipeline();
    const next = disconnect(doc, [
      { target: 'split', input: 'data' },
      { target: 'split', input: 'test_fraction' },
    ]);
    expect(next.graph.nodes[1]!.arguments).toEqual({ test_fraction: { value: 0.25 } });
  });

  it('moves nodes, and returns the same document when nothing moved', () => {
    const doc = samplePipeline();
    expect(moveNodes(doc, new Map([['load', { x: 0, y: 0 }]]))).toBe(doc);
    const moved = moveNodes(doc, new Map([['load', { x: 1, y: 2 }]]));
    expect(moved.graph.nodes[0]!.position).toEqual({ x: 1, y: 2 });
    expect(moved.graph.nodes[1]).toBe(doc.graph.nodes[1]);
  });

  it('copies and pastes with new ids, rewiring inner connections', () => {
    const doc = samplePipeline();
    const fragment = copyNodes(doc, ['split', 'train']);
    const { doc: next, ids } = pasteFragment(doc, fragment, { x: 40, y: 40 });
    expect(ids).toEqual(['split-2', 'train-2']);
    const [split2, train2] = next.graph.nodes.slice(-2);
    expect(split2!.arguments.data).toEqual({ from: { node: 'load', output: 'table' } });
    expect(train2!.arguments.training_data).toEqual({ from: { node: 'split-2', output: 'train' } });
    expect(train2!.position).toEqual({ x: 640, y: -40 });
    expect(train2!.resources).toEqual({ cpu: 1, memory: '1Gi' });
    expect(validateDocument(next, lookupOf())).toEqual([]);
    // The clipboard is independent of later edits.
    fragment.nodes[0]!.label = 'changed';
    expect(next.graph.nodes.at(-2)!.label).toBe('Split');
  });

  it('drops pasted connections to steps that no longer exist', () => {
    const doc = samplePipeline();
    const fragment = copyNodes(doc, ['split']);
    const { doc: next } = pasteFragment(removeNodes(doc, ['load']), fragment, { x: 0, y: 0 });
    expect(next.graph.nodes.at(-1)!.arguments.data).toBeUndefined();
  });

  it('renames a parameter and its uses', () => {
    const next = renameParameter(samplePipeline(), 'trees', 'n_trees');
    expect(next.parameters[0]!.name).toBe('n_trees');
    expect(parameterUsers(next, 'n_trees')).toEqual([{ node: 'train', input: 'n_estimators' }]);
    expect(parameterUsers(next, 'trees')).toEqual([]);
  });
});

describe('auto-layout', () => {
  it('places upstream steps left of downstream ones without overlaps', () => {
    const doc = samplePipeline();
    const pos = layoutGraph(doc.graph, lookupOf());
    expect(pos.size).toBe(4);
    expect(pos.get('load')!.x).toBeLessThan(pos.get('split')!.x);
    expect(pos.get('split')!.x).toBeLessThan(pos.get('train')!.x);
    expect(pos.get('train')!.x).toBeLessThan(pos.get('evaluate')!.x);
  });

  it('lays out 500 nodes', () => {
    const doc = samplePipeline();
    doc.graph.nodes = Array.from({ length: 500 }, (_, i) => ({
      id: `n${i}`,
      component_version: 5,
      position: { x: 0, y: 0 },
      arguments: (i ? { file: { from: { node: `n${Math.floor((i - 1) / 2)}`, output: 'out' } } } : {}) as Record<string, Binding>,
    }));
    const pos = layoutGraph(doc.graph, lookupOf());
    expect(pos.size).toBe(500);
  });
});

describe('setPublish', () => {
  it('sets and clears the publish list of one node', () => {
    const doc = samplePipeline();
    const withList = setPublish(doc, 'train', [{ output: 'model', dataset: 'iris-model' }]);
    expect(withList.graph.nodes[2]!.publish).toEqual([{ output: 'model', dataset: 'iris-model' }]);
    expect(withList.graph.nodes[0]).toBe(doc.graph.nodes[0]);
    expect('publish' in setPublish(withList, 'train', []).graph.nodes[2]!).toBe(false);
  });
});
