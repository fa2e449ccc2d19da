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
