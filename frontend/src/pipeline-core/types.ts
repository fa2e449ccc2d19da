// The pipeline graph document (DESIGN.md "Pipeline graph") and the slice of a
// component spec the graph logic needs. Plain data, no React.

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export const SCHEMA_VERSION = 1;

export interface ValueBinding {
  value: JsonValue;
}
export interface ParameterBinding {
  parameter: string;
}
export interface FromBinding {
  from: { node: string; output: string };
}
/** A version of a dataset: pinned (a number) or the newest one when the run is created. */
export interface DatasetBinding {
  dataset: { id: number; version: number | 'latest' };
}
export type Binding = ValueBinding | ParameterBinding | FromBinding | DatasetBinding;

export const DATASET_KINDS = ['dataset', 'model'] as const;
export type DatasetKind = (typeof DATASET_KINDS)[number];

/** Save output `output` as a new version of dataset `dataset` (created if missing) when the step completes. */
export interface PublishSpec {
  output: string;
  dataset: string;
  /** Defaults to `model` for a Model output and `dataset` otherwise (decided by the server). */
  kind?: DatasetKind;
}

/** What validation needs to know about a dataset a graph refers to (server: graph.DatasetRef). */
export interface DatasetRef {
  id: number;
  name: string;
  kind: DatasetKind | string;
  /** 0 while it has no versions. */
  latest_version: number;
}

export interface Position {
  x: number;
  y: number;
}

export interface ResourceOverrides {
  cpu?: number | string;
  /** A quantity ("512Mi", "2Gi") or bytes. */
  memory?: string | number;
  gpu?: number;
}

export interface GraphNode {
  id: string;
  component_version: number;
  label?: string;
  position: Position;
  arguments: Record<string, Binding>;
  resources?: ResourceOverrides;
  retries?: number;
  timeout_seconds?: number;
  publish?: PublishSpec[];
}

export interface PipelineGraph {
  schema_version: number;
  nodes: GraphNode[];
}

export interface PipelineParameter {
  name: string;
  type: string;
  default: JsonValue;
  description?: string;
}

/** What the editor edits and the server stores as one version: graph + parameters. */
export interface PipelineDocument {
  graph: PipelineGraph;
  parameters: PipelineParameter[];
}

/** A port of a component version (docs/api.md `Port`); `type` null means untyped. */
export interface PortSpec {
  name: string;
  type: string | null;
  description?: string | null;
  default?: string | null;
  optional?: boolean;
}

/** The part of a `ComponentVersion` the graph logic reads. */
export interface ComponentSpec {
  id: number;
  name: string;
  category?: string;
  description?: string;
  inputs: PortSpec[];
  outputs: PortSpec[];
  resources?: { cpu?: number | string | null; memory?: string | null; gpu?: number | null } | null;
  runnable?: boolean;
}

export type ComponentLookup = (componentVersionId: number) => ComponentSpec | undefined;

export type ProblemCode =
  | 'duplicate_node'
  | 'unknown_component_version'
  | 'unknown_port'
  | 'incompatible_types'
  | 'cycle'
  | 'unbound_input'
  | 'unknown_node'
  | 'unknown_parameter'
  | 'parameter_type'
  | 'invalid_value'
  | 'invalid_document'
  | 'not_runnable'
  | 'unknown_dataset'
  | 'unknown_dataset_version'
  | 'dataset_kind';

/** One validation finding; the same shape (and codes) as the server's. */
export interface Problem {
  code: ProblemCode | string;
  message: string;
  node?: string | null;
  port?: string | null;
  field?: string | null;
  /** Client-side extra: every node on a cycle, for highlighting. */
  nodes?: string[];
}

export function isFromBinding(b: Binding | undefined | null): b is FromBinding {
  return !!b && typeof b === 'object' && 'from' in b && !!b.from && typeof b.from === 'object';
}
export function isParameterBinding(b: Binding | undefined | null): b is ParameterBinding {
  return !!b && typeof b === 'object' && 'parameter' in b && typeof b.parameter === 'string';
}
export function isValueBinding(b: Binding | undefined | null): b is ValueBinding {
  return !!b && typeof b === 'object' && 'value' in b;
}
export function isDatasetBinding(b: Binding | undefined | null): b is DatasetBinding {
  return !!b && typeof b === 'object' && 'dataset' in b && !!b.dataset && typeof b.dataset === 'object';
}

export function emptyDocument(): PipelineDocument {
  return { graph: { schema_version: SCHEMA_VERSION, nodes: [] }, parameters: [] };
}
