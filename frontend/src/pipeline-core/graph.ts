// Graph structure derived from a document: edges from `from` bindings, cycle
// detection, reachability.
import { isFromBinding, type PipelineGraph } from './types';

export interface GraphEdge {
  id: string;
  source: string;
  output: string;
  target: string;
  input: string;
}

export function edgeId(source: string, output: string, target: string, input: string): string {
  return `${source}.${output}->${target}.${input}`;
}

/** Every `from` binding as an edge, in document order. Dangling ones are included. */
export function graphEdges(graph: PipelineGraph): GraphEdge[] {
  const edges: GraphEdge[] = [];
  for (const node of graph.nodes) {
    for (const [input, binding] of Object.entries(node.arguments ?? {})) {
      if (isFromBinding(binding)) {
        const { node: source, output } = binding.from;
        edges.push({ id: edgeId(source, output, node.id, input), source, output, target: node.id, input });
      }
    }
  }
  return edges;
}

/** Adjacency (upstream → downstream) over existing nodes only; successors in document order. */
function adjacency(graph: PipelineGraph): Map<string, string[]> {
  const adj = new Map<string, string[]>();
  const position = new Map<string, number>();
  graph.nodes.forEach((node, i) => {
    if (!adj.has(node.id)) {
      adj.set(node.id, []);
      position.set(node.id, i);
    }
  });
  for (const e of graphEdges(graph)) {
    const list = adj.get(e.source);
    if (list && adj.has(e.target) && !list.includes(e.target)) list.push(e.target);
  }
  for (const list of adj.values()) list.sort((a, b) => position.get(a)! - position.get(b)!);
  return adj;
}

/**
 * The cycles of the graph: one entry per strongly connected component that
 * contains a cycle, as a shortest closed path starting at its first node in
 * document order (`['a', 'b', 'c', 'a']`), like the server reports them.
 */
export function findCycles(graph: PipelineGraph): string[][] {
  const adj = adjacency(graph);
  // Tarjan's algorithm, iterative so a 10,000-node chain does not blow the stack.
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];

  for (const start of adj.keys()) {
    if (indices.has(start)) continue;
    const work: Array<{ v: string; i: number }> = [{ v: start, i: 0 }];
    indices.set(start, index);
    low.set(start, index);
    index++;
    stack.push(start);
    onStack.add(start);
    while (work.length) {
      const frame = work[work.length - 1]!;
      const succ = adj.get(frame.v)!;
      if (frame.i < succ.length) {
        const w = succ[frame.i++]!;
        if (!indices.has(w)) {
          indices.set(w, index);
          low.set(w, index);
          index++;
          stack.push(w);
          onStack.add(w);
          work.push({ v: w, i: 0 });
        } else if (onStack.has(w)) {
          low.set(frame.v, Math.min(low.get(frame.v)!, indices.get(w)!));
        }
      } else {
        work.pop();
        if (work.length) {
          const parent = work[work.length - 1]!.v;
          low.set(parent, Math.min(low.get(parent)!, low.get(frame.v)!));
        }
        if (low.get(frame.v) === indices.get(frame.v)) {
          const comp: string[] = [];
          let w: string;
          do {
            w = stack.pop()!;
            onStack.delete(w);
            comp.push(w);
          } while (w !== frame.v);
          const selfLoop = comp.length === 1 && adj.get(comp[0]!)!.includes(comp[0]!);
          if (comp.length > 1 || selfLoop) components.push(comp);
        }
      }
    }
  }

  const order = [...adj.keys()];
  const position = new Map(order.map((id, i) => [id, i]));
  const cycles = components.map((comp) => cyclePath(comp, adj, position));
  cycles.sort((a, b) => position.get(a[0]!)! - position.get(b[0]!)!);
  return cycles;
}

/** A shortest closed path through the first (in document order) node of a strongly connected component. */
function cyclePath(component: string[], adj: Map<string, string[]>, position: Map<string, number>): string[] {
  const members = new Set(component);
  const start = [...component].sort((a, b) => position.get(a)! - position.get(b)!)[0]!;
  const prev = new Map<string, string>();
  const queue = [start];
  const seen = new Set<string>();
  while (queue.length) {
    const v = queue.shift()!;
    for (const w of adj.get(v) ?? []) {
      if (!members.has(w)) continue;
      if (w === start) {
        const back = [v];
        let cur = v;
        while (cur !== start) {
          cur = prev.get(cur)!;
          back.push(cur);
        }
        return [...back.reverse(), start];
      }
      if (!seen.has(w)) {
        seen.add(w);
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

/**
 * The path `from → … → to` along edges, or null when `to` is not reachable.
 * Used to refuse a connection that would close a cycle.
 */
export function findPath(graph: PipelineGraph, from: string, to: string): string[] | null {
  const adj = adjacency(graph);
  if (!adj.has(from)) return null;
  if (from === to) return [from];
  const prev = new Map<string, string>();
  const queue = [from];
  const seen = new Set([from]);
  while (queue.length) {
    const v = queue.shift()!;
    for (const w of adj.get(v) ?? []) {
      if (seen.has(w)) continue;
      seen.add(w);
      prev.set(w, v);
      if (w === to) {
        const path = [to];
        let cur = to;
        while (cur !== from) {
          cur = prev.get(cur)!;
          path.push(cur);
        }
        return path.reverse();
      }
      queue.push(w);
    }
  }
  return null;
}

/** Node ids in an order where every upstream comes before its downstreams (cycles broken arbitrarily). */
export function topologicalOrder(graph: PipelineGraph): string[] {
  const adj = adjacency(graph);
  const indegree = new Map<string, number>();
  for (const id of adj.keys()) indegree.set(id, 0);
  for (const targets of adj.values()) for (const t of targets) indegree.set(t, (indegree.get(t) ?? 0) + 1);
  const queue = [...adj.keys()].filter((id) => indegree.get(id) === 0);
  const order: string[] = [];
  const done = new Set<string>();
  while (order.length < adj.size) {
    if (!queue.length) {
      // A cycle: release the first remaining node.
      const next = [...adj.keys()].find((id) => !done.has(id))!;
      queue.push(next);
      indegree.set(next, 0);
    }
    const v = queue.shift()!;
    if (done.has(v)) continue;
    done.add(v);
    order.push(v);
    for (const w of adj.get(v)!) {
      indegree.set(w, indegree.get(w)! - 1);
      if (indegree.get(w) === 0 && !done.has(w)) queue.push(w);
    }
  }
  return order;
}
