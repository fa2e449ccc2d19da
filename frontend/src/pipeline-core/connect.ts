// Connection rules: may this output feed that input? Returns a reason a
// person can read when it may not.
import { findPath } from './graph';
import { describeType, isCompatible } from './portTypes';
import { isFromBinding, type ComponentLookup, type PipelineDocument } from './types';

export interface ConnectionRequest {
  source: string;
  output: string;
  target: string;
  input: string;
}

export type ConnectionCheck =
  | { ok: true }
  | { ok: false; code: 'self' | 'unknown_node' | 'unknown_port' | 'incompatible_types' | 'already_bound' | 'cycle'; reason: string };

function nodeName(doc: PipelineDocument, id: string, lookup: ComponentLookup): string {
  const node = doc.graph.nodes.find((n) => n.id === id);
  return node?.label || (node && lookup(node.component_version)?.name) || id;
}

export function checkConnection(doc: PipelineDocument, lookup: ComponentLookup, req: ConnectionRequest): ConnectionCheck {
  const { source, output, target, input } = req;
  const sourceNode = doc.graph.nodes.find((n) => n.id === source);
  const targetNode = doc.graph.nodes.find((n) => n.id === target);
  if (!sourceNode || !targetNode) {
    return { ok: false, code: 'unknown_node', reason: `Step '${sourceNode ? target : source}' does not exist.` };
  }
  if (source === target) {
    return { ok: false, code: 'self', reason: 'A step cannot feed its own inputs.' };
  }
  const outPort = lookup(sourceNode.component_version)?.outputs.find((p) => p.name === output);
  const inPort = lookup(targetNode.component_version)?.inputs.find((p) => p.name === input);
  if (!outPort) {
    return { ok: false, code: 'unknown_port', reason: `'${nodeName(doc, source, lookup)}' has no output '${output}'.` };
  }
  if (!inPort) {
    return { ok: false, code: 'unknown_port', reason: `'${nodeName(doc, target, lookup)}' has no input '${input}'.` };
  }
  if (!isCompatible(outPort.type, inPort.type)) {
    return {
      ok: false,
      code: 'incompatible_types',
      reason:
        `Type mismatch: output '${output}' is ${describeType(outPort.type)}, ` +
        `input '${input}' expects ${describeType(inPort.type)}.`,
    };
  }
  const existing = targetNode.arguments?.[input];
  if (isFromBinding(existing)) {
    const same = existing.from.node === source && existing.from.output === output;
    return {
      ok: false,
      code: 'already_bound',
      reason: same
        ? `'${input}' is already connected to that output.`
        : `Input '${input}' is already connected to ${existing.from.node}.${existing.from.output}; ` +
          'an input takes one connection. Delete that edge first.',
    };
  }
  const back = findPath(doc.graph, target, source);
  if (back) {
    return { ok: false, code: 'cycle', reason: `That would create a cycle: ${[...back, target].join(' → ')}.` };
  }
  return { ok: true };
}

/** An output that may feed a given input, with what a person needs to pick it from a list. */
export interface ConnectableOutput {
  source: string;
  output: string;
  /** The step's label or component name. */
  nodeName: string;
  type: string | null;
}

/**
 * Every output in the pipeline that `checkConnection` would accept into `target`.`input`: the
 * keyboard's way to draw an edge. Steps that would close a cycle and mismatched types are left out;
 * an input that already has a connection gets none (disconnect it first, as on the canvas).
 */
export function connectableOutputs(doc: PipelineDocument, lookup: ComponentLookup, target: string, input: string): ConnectableOutput[] {
  const targetNode = doc.graph.nodes.find((n) => n.id === target);
  const inPort = targetNode && lookup(targetNode.component_version)?.inputs.find((p) => p.name === input);
  // checkConnection would turn every output down: no such step or input, or the input is connected already.
  if (!targetNode || !inPort || isFromBinding(targetNode.arguments?.[input])) return [];
  const found: ConnectableOutput[] = [];
  for (const node of doc.graph.nodes) {
    if (node.id === target) continue;
    for (const port of lookup(node.component_version)?.outputs ?? []) {
      // The cheap checks first: the cycle check in checkConnection searches the graph.
      if (!isCompatible(port.type, inPort.type)) continue;
      if (checkConnection(doc, lookup, { source: node.id, output: port.name, target, input }).ok) {
        found.push({ source: node.id, output: port.name, nodeName: nodeName(doc, node.id, lookup), type: port.type });
      }
    }
  }
  return found;
}
