// Document ⇄ React Flow nodes/edges. The shapes below are structural
// subsets of @xyflow/react's Node and Edge, so this file needs no React.
import { graphEdges } from './graph';
import {
  isFromBinding,
  type ComponentLookup,
  type ComponentSpec,
  type GraphNode,
  type PipelineDocument,
  type PipelineParameter,
} from './types';

export const NODE_TYPE = 'component';

export interface StepNodeData extends Record<string, unknown> {
  node: GraphNode;
  spec: ComponentSpec | undefined;
}

export interface FlowNodeLike<D extends Record<string, unknown> = StepNodeData> {
  id: string;
  type?: string;
  position: { x: number; y: number };
  data: D;
}

export interface FlowEdgeData extends Record<string, unknown> {
  type: string | null;
}

export interface FlowEdgeLike {
  id: string;
  source: string;
  target: string;
  sourceHandle?: string | null;
  targetHandle?: string | null;
  data?: FlowEdgeData;
}

export const inputHandleId = (port: string): string => `in:${port}`;
export const outputHandleId = (port: string): string => `out:${port}`;

/** The port name of a handle id (`in:data` → `data`), or null for a handle of the other side. */
export function portOfHandle(handle: string | null | undefined, side: 'in' | 'out'): string | null {
  if (!handle) return null;
  const prefix = `${side}:`;
  return handle.startsWith(prefix) ? handle.slice(prefix.length) : null;
}

export function toFlowNode(node: GraphNode, spec: ComponentSpec | undefined): FlowNodeLike {
  return { id: node.id, type: NODE_TYPE, position: { ...node.position }, data: { node, spec } };
}

/**
 * The edges of a document. Bindings whose upstream node or output does not
 * exist are left out (the validator reports them); drawing them would make
 * React Flow complain about missing handles.
 */
export function toFlowEdges(doc: PipelineDocument, lookup: ComponentLookup): FlowEdgeLike[] {
  const byId = new Map(doc.graph.nodes.map((n) => [n.id, n]));
  const edges: FlowEdgeLike[] = [];
  for (const e of graphEdges(doc.graph)) {
    const source = byId.get(e.source);
    const target = byId.get(e.target);
    if (!source || !target) continue;
    const sourceSpec = lookup(source.component_version);
    const targetSpec = lookup(target.component_version);
    const out = sourceSpec?.outputs.find((p) => p.name === e.output);
    if (!out || !targetSpec?.inputs.some((p) => p.name === e.input)) continue;
    edges.push({
      id: e.id,
      source: e.source,
      target: e.target,
      sourceHandle: outputHandleId(e.output),
      targetHandle: inputHandleId(e.input),
      data: { type: out.type },
    });
  }
  return edges;
}

export function documentToFlow(
  doc: PipelineDocument,
  lookup: ComponentLookup,
): { nodes: FlowNodeLike[]; edges: FlowEdgeLike[] } {
  return {
    nodes: doc.graph.nodes.map((n) => toFlowNode(n, lookup(n.component_version))),
    edges: toFlowEdges(doc, lookup),
  };
}

/**
 * Rebuilds a document from flow nodes and edges: each node's own settings
 * come from its data, its position from the flow node, and its `from`
 * bindings from the edges (constant and parameter bindings are kept).
 */
export function flowToDocument(
  nodes: FlowNodeLike[],
  edges: FlowEdgeLike[],
  parameters: PipelineParameter[],
): PipelineDocument {
  const graphNodes: GraphNode[] = nodes.map((fn) => {
    const args = Object.fromEntries(
      Object.entries(fn.data.node.arguments ?? {}).filter(([, b]) => !isFromBinding(b)),
    );
    return { ...fn.data.node, id: fn.id, position: { x: fn.position.x, y: fn.position.y }, arguments: args };
  });
  const byId = new Map(graphNodes.map((n) => [n.id, n]));
  for (const e of edges) {
    const target = byId.get(e.target);
    const input = portOfHandle(e.targetHandle, 'in');
    const output = portOfHandle(e.sourceHandle, 'out');
    if (!target || !input || !output) continue;
    target.arguments[input] = { from: { node: e.source, output } };
  }
  return { graph: { schema_version: 1, nodes: graphNodes }, parameters };
}

