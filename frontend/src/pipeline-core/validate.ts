// Validation of a whole document: the same rules, problem codes and order
// as the server's backend/pipelines/graph.py `validate`, so the editor shows
// what a save would refuse while the user draws. Order: document shape, then
// parameters, then each node in document order (its inputs in the order its
// component declares them), then cycles.
import { findCycles } from './graph';
import { coerceValue, isCompatible, isValueType, typeName, VALUE_TYPES } from './portTypes';
import { SCHEMA_VERSION, type ComponentLookup, type ComponentSpec, type PipelineDocument, type Problem } from './types';

export const NODE_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export const PARAMETER_NAME_RE = /^[A-Za-z_][A-Za-z0-9_.-]{0,99}$/;
const MEMORY_RE = /^[0-9]+(\.[0-9]+)?([EPTGMK]i|[EPTGMk])?$/;
const CPU_RE = /^[0-9]+(\.[0-9]+)?m?$/;
export const MAX_NODES = 500;
export const MAX_RETRIES = 10;
export const MAX_TIMEOUT_SECONDS = 30 * 24 * 3600;

const DOCUMENT_KEYS = ['schema_version', 'nodes'];
const NODE_KEYS = ['id', 'component_version', 'label', 'position', 'arguments', 'resources', 'retries', 'timeout_seconds'];
const RESOURCE_KEYS = ['cpu', 'memory', 'gpu'];
const PARAMETER_KEYS = ['name', 'type', 'default', 'description'];
const BINDING_KINDS = ['value', 'parameter', 'from'];

/** Is this input required: not optional and without a default? (KFP's rule.) */
export function isRequiredInput(port: { optional?: boolean; default?: string | null }): boolean {
  return !port.optional && (port.default === null || port.default === undefined);
}

/** May a parameter of `parameterType` feed a value input of `inputType`? Integer fits Float. */
export function parameterFits(parameterType: string, inputType: string): boolean {
  return parameterType === inputType || (parameterType === 'Integer' && inputType === 'Float');
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}
function isNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}
function jsonType(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return 'a boolean';
  if (typeof v === 'number') return 'a number';
  if (typeof v === 'string') return 'a string';
  if (Array.isArray(v)) return 'an array';
  return 'an object';
}
/** JSON as Python's json.dumps writes it (", " and ": "), so messages read like the server's. */
function pyJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(pyJson).join(', ')}]`;
  if (isObj(v)) return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${pyJson(x)}`).join(', ')}}`;
  return JSON.stringify(v) ?? 'null';
}
function repr(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : (JSON.stringify(v) ?? String(v));
}

interface Binding {
  kind: 'value' | 'parameter' | 'from';
  value?: unknown;
  parameter?: string;
  node?: string;
  output?: string;
}

interface ParsedNode {
  id: string;
  index: number;
  componentVersion: number | null;
  /** null marks a binding whose shape was already reported: it counts as given, but is not checked further. */
  arguments: Map<string, Binding | null>;
}

class Shape {
  problems: Problem[] = [];
  bad(path: string, reason: string, where: { node?: string | null; port?: string | null } = {}): void {
    const p: Problem = { code: 'invalid_document', message: `${path}: ${reason}`, field: path };
    if (where.node) p.node = where.node;
    if (where.port) p.port = where.port;
    this.problems.push(p);
  }
  unknownKeys(obj: Obj, allowed: string[], path: string, node?: string | null): void {
    for (const key of Object.keys(obj).sort()) {
      if (!allowed.includes(key)) {
        this.bad(path ? `${path}.${key}` : key, `unknown field (allowed: ${[...allowed].sort().join(', ')}).`, { node });
      }
    }
  }
}

function parseBinding(raw: unknown, path: string, node: string | null, port: string, shape: Shape): Binding | null {
  const keys = isObj(raw) ? Object.keys(raw) : [];
  if (!isObj(raw) || keys.length !== 1 || !BINDING_KINDS.includes(keys[0]!)) {
    shape.bad(path, `expected exactly one of {"value": ...}, {"parameter": name} or {"from": {"node", "output"}}, got ${pyJson(raw).slice(0, 80)}.`, {
      node,
      port,
    });
    return null;
  }
  const kind = keys[0] as Binding['kind'];
  const payload = raw[kind];
  if (kind === 'value') return { kind, value: payload };
  if (kind === 'parameter') {
    if (typeof payload !== 'string' || !payload) {
      shape.bad(`${path}.parameter`, `expected a parameter name, got ${repr(payload)}.`, { node, port });
      return null;
    }
    return { kind, parameter: payload };
  }
  const ok =
    isObj(payload) &&
    Object.keys(payload).length === 2 &&
    typeof payload.node === 'string' &&
    payload.node !== '' &&
    typeof payload.output === 'string' &&
    payload.output !== '';
  if (!ok) {
    shape.bad(`${path}.from`, `expected {"node": id, "output": name}, got ${pyJson(payload).slice(0, 80)}.`, { node, port });
    return null;
  }
  return { kind, node: payload.node as string, output: payload.output as string };
}

function checkResources(raw: Obj, path: string, node: string | null, shape: Shape): void {
  if (!('resources' in raw) || raw.resources === undefined) return;
  const r = raw.resources;
  const p = `${path}.resources`;
  if (!isObj(r)) {
    shape.bad(p, `expected an object {cpu, memory, gpu}, got ${jsonType(r)}.`, { node });
    return;
  }
  shape.unknownKeys(r, RESOURCE_KEYS, p, node);
  const { cpu, memory, gpu } = r;
  if (cpu !== undefined && cpu !== null && !((isNumber(cpu) && cpu > 0) || (typeof cpu === 'string' && CPU_RE.test(cpu)))) {
    shape.bad(`${p}.cpu`, `expected a positive number of cores (1, 0.5, "500m"), got ${repr(cpu)}.`, { node });
  }
  if (memory !== undefined && memory !== null && !((isInt(memory) && memory > 0) || (typeof memory === 'string' && MEMORY_RE.test(memory)))) {
    shape.bad(`${p}.memory`, `expected a size in bytes or a quantity like "512Mi" or "2Gi", got ${repr(memory)}.`, { node });
  }
  if (gpu !== undefined && gpu !== null && !(isInt(gpu) && gpu >= 0)) {
    shape.bad(`${p}.gpu`, `expected a non-negative integer, got ${repr(gpu)}.`, { node });
  }
}

function parseNode(raw: unknown, index: number, shape: Shape): ParsedNode | null {
  const path = `nodes[${index}]`;
  if (!isObj(raw)) {
    shape.bad(path, `expected a node object, got ${jsonType(raw)}.`);
    return null;
  }
  const rawId = raw.id;
  const id = typeof rawId === 'string' && NODE_ID_RE.test(rawId) ? rawId : null;
  if (!('id' in raw)) shape.bad(`${path}.id`, 'missing.');
  else if (id === null) {
    shape.bad(`${path}.id`, `${repr(rawId)} is not a valid node id (1-64 letters, digits, '_', '-' or '.', starting with a letter or digit).`);
  }
  shape.unknownKeys(raw, NODE_KEYS, path, id);

  let cv: number | null = null;
  if (!('component_version' in raw)) shape.bad(`${path}.component_version`, 'missing.', { node: id });
  else if (!isInt(raw.component_version) || raw.component_version <= 0) {
    shape.bad(`${path}.component_version`, `expected a component version id (a positive integer), got ${repr(raw.component_version)}.`, { node: id });
  } else cv = raw.component_version;

  if ('label' in raw && raw.label !== undefined && !(typeof raw.label === 'string' && raw.label.length <= 200)) {
    shape.bad(`${path}.label`, 'expected a string of at most 200 characters.', { node: id });
  }
  const position = raw.position;
  if (!('position' in raw)) shape.bad(`${path}.position`, 'missing (expected {"x": number, "y": number}).', { node: id });
  else if (!isObj(position)) shape.bad(`${path}.position`, `expected an object {x, y}, got ${jsonType(position)}.`, { node: id });
  else {
    shape.unknownKeys(position, ['x', 'y'], `${path}.position`, id);
    for (const axis of ['x', 'y']) {
      if (!isNumber(position[axis])) shape.bad(`${path}.position.${axis}`, `expected a number, got ${repr(position[axis])}.`, { node: id });
    }
  }
  checkResources(raw, path, id, shape);
  if ('retries' in raw && raw.retries !== undefined) {
    const r = raw.retries;
    if (!isInt(r) || r < 0 || r > MAX_RETRIES) {
      shape.bad(`${path}.retries`, `expected an integer from 0 to ${MAX_RETRIES}, got ${repr(r)}.`, { node: id });
    }
  }
  if ('timeout_seconds' in raw && raw.timeout_seconds !== undefined) {
    const t = raw.timeout_seconds;
    if (!isInt(t) || t <= 0 || t > MAX_TIMEOUT_SECONDS) {
      shape.bad(`${path}.timeout_seconds`, `expected a whole number of seconds from 1 to ${MAX_TIMEOUT_SECONDS}, got ${repr(t)}.`, { node: id });
    }
  }
  const args = new Map<string, Binding | null>();
  const rawArgs = raw.arguments ?? {};
  if (!isObj(rawArgs)) {
    shape.bad(`${path}.arguments`, `expected an object mapping input names to bindings, got ${jsonType(rawArgs)}.`, { node: id });
  } else {
    for (const [name, b] of Object.entries(rawArgs)) args.set(name, parseBinding(b, `${path}.arguments.${name}`, id, name, shape));
  }
  return id === null ? null : { id, index, componentVersion: cv, arguments: args };
}

interface Declared {
  name: string;
  type: string | null;
}

function parseParameters(parameters: unknown, shape: Shape): { declared: Map<string, Declared>; problems: Problem[] } {
  const declared = new Map<string, Declared>();
  const problems: Problem[] = [];
  if (parameters === null || parameters === undefined) return { declared, problems };
  if (!Array.isArray(parameters)) {
    shape.bad('parameters', `expected an array of parameters, got ${jsonType(parameters)}.`);
    return { declared, problems };
  }
  parameters.forEach((raw: unknown, index) => {
    const path = `parameters[${index}]`;
    if (!isObj(raw)) {
      shape.bad(path, `expected a parameter object, got ${jsonType(raw)}.`);
      return;
    }
    shape.unknownKeys(raw, PARAMETER_KEYS, path);
    const name = raw.name;
    if (typeof name !== 'string' || !PARAMETER_NAME_RE.test(name)) {
      shape.bad(`${path}.name`, `${repr(name)} is not a valid parameter name (letters, digits, '_', '-', '.'; not starting with a digit).`);
      return;
    }
    if ('description' in raw && raw.description !== undefined && typeof raw.description !== 'string') {
      shape.bad(`${path}.description`, 'expected a string.');
    }
    let type = typeof raw.type === 'string' ? typeName(raw.type) : null;
    if (!isValueType(type)) {
      problems.push({
        code: 'parameter_type',
        message: `Parameter "${name}": type ${repr(raw.type)} is not a value type (${[...VALUE_TYPES].sort().join(', ')}).`,
        field: `${path}.type`,
      });
      type = null;
    } else if (raw.default !== null && raw.default !== undefined) {
      const c = coerceValue(type, raw.default);
      if (!c.ok) {
        problems.push({
          code: 'parameter_type',
          message: `Parameter "${name}": default ${repr(raw.default)} is not a valid ${type} (${c.reason}).`,
          field: `${path}.default`,
        });
      }
    }
    if (declared.has(name)) {
      problems.push({ code: 'unknown_parameter', message: `Parameter "${name}" is declared more than once.`, field: `${path}.name` });
      return;
    }
    declared.set(name, { name, type });
  });
  return { declared, problems };
}

function referenceProblems(node: ParsedNode, port: string, b: Binding, byId: Map<string, ParsedNode>, declared: Map<string, Declared>): Problem[] {
  if (b.kind === 'parameter' && !declared.has(b.parameter!)) {
    const names = [...declared.keys()].join(', ') || 'none declared';
    return [
      {
        code: 'unknown_parameter',
        message: `Node "${node.id}": input "${port}" uses parameter "${b.parameter}", which the pipeline does not declare (${names}).`,
        node: node.id,
        port,
      },
    ];
  }
  if (b.kind === 'from' && !byId.has(b.node!)) {
    return [
      {
        code: 'unknown_node',
        message: `Node "${node.id}": input "${port}" reads from node "${b.node}", which does not exist.`,
        node: node.id,
        port,
      },
    ];
  }
  return [];
}

function label(spec: ComponentSpec): string {
  return `"${spec.name}" (version id ${spec.id})`;
}

function bindingProblems(
  node: ParsedNode,
  port: { name: string; type: string | null },
  b: Binding,
  byId: Map<string, ParsedNode>,
  declared: Map<string, Declared>,
  lookup: ComponentLookup,
): Problem[] {
  const ref = referenceProblems(node, port.name, b, byId, declared);
  if (ref.length) return ref;
  const where = `Node "${node.id}": input "${port.name}"`;
  const at = { node: node.id, port: port.name };
  const artifactInput = port.type !== null && !isValueType(port.type);
  if (b.kind === 'value') {
    if (b.value === null || b.value === undefined) {
      return [{ code: 'invalid_value', message: `${where} has a null value; remove the argument to leave it unset.`, ...at }];
    }
    if (artifactInput) {
      return [
        {
          code: 'invalid_value',
          message: `${where} takes a ${port.type} artifact, which a constant cannot provide; connect it to an upstream output.`,
          ...at,
        },
      ];
    }
    if (port.type !== null) {
      const c = coerceValue(port.type, b.value);
      if (!c.ok) return [{ code: 'invalid_value', message: `${where} expects ${port.type}: ${c.reason}.`, ...at }];
    }
    return [];
  }
  if (b.kind === 'parameter') {
    const param = declared.get(b.parameter!)!;
    if (artifactInput) {
      return [
        {
          code: 'parameter_type',
          message: `${where} takes a ${port.type} artifact, which parameter "${param.name}" cannot provide; connect it to an upstream output.`,
          ...at,
        },
      ];
    }
    if (port.type !== null && param.type !== null && !parameterFits(param.type, port.type)) {
      return [{ code: 'parameter_type', message: `${where} expects ${port.type}, but parameter "${param.name}" is ${param.type}.`, ...at }];
    }
    return [];
  }
  const upstream = byId.get(b.node!)!;
  const upSpec = upstream.componentVersion !== null ? lookup(upstream.componentVersion) : undefined;
  if (!upSpec) return []; // the upstream node's own problem says why
  const output = upSpec.outputs.find((o) => o.name === b.output);
  if (!output) {
    const known = upSpec.outputs.map((o) => o.name).join(', ') || 'none';
    return [
      {
        code: 'unknown_port',
        message: `${where} reads output "${b.output}" of node "${upstream.id}", whose component ${label(upSpec)} has no such output (outputs: ${known}).`,
        ...at,
      },
    ];
  }
  if (!isCompatible(output.type, port.type)) {
    return [
      {
        code: 'incompatible_types',
        message: `${where} expects ${port.type}, but output "${output.name}" of node "${upstream.id}" is ${typeName(output.type)}.`,
        ...at,
      },
    ];
  }
  return [];
}

function nodeProblems(node: ParsedNode, byId: Map<string, ParsedNode>, declared: Map<string, Declared>, lookup: ComponentLookup): Problem[] {
  const problems: Problem[] = [];
  const spec = node.componentVersion !== null ? lookup(node.componentVersion) : undefined;
  if (node.componentVersion !== null && !spec) {
    problems.push({
      code: 'unknown_component_version',
      message: `Node "${node.id}": component version ${node.componentVersion} does not exist.`,
      node: node.id,
      field: `nodes[${node.index}].component_version`,
    });
  }
  if (!spec) {
    for (const port of [...node.arguments.keys()].sort()) {
      const b = node.arguments.get(port);
      if (b) problems.push(...referenceProblems(node, port, b, byId, declared));
    }
    return problems;
  }
  if (spec.runnable === false) {
    problems.push({
      code: 'not_runnable',
      message: `Node "${node.id}": component ${label(spec)} cannot run.`,
      node: node.id,
      field: `nodes[${node.index}].component_version`,
    });
  }
  for (const input of spec.inputs) {
    const type = typeName(input.type);
    if (!node.arguments.has(input.name)) {
      if (isRequiredInput(input)) {
        problems.push({
          code: 'unbound_input',
          message: `Node "${node.id}": required input "${input.name}" (${type ?? 'untyped'}) is not connected and has no value.`,
          node: node.id,
          port: input.name,
        });
      }
      continue;
    }
    const b = node.arguments.get(input.name);
    if (b) problems.push(...bindingProblems(node, { name: input.name, type }, b, byId, declared, lookup));
  }
  const inputNames = new Set(spec.inputs.map((i) => i.name));
  for (const name of [...node.arguments.keys()].sort()) {
    if (inputNames.has(name)) continue;
    const known = spec.inputs.map((i) => i.name).join(', ') || 'none';
    problems.push({
      code: 'unknown_port',
      message: `Node "${node.id}": component ${label(spec)} has no input "${name}" (inputs: ${known}).`,
      node: node.id,
      port: name,
    });
  }
  return problems;
}

export function validateDocument(doc: PipelineDocument, lookup: ComponentLookup): Problem[] {
  const shape = new Shape();
  const graph: unknown = doc?.graph;
  let nodes: ParsedNode[] = [];
  let readable = true;
  if (!isObj(graph)) {
    shape.bad('graph', `expected an object, got ${jsonType(graph)}.`);
    readable = false;
  } else {
    const version = graph.schema_version ?? 0;
    if (!isInt(version) || version < 0) {
      shape.bad('schema_version', `expected a non-negative integer, got ${repr(version)}.`);
      readable = false;
    } else if (version > SCHEMA_VERSION) {
      const message =
        `This graph has schema_version ${version}, but this editor understands up to ${SCHEMA_VERSION}; ` +
        'it was saved by a newer Pipeline Studio.';
      shape.problems.push({ code: 'invalid_document', message, field: 'schema_version' });
      readable = false;
    } else {
      shape.unknownKeys(graph, DOCUMENT_KEYS, '');
      const raw = graph.nodes ?? [];
      if (!Array.isArray(raw)) shape.bad('nodes', `expected an array of nodes, got ${jsonType(raw)}.`);
      else if (raw.length > MAX_NODES) shape.bad('nodes', `a pipeline may have at most ${MAX_NODES} nodes, this one has ${raw.length}.`);
      else nodes = raw.flatMap((n, i) => parseNode(n, i, shape) ?? []);
    }
  }
  const { declared, problems: paramProblems } = parseParameters(doc?.parameters, shape);
  const problems = [...shape.problems, ...paramProblems];
  if (!readable) return problems;

  const byId = new Map<string, ParsedNode>();
  for (const n of nodes) if (!byId.has(n.id)) byId.set(n.id, n);
  for (const n of nodes) {
    const first = byId.get(n.id)!;
    if (first === n) problems.push(...nodeProblems(n, byId, declared, lookup));
    else {
      problems.push({
        code: 'duplicate_node',
        message: `Node id "${n.id}" is used twice (nodes[${first.index}] and nodes[${n.index}]); node ids must be unique.`,
        node: n.id,
        field: `nodes[${n.index}].id`,
      });
    }
  }

  const unique = [...byId.values()];
  const argsOf = new Map(unique.map((n) => [n.id, n.arguments]));
  for (const cycle of findCycles({
    schema_version: SCHEMA_VERSION,
    nodes: unique.map((n) => ({
      id: n.id,
      component_version: n.componentVersion ?? 0,
      position: { x: 0, y: 0 },
      arguments: Object.fromEntries(
        [...n.arguments].flatMap(([port, b]) => (b?.kind === 'from' ? [[port, { from: { node: b.node!, output: b.output! } }]] : [])),
      ),
    })),
  })) {
    const start = cycle[0]!;
    const before = cycle[cycle.length - 2]!;
    // The input on the first node that closes the loop: one connection to cut.
    const closing = [...(argsOf.get(start) ?? new Map<string, Binding | null>())]
      .filter(([, b]) => b?.kind === 'from' && b.node === before)
      .map(([port]) => port)
      .sort()[0];
    problems.push({
      code: 'cycle',
      message: `Cycle: ${cycle.join(' → ')}. A node cannot depend on its own output; remove one of these connections.`,
      node: start,
      port: closing ?? null,
      nodes: cycle.slice(0, -1),
    });
  }
  return problems;
}

/** Problems grouped by node id (a cycle problem is listed under every node on it). */
export function problemsByNode(problems: Problem[]): Map<string, Problem[]> {
  const map = new Map<string, Problem[]>();
  for (const p of problems) {
    const ids = p.nodes?.length ? p.nodes : p.node ? [p.node] : [];
    for (const id of ids) {
      const list = map.get(id);
      if (list) list.push(p);
      else map.set(id, [p]);
    }
  }
  return map;
}
