// Turns the store's document into React Flow nodes and edges, reusing the
// previous object for every node/edge that did not change, so a drag or an
// edit re-renders one node, not five hundred.
import type { Edge } from '@xyflow/react';
import { useMemo, useRef, useState } from 'react';
import { toFlowEdges, type FlowEdgeData, type Problem } from '../pipeline-core';
import { typeColor } from './categories';
import type { StepFlowNode } from './ComponentNode';
import { useEditor } from './context';

const NO_PROBLEMS: Problem[] = [];
const NO_NODE_PROBLEMS = new Map<string, Problem[]>();

function problemsKey(list: Problem[] | undefined): string {
  return list ? list.map((p) => `${p.code}|${p.port ?? ''}|${p.message}`).join('\n') : '';
}

export type StepEdge = Edge<FlowEdgeData>;

export function useFlowNodes(statuses: Record<string, string> | undefined): StepFlowNode[] {
  const doc = useEditor((s) => s.doc);
  const lookup = useEditor((s) => s.lookup);
  const allProblems = useEditor((s) => s.nodeProblems);
  const showProblems = useEditor((s) => s.showProblems);
  const nodeProblems = showProblems ? allProblems : NO_NODE_PROBLEMS;
  const selected = useEditor((s) => s.selectedNodes);
  const measured = useEditor((s) => s.measured);
  const readOnly = useEditor((s) => s.readOnly);
  const datasetNames = useEditor((s) => s.datasetNames);
  const cache = useRef(new Map<string, StepFlowNode>());

  return useMemo(() => {
    const next = new Map<string, StepFlowNode>();
    const nodes = doc.graph.nodes.map((node) => {
      const spec = lookup(node.component_version);
      const problems = nodeProblems.get(node.id);
      const isSelected = selected.has(node.id);
      const status = statuses?.[node.id];
      const prev = cache.current.get(node.id);
      let flow: StepFlowNode;
      if (
        prev &&
        prev.data.node === node &&
        prev.data.spec === spec &&
        prev.data.status === status &&
        prev.data.readOnly === readOnly &&
        prev.data.datasetNames === datasetNames &&
        !!prev.selected === isSelected &&
        problemsKey(prev.data.problems) === problemsKey(problems)
      ) {
        flow = prev;
      } else {
        const keepProblems = prev && problemsKey(prev.data.problems) === problemsKey(problems) ? prev.data.problems : problems;
        // A node whose component just became known grew handles: leave out the old size so
        // React Flow measures it (and its handles) again instead of reusing empty handle bounds.
        const remeasure = !!prev && prev.data.spec !== spec;
        // The size React Flow measured (store.setMeasured): a new node object must carry it, or React Flow
        // hides the step until it has measured it again. A reused object is the one React Flow measured.
        const size = measured.get(node.id);
        flow = {
          id: node.id,
          type: 'component',
          position: node.position,
          data: { node, spec, problems: keepProblems ?? NO_PROBLEMS, status, readOnly, datasetNames },
          selected: isSelected,
          ...(size && !remeasure ? { measured: size } : {}),
        };
      }
      next.set(node.id, flow);
      return flow;
    });
    cache.current = next;
    return nodes;
  }, [doc, lookup, nodeProblems, selected, measured, readOnly, statuses, datasetNames]);
}

export function useFlowEdges(statuses: Record<string, string> | undefined): StepEdge[] {
  const nodes = useEditor((s) => s.doc.graph.nodes);
  const lookup = useEditor((s) => s.lookup);
  const selected = useEditor((s) => s.selectedEdges);
  const cache = useRef(new Map<string, StepEdge>());
  // Edges only depend on bindings, not positions: rebuild when some node's arguments change.
  const argsKey = useArgumentsIdentity(nodes);

  return useMemo(() => {
    const next = new Map<string, StepEdge>();
    const edges = toFlowEdges({ graph: { schema_version: 1, nodes }, parameters: [] }, lookup).map((e) => {
      const isSelected = selected.has(e.id);
      const running = statuses?.[e.target] === 'running' || statuses?.[e.target] === 'queued';
      const done = statuses ? ['completed', 'cached'].includes(statuses[e.source] ?? '') : false;
      const prev = cache.current.get(e.id);
      const edge: StepEdge =
        prev && !!prev.selected === isSelected && !!prev.animated === running && prev.data?.type === e.data?.type && prev.className === (done ? 'done' : undefined)
          ? prev
          : {
              ...e,
              type: 'default',
              selected: isSelected,
              animated: running,
              className: done ? 'done' : undefined,
              style: { stroke: typeColor(e.data?.type) },
            } as StepEdge;
      next.set(e.id, edge);
      return edge;
    });
    cache.current = next;
    return edges;
    // argsKey stands for `nodes` here; positions do not affect edges.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [argsKey, lookup, selected, statuses]);
}

/** What a node's edges are drawn from: the node, and the bindings of its inputs. */
const EDGE_FIELDS = ['id', 'arguments'] as const;

/**
 * What a connection check reads of a node (pipeline-core's connectableOutputs): the node, its component
 * (its ports), its label (how the check names it) and the bindings of its inputs (the edges). Not its
 * position.
 */
export const WIRING_FIELDS = ['id', 'component_version', 'label', 'arguments'] as const;

/**
 * A tracker of some fields of a list of nodes: it returns the same object, an identity key, until the
 * set of nodes or one of those fields of some node changes (compared by identity). Cheap enough to run
 * in a store selector on every frame of a drag: no strings built, one comparison per field.
 */
export function nodesIdentity<N>(fields: readonly (keyof N)[]): (nodes: readonly N[]) => object {
  let key: object = {};
  let seen: unknown[] = [];
  return (nodes) => {
    const same = seen.length === nodes.length * fields.length && nodes.every((n, i) => fields.every((f, j) => n[f] === seen[i * fields.length + j]));
    if (!same) {
      key = {};
      seen = nodes.flatMap((n) => fields.map((f) => n[f]));
    }
    return key;
  };
}

/** A value that changes only when the set of nodes or any node's arguments object changes. */
function useArgumentsIdentity(nodes: ReadonlyArray<{ id: string; arguments: object }>): object {
  const [track] = useState(() => nodesIdentity<{ id: string; arguments: object }>(EDGE_FIELDS));
  return track(nodes);
}
