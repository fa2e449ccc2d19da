// Auto-layout: a layered left-to-right drawing (dagre), upstream on the left.
import { Graph, layout } from '@dagrejs/dagre';
import { graphEdges } from './graph';
import type { ComponentLookup, PipelineGraph, Position } from './types';

export interface Size {
  width: number;
  height: number;
}

export const NODE_WIDTH = 260;
const HEADER = 44;
const ROW = 22;

/** The size a node will roughly take on the canvas, before it was measured. */
export function estimateNodeSize(inputs: number, outputs: number): Size {
  return { width: NODE_WIDTH, height: HEADER + Math.max(inputs, outputs, 1) * ROW + 12 };
}

export function layoutGraph(
  graph: PipelineGraph,
  lookup: ComponentLookup,
  measured: (id: string) => Size | undefined = () => undefined,
): Map<string, Position> {
  const g = new Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 28, ranksep: 90, marginx: 0, marginy: 0 });
  g.setDefaultEdgeLabel(() => ({}));
  const sizes = new Map<string, Size>();
  for (const node of graph.nodes) {
    const spec = lookup(node.component_version);
    const size = measured(node.id) ?? estimateNodeSize(spec?.inputs.length ?? 1, spec?.outputs.length ?? 1);
    sizes.set(node.id, size);
    g.setNode(node.id, { width: size.width, height: size.height });
  }
  for (const e of graphEdges(graph)) {
    if (g.hasNode(e.source) && g.hasNode(e.target) && e.source !== e.target) g.setEdge(e.source, e.target);
  }
  layout(g);
  const positions = new Map<string, Position>();
  for (const node of graph.nodes) {
    const laid = g.node(node.id) as { x: number; y: number } | undefined;
    const size = sizes.get(node.id)!;
    // dagre gives centres; React Flow positions are top-left corners.
    if (laid) positions.set(node.id, { x: Math.round(laid.x - size.width / 2), y: Math.round(laid.y - size.height / 2) });
  }
  return positions;
}
