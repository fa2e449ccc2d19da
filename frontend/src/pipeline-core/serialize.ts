// Serialization: the exact document sent to the server, parsing what comes
// back, and a stable equality used for "unsaved changes".
import {
  isDatasetBinding,
  isFromBinding,
  isParameterBinding,
  SCHEMA_VERSION,
  type Binding,
  type GraphNode,
  type JsonValue,
  type PipelineDocument,
  type PipelineGraph,
  type PipelineParameter,
  type PublishSpec,
  type ResourceOverrides,
} from './types';

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

function serializeBinding(b: Binding): Binding {
  if (isFromBinding(b)) return { from: { node: b.from.node, output: b.from.output } };
  if (isParameterBinding(b)) return { parameter: b.parameter };
  if (isDatasetBinding(b)) return { dataset: { id: b.dataset.id, version: b.dataset.version ?? 'latest' } };
  return { value: (b as { value: JsonValue }).value };
}

function serializePublish(list: PublishSpec[] | undefined): PublishSpec[] | undefined {
  if (!list?.length) return undefined;
  return list.map((p) => {
    const out: PublishSpec = { output: p.output, dataset: p.dataset };
    if (p.kind) out.kind = p.kind;
    return out;
  });
}

function serializeResources(r: ResourceOverrides | undefined): ResourceOverrides | undefined {
  if (!r) return undefined;
  const out: ResourceOverrides = {};
  if (r.cpu !== undefined && r.cpu !== '') out.cpu = r.cpu;
  if (r.memory !== undefined && r.memory !== '') out.memory = r.memory;
  if (r.gpu !== undefined) out.gpu = r.gpu;
  return Object.keys(out).length ? out : undefined;
}

/** One node in the DESIGN.md shape, with optional fields left out when empty. */
export function serializeNode(node: GraphNode): GraphNode {
  const out: GraphNode = {
    id: node.id,
    component_version: node.component_version,
    position: { x: round(node.position?.x ?? 0), y: round(node.position?.y ?? 0) },
    arguments: {},
  };
  if (node.label) out.label = node.label;
  for (const [name, binding] of Object.entries(node.arguments ?? {})) {
    out.arguments[name] = serializeBinding(binding);
  }
  const resources = serializeResources(node.resources);
  if (resources) out.resources = resources;
  if (node.retries !== undefined && node.retries !== null) out.retries = node.retries;
  if (node.timeout_seconds !== undefined && node.timeout_seconds !== null) out.timeout_seconds = node.timeout_seconds;
  const publish = serializePublish(node.publish);
  if (publish) out.publish = publish;
  // Key order as in DESIGN.md, so saved JSON reads naturally.
  const { id, component_version, label, position, arguments: args, ...rest } = out;
  return { id, component_version, ...(label ? { label } : {}), position, arguments: args, ...rest };
}

export function serializeGraph(graph: PipelineGraph): PipelineGraph {
  return { schema_version: SCHEMA_VERSION, nodes: graph.nodes.map(serializeNode) };
}

export function serializeParameters(parameters: PipelineParameter[]): PipelineParameter[] {
  return parameters.map((p) => {
    const out: PipelineParameter = { name: p.name, type: p.type, default: p.default ?? null };
    if (p.description) out.description = p.description;
    return out;
  });
}

export function serializeDocument(doc: PipelineDocument): PipelineDocument {
  return { graph: serializeGraph(doc.graph), parameters: serializeParameters(doc.parameters) };
}

export class DocumentError extends Error {}

/**
 * Reads a graph as stored by the server (or pasted by a person) into a
 * document the editor can work on. Missing optional fields get defaults;
 * a newer schema_version is refused.
 */
export function parseDocument(graph: unknown, parameters: unknown = []): PipelineDocument {
  if (typeof graph !== 'object' || graph === null || Array.isArray(graph)) {
    throw new DocumentError('The pipeline graph is not an object.');
  }
  const g = graph as { schema_version?: unknown; nodes?: unknown };
  const version = g.schema_version ?? SCHEMA_VERSION;
  if (typeof version !== 'number' || version > SCHEMA_VERSION) {
    throw new DocumentError(`This pipeline uses schema_version ${String(version)}; this editor knows up to ${SCHEMA_VERSION}.`);
  }
  const rawNodes = Array.isArray(g.nodes) ? g.nodes : [];
  const nodes: GraphNode[] = rawNodes.map((raw: unknown, i: number) => {
    const n = (raw ?? {}) as Partial<GraphNode>;
    const node: GraphNode = {
      ...n,
      id: typeof n.id === 'string' ? n.id : `node-${i + 1}`,
      component_version: Number(n.component_version),
      position: {
        x: Number(n.position?.x ?? 0) || 0,
        y: Number(n.position?.y ?? 0) || 0,
      },
      arguments: typeof n.arguments === 'object' && n.arguments !== null ? { ...n.arguments } : {},
    };
    return node;
  });
  const params: PipelineParameter[] = Array.isArray(parameters)
    ? parameters.map((p: Partial<PipelineParameter>) => ({
        name: String(p.name ?? ''),
        type: String(p.type ?? 'String'),
        default: (p.default ?? null) as JsonValue,
        ...(p.description ? { description: p.description } : {}),
      }))
    : [];
  return { graph: { schema_version: SCHEMA_VERSION, nodes }, parameters: params };
}

/** JSON with object keys sorted, so two equal documents give the same text. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
}

export function documentsEqual(a: PipelineDocument, b: PipelineDocument): boolean {
  return stableStringify(serializeDocument(a)) === stableStringify(serializeDocument(b));
}
