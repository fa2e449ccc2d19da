import { describe, expect, it } from 'vitest';
import type { Lineage } from '../api/types';
import { layoutLineage } from './layout';

const version = (id: number, dataset: number, number: number, kind = 'dataset') => ({
  id: `version:${id}`,
  type: 'version' as const,
  version_id: id,
  dataset,
  dataset_name: dataset === 1 ? 'iris' : 'iris-model',
  kind,
  number,
  sha256: 'ab'.repeat(32),
  size: 100,
  uri: 'store://sha256/ab',
  created_at: '2025-01-01T00:00:00Z',
  produced_by_run: null,
});
const run = (id: number) => ({
  id: `run:${id}`,
  type: 'run' as const,
  run_id: id,
  pipeline: 3,
  pipeline_name: 'train',
  pipeline_version: 1,
  status: 'completed',
  trigger_kind: 'dataset',
  created_at: '2025-01-01T00:00:00Z',
});

const LINEAGE: Lineage = {
  dataset: { id: 1, name: 'iris', kind: 'dataset' },
  nodes: [version(10, 1, 1), version(11, 1, 2), run(5), version(20, 2, 1, 'model')],
  edges: [
    { source: 'version:11', target: 'run:5', kind: 'input', node: 'train', port: 'training_data' },
    { source: 'run:5', target: 'version:20', kind: 'output', node: 'train', port: 'model' },
    { source: 'version:99', target: 'run:5', kind: 'input', node: 'x', port: 'y' },
  ],
};

describe('layoutLineage', () => {
  it('lays versions → runs → produced versions out left to right', () => {
    const { nodes, edges } = layoutLineage(LINEAGE);
    const x = Object.fromEntries(nodes.map((n) => [n.id, n.position.x]));
    expect(x['version:11']!).toBeLessThan(x['run:5']!);
    expect(x['run:5']!).toBeLessThan(x['version:20']!);
    // An edge to a node that is not in the graph is left out.
    expect(edges.map((e) => [e.source, e.target, e.label, e.data.kind])).toEqual([
      ['version:11', 'run:5', 'train.training_data', 'input'],
      ['run:5', 'version:20', 'train.model', 'output'],
    ]);
  });

  it('marks the versions of the page’s own dataset', () => {
    const { nodes } = layoutLineage(LINEAGE);
    const focus = nodes.filter((n) => n.type === 'version' && n.data.focus).map((n) => n.id);
    expect(focus).toEqual(['version:10', 'version:11']);
    expect(nodes.find((n) => n.id === 'run:5')!.type).toBe('run');
  });

  it('does not overlap nodes', () => {
    const { nodes } = layoutLineage(LINEAGE);
    for (const a of nodes)
      for (const b of nodes) {
        if (a === b) continue;
        const apart = Math.abs(a.position.x - b.position.x) >= 230 || Math.abs(a.position.y - b.position.y) >= 78;
        expect(apart).toBe(true);
      }
  });
});
