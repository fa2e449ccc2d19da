// Zoomed far out, the canvas draws its edges itself, in one shared <svg>, instead of through React Flow,
// which wraps every edge in an <svg> of its own with a React component and a store selector each: on
// a 500-step pipeline that was 1,400 selectors run on every frame of a drag or a pan (each edge
// recomputes its end points on any store change, the view's included) and 1,400 SVG roots for the
// browser to lay out, layerize and paint. Measured on the bench's 500-step pipeline (docs/benchmarks.md,
// P6), hiding those edges alone took drag and pan frames from 33 ms at p95 to one vsync.
//
// Plain DOM here, no React: a frame of a drag changes the `d` of the few edges at the moved steps and
// nothing else. The geometry is React Flow's own for its default (bezier) edge, from the handle bounds
// React Flow measured, so an edge is drawn in the same place to the pixel whichever draws it.
import type { InternalNode } from '@xyflow/react';
import { ConnectionMode, getBezierPath, getEdgePosition } from '@xyflow/system';

/** What the layer needs of an edge (a React Flow edge fits). */
export interface LayerEdge {
  id: string;
  source: string;
  target: string;
  sourceHandle?: string | null;
  targetHandle?: string | null;
  className?: string;
  style?: { stroke?: string };
}

/**
 * Zoomed far out, which edges React Flow still draws and which the layer draws: React Flow keeps those a
 * person acts on or that move, a selected edge (it can still be deleted with the keyboard, and is drawn
 * raised and highlighted) and an animated one (the input of a running step, on the run page).
 */
export function splitLowDetailEdges<E extends LayerEdge & { selected?: boolean; animated?: boolean }>(
  edges: readonly E[],
): { flow: E[]; layer: E[] } {
  const flow: E[] = [];
  const layer: E[] = [];
  for (const e of edges) (e.selected || e.animated ? flow : layer).push(e);
  return { flow, layer };
}

export type NodeLookup = ReadonlyMap<string, InternalNode>;

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * The SVG path of an edge as React Flow's default edge draws it (its own getEdgePosition, then a bezier
 * from the source handle to the target handle, strict connection mode), or null while a handle at either
 * end has not been measured: React Flow does not draw such an edge either.
 */
export function edgePath(edge: LayerEdge, nodes: NodeLookup): string | null {
  const source = nodes.get(edge.source);
  const target = nodes.get(edge.target);
  if (!source || !target) return null;
  const at = getEdgePosition({
    id: edge.id,
    sourceNode: source,
    sourceHandle: edge.sourceHandle ?? null,
    targetNode: target,
    targetHandle: edge.targetHandle ?? null,
    connectionMode: ConnectionMode.Strict,
  });
  if (!at) return null;
  const [d] = getBezierPath(at);
  return d;
}

interface Drawn {
  edge: LayerEdge;
  path: SVGPathElement | null;
  d: string | null;
}

/** What an edge's end points were computed from: React Flow replaces these objects when they change. */
interface NodeStamp {
  position: object;
  handles: object | undefined;
}

/**
 * The edges of the canvas in one <svg>: one <path> per edge, added once both its ends are measured.
 * Each path carries React Flow's edge classes (`react-flow__edge react-flow__edge-path`), so it is styled,
 * counted and found like one of React Flow's edges, and the edge's own class (`done` on the run page) and
 * stroke colour. The paths take no pointer events (styles.css): zoomed this far out an edge is a hairline
 * nobody can click.
 */
export class EdgeLayer {
  private readonly drawn = new Map<string, Drawn>();
  private byNode = new Map<string, string[]>();
  private readonly stamps = new Map<string, NodeStamp>();
  private dirty = new Set<string>();
  private paths = 0;

  constructor(private readonly svg: SVGSVGElement) {}

  /** The edges to draw. Edges given as the same objects as before keep their paths. */
  setEdges(edges: readonly LayerEdge[]): void {
    const keep = new Set<string>();
    const byNode = new Map<string, string[]>();
    for (const edge of edges) {
      keep.add(edge.id);
      const prev = this.drawn.get(edge.id);
      if (prev?.edge !== edge) {
        if (prev) this.removePath(prev);
        this.drawn.set(edge.id, { edge, path: null, d: null });
        this.dirty.add(edge.id);
      }
      for (const node of [edge.source, edge.target]) {
        const list = byNode.get(node);
        if (list) list.push(edge.id);
        else byNode.set(node, [edge.id]);
      }
    }
    for (const [id, drawn] of this.drawn) {
      if (keep.has(id)) continue;
      this.removePath(drawn);
      this.drawn.delete(id);
      this.dirty.delete(id);
    }
    this.byNode = byNode;
  }

  /**
   * Brings the paths up to date with React Flow's nodes. Called on every change of React Flow's store,
   * a pan's included, so it first finds, by object identity, the nodes whose position or handles
   * changed (React Flow replaces those objects when they change), and recomputes only their edges.
   * Returns how many edges have a path.
   */
  draw(nodes: NodeLookup): number {
    for (const [id, node] of nodes) {
      const stamp = this.stamps.get(id);
      const { positionAbsolute, handleBounds } = node.internals;
      if (stamp && stamp.position === positionAbsolute && stamp.handles === handleBounds) continue;
      this.stamps.set(id, { position: positionAbsolute, handles: handleBounds });
      for (const edgeId of this.byNode.get(id) ?? []) this.dirty.add(edgeId);
    }
    if (this.dirty.size) {
      for (const id of this.dirty) {
        const drawn = this.drawn.get(id);
        if (drawn) this.update(drawn, edgePath(drawn.edge, nodes));
      }
      this.dirty = new Set();
    }
    return this.paths;
  }

  /** Removes every path (the layer is going away). */
  clear(): void {
    for (const drawn of this.drawn.values()) this.removePath(drawn);
    this.drawn.clear();
    this.byNode.clear();
    this.stamps.clear();
    this.dirty.clear();
  }

  private update(drawn: Drawn, d: string | null): void {
    if (d === drawn.d && (d === null) === (drawn.path === null)) return;
    drawn.d = d;
    if (d === null) {
      this.removePath(drawn);
      return;
    }
    if (!drawn.path) {
      const path = document.createElementNS(SVG_NS, 'path');
      const { edge } = drawn;
      path.setAttribute('class', `react-flow__edge react-flow__edge-path${edge.className ? ` ${edge.className}` : ''}`);
      path.dataset.id = edge.id;
      if (edge.style?.stroke) path.style.stroke = edge.style.stroke;
      this.svg.appendChild(path);
      drawn.path = path;
      this.paths++;
    }
    drawn.path.setAttribute('d', d);
  }

  private removePath(drawn: Drawn): void {
    if (!drawn.path) return;
    drawn.path.remove();
    drawn.path = null;
    drawn.d = null;
    this.paths--;
  }
}
