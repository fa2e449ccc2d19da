// Validation of a whole document: the same rules, problem codes and order
// as the server's backend/pipelines/graph.py `validate`, so the editor shows
// what a save would refuse while the user draws. Order: document shape, then
// parameters, then each node in document order (its inputs in the order its
// component declares them), then cycles.
import { findCycles } from './graph';
import { coerceValue, isCompatible, isValueType, typeName, VALUE_TYPES } from './portTypes';
import {
  DATASET_KINDS,
  SCHEMA_VERSION,
  type ComponentLookup,
  type ComponentSpec,
  type DatasetRef,
  type PipelineDocument,
  type Problem,
} from './types';

export const NODE_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export const PARAMETER_NAME_RE = /^[A-Za-z_][A-Za-z0-9_.-]{0,99}$/;
const MEMORY_RE = /^[0-9]+(\.[0-9]+)?([EPTGMK]i|[EPTGMk])?$/;
const CPU_RE = /^[0-9]+(\.[0-9]+)?m?$/;
export const MAX_NODES = 500;
export const MAX_RETRIES = 10;
export const MAX_TIMEOUT_SECONDS = 30 * 24 * 3600;

const DOCUMENT_KEYS = ['schema_version', 'nodes'];
const NODE_KEYS = ['id', 'component_version', 'label', 'position', 'arguments', 'resources', 'retries', 'timeout_seconds', 'publish'];
const PUBLISH_KEYS = ['output', 'dataset', 'kind'];
const RESOURCE_KEYS = ['cpu', 'memory', 'gpu'];
const PARAMETER_KEYS = ['name', 'type', 'default', 'description'];
const BINDING_KINDS = ['value', 'parameter', 'from', 'dataset'];
export const MAX_DATASET_NAME = 200;
const MAX_ID = Number.MAX_SAFE_INTEGER;
const MAX_VERSION = 2 ** 31 - 1;
/** Which input types a version of each dataset kind may feed (plus File and untyped, as for outputs). */
export const DATASET_KIND_TYPES: Record<string, readonly string[]> = { dataset: ['Dataset', 'Table'], model: ['Model'] };
/** Inputs of these types accept any output or dataset kind (server: catalog.types.ACCEPTS_ANY). */
const ACCEPTS_ANY = ['File'];

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
  kind: 'value' | 'parameter' | 'from' | 'dataset';
  value?: unknown;
  parameter?: string;
  node?: string;
  output?: string;
  dataset?: number;
  datasetVersion?: number | 'latest';
}

interface ParsedPublish {
  index: number;
  output: string;
  dataset: string;
  kind: string | null;
}

interface ParsedNode {
  id: string;
  index: number;
  componentVersion: number | null;
  /** null marks a binding whose shape was already reported: it counts as given, but is not checked further. */
  arguments: Map<string, Binding | null>;
  publish: ParsedPublish[];
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

function parseDatasetBinding(payload: unknown, path: string, node: string | null, port: string, shape: Shape): Binding | null {
  const expected = '{"id": dataset id, "version": a version number or "latest"}';
  if (!isObj(payload) || !('id' in payload) || !Object.keys(payload).every((k) => k === 'id' || k === 'version')) {
    shape.bad(path, `expected ${expected}, got ${pyJson(payload).slice(0, 80)}.`, { node, port });
    return null;
  }
  const id = payload.id;
  const version = 'version' in payload ? payload.version : 'latest';
  if (!isInt(id) || id <= 0 || id > MAX_ID) {
    shape.bad(`${path}.id`, `expected a dataset id (a positive integer), got ${repr(id)}.`, { node, port });
    return null;
  }
  if (version !== 'latest' && (!isInt(version) || version <= 0 || version > MAX_VERSION)) {
    shape.bad(`${path}.version`, `expected a version number (1, 2, ...) or "latest", got ${repr(version)}.`, { node, port });
    return null;
  }
  return { kind: 'dataset', dataset: id, datasetVersion: version as number | 'latest' };
}

function parseBinding(raw: unknown, path: string, node: string | null, port: string, shape: Shape): Binding | null {
  const keys = isObj(raw) ? Object.keys(raw) : [];
  if (!isObj(raw) || keys.length !== 1 || !BINDING_KINDS.includes(keys[0]!)) {
    shape.bad(
      path,
      'expected exactly one of {"value": ...}, {"parameter": name}, {"from": {"node", "output"}} or {"dataset": {"id", "version"}}, ' +
        `got ${pyJson(raw).slice(0, 80)}.`,
      { node, port },
    );
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
  if (kind === 'dataset') return parseDatasetBinding(payload, `${path}.dataset`, node, port, shape);
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
  const publish = parsePublish(raw, path, id, shape);
  return id === null ? null : { id, index, componentVersion: cv, arguments: args, publish };
}

function isDatasetName(v: unknown): v is string {
  return (
    typeof v === 'string' &&
    v.trim() !== '' &&
    v.length <= MAX_DATASET_NAME &&
    !v.includes('/') &&
    // eslint-disable-next-line no-control-regex
    !/[\u0000-\u001f\u007f]/.test(v)
  );
}

function parsePublish(raw: Obj, nodePath: string, node: string | null, shape: Shape): ParsedPublish[] {
  if (!('publish' in raw) || raw.publish === undefined) return [];
  const list = raw.publish;
  const path = `${nodePath}.publish`;
  if (!Array.isArray(list)) {
    shape.bad(path, `expected an array of {"output", "dataset", "kind"?}, got ${jsonType(list)}.`, { node });
    return [];
  }
  const result: ParsedPublish[] = [];
  const seen = new Set<string>();
  list.forEach((item: unknown, index) => {
    const where = `${path}[${index}]`;
    if (!isObj(item)) {
      shape.bad(where, `expected {"output", "dataset", "kind"?}, got ${jsonType(item)}.`, { node });
      return;
    }
    shape.unknownKeys(item, PUBLISH_KEYS, where, node);
    const { output, dataset, kind } = item;
    const port = typeof output === 'string' ? output : null;
    let ok = true;
    if (typeof output !== 'string' || !output) {
      shape.bad(`${where}.output`, `expected the name of one of the node's outputs, got ${repr(output)}.`, { node });
      ok = false;
    }
    if (!isDatasetName(dataset)) {
      shape.bad(
        `${where}.dataset`,
        `expected a dataset name (1-${MAX_DATASET_NAME} characters, no '/' or control characters), got ${repr(dataset)}.`,
        { node, port },
      );
      ok = false;
    }
    if (kind !== undefined && kind !== null && !(DATASET_KINDS as readonly unknown[]).includes(kind)) {
      shape.bad(`${where}.kind`, `expected one of ${DATASET_KINDS.join(', ')}, got ${repr(kind)}.`, { node, port });
      ok = false;
    }
    if (!ok) return;
    const name = (dataset as string).trim();
    const key = `${output as string}\u0000${name.toLowerCase()}`;
    if (seen.has(key)) {
      shape.bad(where, `output "${output as string}" is published to dataset "${name}" twice.`, { node, port });
      return;
    }
    seen.add(key);
    result.push({ index, output: output as string, dataset: name, kind: (kind as string | null | undefined) ?? null });
  });
  return result;
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

/** Datasets by id and by lower-cased name; `checked` is false when the caller passed none. */
class DatasetIndex {
  readonly checked: boolean;
  readonly byId: Map<number, DatasetRef>;
  readonly byName: Map<string, DatasetRef>;
  constructor(datasets: readonly DatasetRef[] | null | undefined) {
    this.checked = datasets !== null && datasets !== undefined;
    this.byId = new Map((datasets ?? []).map((d) => [d.id, d]));
    this.byName = new Map((datasets ?? []).map((d) => [d.name.toLowerCase(), d]));
  }
}

function referenceProblems(
  node: ParsedNode,
  port: string,
  b: Binding,
  byId: Map<string, ParsedNode>,
  declared: Map<string, Declared>,
  datasets: DatasetIndex,
): Problem[] {
  if (b.kind === 'dataset' && datasets.checked) {
    const ref = datasets.byId.get(b.dataset!);
    if (!ref) {
      return [
        {
          code: 'unknown_dataset',
          message: `Node "${node.id}": input "${port}" reads dataset ${b.dataset}, which does not exist.`,
          node: node.id,
          port,
        },
      ];
    }
    const v = b.datasetVersion;
    if (v !== 'latest' && v !== undefined && !(v > 0 && v <= ref.latest_version)) {
      const latest = ref.latest_version ? `its latest is version ${ref.latest_version}` : 'it has no versions yet';
      return [
        {
          code: 'unknown_dataset_version',
          message: `Node "${node.id}": input "${port}" reads version ${v} of dataset "${ref.name}", but ${latest}.`,
          node: node.id,
          port,
        },
      ];
    }
  }
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

function datasetBindingProblems(where: string, port: { name: string; type: string | null }, b: Binding, node: ParsedNode, datasets: DatasetIndex): Problem[] {
  const at = { node: node.id, port: port.name };
  if (port.type !== null && isValueType(port.type)) {
    return [
      {
        code: 'incompatible_types',
        message: `${where} takes a ${port.type} value; a dataset version is a file, so bind it to a file input (Dataset, Model, File or untyped).`,
        ...at,
      },
    ];
  }
  const ref = datasets.byId.get(b.dataset!);
  if (!ref || port.type === null || ACCEPTS_ANY.includes(port.type)) return [];
  if (!(DATASET_KIND_TYPES[ref.kind] ?? []).includes(port.type)) {
    return [{ code: 'incompatible_types', message: `${where} expects ${port.type}, but dataset "${ref.name}" holds ${ref.kind}s.`, ...at }];
  }
  return [];
}

/** May a version of a dataset of `kind` feed an input of `inputType`? (The editor's filter; validation says why not.) */
export function datasetFits(kind: string, inputType: string | null | undefined): boolean {
  const t = typeName(inputType);
  if (t === null || ACCEPTS_ANY.includes(t)) return true;
  if (isValueType(t)) return false;
  return (DATASET_KIND_TYPES[kind] ?? []).includes(t);
}

function bindingProblems(
  node: ParsedNode,
  port: { name: string; type: string | null },
  b: Binding,
  byId: Map<string, ParsedNode>,
  declared: Map<string, Declared>,
  lookup: ComponentLookup,
  datasets: DatasetIndex,
): Problem[] {
  const ref = referenceProblems(node, port.name, b, byId, declared, datasets);
  if (ref.length) return ref;
  const where = `Node "${node.id}": input "${port.name}"`;
  const at = { node: node.id, port: port.name };
  const artifactInput = port.type !== null && !isValueType(port.type);
  if (b.kind === 'dataset') return datasetBindingProblems(where, port, b, node, datasets);
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

function publishProblems(node: ParsedNode, spec: ComponentSpec, datasets: DatasetIndex): Problem[] {
  const problems: Problem[] = [];
  for (const item of node.publish) {
    const field = `nodes[${node.index}].publish[${item.index}]`;
    const output = spec.outputs.find((o) => o.name === item.output);
    if (!output) {
      const known = spec.outputs.map((o) => o.name).join(', ') || 'none';
      problems.push({
        code: 'unknown_port',
        message: `Node "${node.id}": cannot publish output "${item.output}": component ${label(spec)} has no such output (outputs: ${known}).`,
        node: node.id,
        port: item.output,
        field: `${field}.output`,
      });
      continue;
    }
    const type = typeName(output.type);
    if (type !== null && isValueType(type)) {
      problems.push({
        code: 'incompatible_types',
        message: `Node "${node.id}": output "${item.output}" is a ${type} value, not a file; only file outputs can be published to a dataset.`,
        node: node.id,
        port: item.output,
        field: `${field}.output`,
      });
      continue;
    }
    const existing = datasets.byName.get(item.dataset.toLowerCase());
    if (existing && item.kind !== null && existing.kind !== item.kind) {
      problems.push({
        code: 'dataset_kind',
        message: `Node "${node.id}": output "${item.output}" is published as a ${item.kind}, but dataset "${existing.name}" holds ${existing.kind}s.`,
        node: node.id,
        port: item.output,
        field: `${field}.kind`,
      });
    }
  }
  return problems;
}

function nodeProblems(
  node: ParsedNode,
  byId: Map<string, ParsedNode>,
  declared: Map<string, Declared>,
  lookup: ComponentLookup,
  datasets: DatasetIndex,
): Problem[] {
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
      if (b) problems.push(...referenceProblems(node, port, b, byId, declared, datasets));
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
    if (b) problems.push(...bindingProblems(node, { name: input.name, type }, b, byId, declared, lookup, datasets));
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
  problems.push(...publishProblems(node, spec, datasets));
  return problems;
}

/**
 * Every problem of a document, in the server's order. `datasets` (at least those
 * the graph refers to) lets dataset bindings and publish declarations be checked
 * against what exists; without it (null/undefined) those checks are skipped, as the server does.
 */
export function validateDocument(doc: PipelineDocument, lookup: ComponentLookup, datasets?: readonly DatasetRef[] | null): Problem[] {
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
  const known = new DatasetIndex(datasets);
  for (const n of nodes) {
    const first = byId.get(n.id)!;
    if (first === n) problems.push(...nodeProblems(n, byId, declared, lookup, known));
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
