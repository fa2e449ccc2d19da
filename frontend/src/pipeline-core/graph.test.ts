import { describe, expect, it } from 'vitest';
import { findCycles, findPath, graphEdges, topologicalOrder } from './graph';
import { samplePipeline } from './fixtures';
import type { PipelineGraph } from './types';

function chain(edges: Array<[string, string]>, extra: string[] = []): PipelineGraph {
  const ids = new Set(extra);
  for (const [a, b] of edges) ids.add(a).add(b);
  return {
    schema_version: 1,
    nodes: [...ids].map((id) => ({
      id,
      component_version: 1,
      position: { x: 0, y: 0 },
      arguments: Object.fromEntries(
        edges.filter(([, b]) => b === id).map(([a], i) => [`in${i}`, { from: { node: a, output: 'out' } }]),
      ),
    })),
  };
}

describe('graph', () => {
  it('derives edges from from-bindings', () => {
    expect(graphEdges(samplePipeline().graph).map((e) => e.id)).toEqual([
      'load.table->split.data',
      'split.train->train.training_data',
      'train.model->evaluate.model',
      'split.test->evaluate.test_data',
    ]);
  });

  it('finds no cycle in a DAG', () => {
    expect(findCycles(samplePipeline().graph)).toEqual([]);
  });

  it('names the nodes on each cycle, starting from the first in document order', () => {
    const g = chain([
      ['c', 'd'],
      ['d', 'b'],
      ['b', 'c'],
      ['x', 'y'],
      ['y', 'x'],
      ['a', 'b'],
    ]);
    expect(findCycles(g)).toEqual([
      ['c', 'd', 'b', 'c'],
      ['x', 'y', 'x'],
    ]);
  });

  it('detects a self loop', () => {
    expect(findCycles(chain([['a', 'a']]))).toEqual([['a', 'a']]);
  });

  it('gives the shortest path around a component with several cycles', () => {
    const g = chain([
      ['a', 'b'],
      ['b', 'c'],
      ['c', 'a'],
      ['b', 'a'],
    ]);
    expect(findCycles(g)).toEqual([['a', 'b', 'a']]);
  });

  it('handles a long chain without recursion limits', () => {
    const edges: Array<[string, string]> = [];
    for (let i = 0; i < 5000; i++) edges.push([`n${i}`, `n${i + 1}`]);
    edges.push(['n5000', 'n0']);
    const cycles = findCycles(chain(edges));
    expect(cycles).toHaveLength(1);
    expect(cycles[0]).toHaveLength(5002);
  });

  it('finds paths', () => {
    const g = samplePipeline().graph;
    expect(findPath(g, 'load', 'evaluate')).toEqual(['load', 'split', 'evaluate']);
    expect(findPath(g, 'evaluate', 'load')).toBeNull();
  });

  it('orders nodes topologically', () => {
    const order = topologicalOrder(samplePipeline().graph);
    expect(order.indexOf('load')).toBeLessThan(order.indexOf('split'));
    expect(order.indexOf('split')).toBeLessThan(order.indexOf('train'));
    expect(order.indexOf('train')).toBeLessThan(order.indexOf('evaluate'));
    expect(topologicalOrder(chain([['a', 'b'], ['b', 'a']])).sort()).toEqual(['a', 'b']);
  });
});
