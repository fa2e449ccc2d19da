// The lineage graph of a dataset (GET /api/datasets/{id}/lineage/) as positioned React Flow
// nodes and edges: versions and runs, left to right in the direction data flows. Plain
// TypeScript (dagre), no React, so it is unit-tested on its own.
import { Graph, layout } from '@dagrejs/dagre';
import type { Lineage, LineageRunNode, LineageVersionNode } from '../api/types';

export const LINEAGE_NODE_SIZE = { width: 230, height: 78 };

export interface VersionNodeData extends Record<string, unknown> {
  version: LineageVersionNode;
  /** A version of the dataset whose page this is (drawn stronger). */
  focus: boolean;
}
export interface RunNodeData extends Record<string, unknown> {
  run: LineageRunNode;
}

export type LineageFlowNode =
  | { id: string; type: 'version'; position: { x: number; y: number }; data: VersionNodeData }
  | { id: string; type: 'run'; position: { x: number; y: number }; data: RunNodeData };

export interface LineageFlowEdge {
  id: string;
  source: string;
  target: string;
  label: string;
  data: { kind: 'input' | 'output' };
}

/** Positions every node (top-left corners) with dagre; edges whose ends are missing are dropped. */
export function layoutLineage(lineage: Lineage): { nodes: LineageFlowNode[]; edges: LineageFlowEdge[] } {
  const g = new Graph({ multigraph: true });
  // Wide ranks leave room for the edge labels (node.port) with the line visible on both sides.
  g.setGraph({ rankdir: 'LR', nodesep: 24, ranksep: 150, marginx: 10, marginy: 10 });
  g.setDefaultEdgeLabel(() => ({}));
  const ids = new Set(lineage.nodes.map((n) => n.id));
  for (const n of lineage.nodes) g.setNode(n.id, { ...LINEAGE_NODE_SIZE });
  const edges: LineageFlowEdge[] = [];
  for (const e of lineage.edges) {
    if (!ids.has(e.source) || !ids.has(e.target) || e.source === e.target) continue;
    const id = `${e.source}->${e.target}:${e.node}.${e.port}`;
    g.setEdge(e.source, e.target, {}, id);
    edges.push({ id, source: e.source, target: e.target, label: `${e.node}.${e.port}`, data: { kind: e.kind } });
  }
  layout(g);
  const nodes = lineage.nodes.map((n): LineageFlowNode => {
    const laid = g.node(n.id) as { x: number; y: number } | undefined;
    const position = {
      x: Math.round((laid?.x ?? 0) - LINEAGE_NODE_SIZE.width / 2),
      y: Math.round((laid?.y ?? 0) - LINEAGE_NODE_SIZE.height / 2),
    };
    return n.type === 'version'
      ? { id: n.id, type: 'version', position, data: { version: n, focus: n.dataset === lineage.dataset.id } }
      : { id: n.id, type: 'run', position, data: { run: n } };
  });
  return { nodes, edges };
}
