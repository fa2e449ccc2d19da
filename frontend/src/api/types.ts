// API types, written by hand from docs/api.md until `npm run gen:api`
// produces src/api/schema.d.ts from the server's OpenAPI document. Every API
// call lives in src/api/, so switching to generated types stays local.
import type { DatasetKind, JsonValue, PipelineGraph, PipelineParameter, Problem } from '../pipeline-core';

export interface User {
  id: number;
  username: string;
  is_staff?: boolean;
  authenticated?: boolean;
}

export interface Paginated<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

export interface ApiErrorBody {
  message: string;
  problems: Problem[];
}

export interface Port {
  name: string;
  type: string | null;
  description: string | null;
  default: string | null;
  optional: boolean;
}

export interface Resources {
  cpu: number | string | null;
  memory: string | null;
  gpu: number | null;
}

export interface ComponentSource {
  repo?: string;
  ref?: string;
  path?: string;
  [key: string]: unknown;
}

export interface ComponentVersion {
  id: number;
  component: number;
  name: string;
  version: number;
  digest: string;
  description: string;
  category: string;
  image: string;
  inputs: Port[];
  outputs: Port[];
  resources: Resources;
  source: ComponentSource | null;
  runnable: boolean;
  spec: Record<string, unknown>;
  created_at: string;
}

export interface ComponentSummary {
  id: number;
  name: string;
  description: string;
  category: string;
  latest_version: ComponentVersion | null;
  version_count: number;
  created_at: string;
  updated_at: string;
}

export interface ComponentDetail extends ComponentSummary {
  versions: ComponentVersion[];
}

export interface ImportResult {
  created: boolean;
  version: ComponentVersion;
}

export interface PipelineParameterOut extends PipelineParameter {
  description?: string;
}

export interface PipelineVersion {
  id: number;
  pipeline: number;
  number: number;
  graph: PipelineGraph;
  parameters: PipelineParameterOut[];
  message: string;
  author: string | null;
  created_at: string;
}

export interface Pipeline {
  id: number;
  name: string;
  description: string;
  latest_version: PipelineVersion | null;
  version_count: number;
  created_at: string;
  updated_at: string;
}

/** A list item's newest version: its graph stays on the server (GET /api/pipelines/{id}/ has it). */
export interface PipelineVersionSummary {
  id: number;
  number: number;
  node_count: number;
  message: string;
  author: string | null;
  created_at: string;
}

/** An item of GET /api/pipelines/. */
export interface PipelineSummary {
  id: number;
  name: string;
  description: string;
  latest_version: PipelineVersionSummary | null;
  version_count: number;
  created_at: string;
  updated_at: string;
}

export interface PipelineWrite {
  name: string;
  description: string;
  graph: PipelineGraph;
  parameters: PipelineParameter[];
  message?: string;
}

export const RUN_STATUSES = ['pending', 'running', 'completed', 'failed', 'aborted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const STEP_STATUSES = ['pending', 'queued', 'running', 'completed', 'failed', 'aborted', 'skipped', 'cached'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export function isTerminalRun(status: string | undefined): boolean {
  return status === 'completed' || status === 'failed' || status === 'aborted';
}
export function isTerminalStep(status: string | undefined): boolean {
  return status === 'completed' || status === 'failed' || status === 'aborted' || status === 'skipped' || status === 'cached';
}

export type TriggerKind = 'manual' | 'schedule' | 'dataset' | 'metric' | 'retry';

/** Why a run started (docs/triggers.md "Provenance"): `kind` plus the details of that kind. */
export interface Trigger {
  kind: TriggerKind | string;
  user?: string | null;
  // schedule
  schedule?: number | null;
  schedule_name?: string | null;
  fire_time?: string | null;
  timezone?: string | null;
  catch_up?: boolean | string | null;
  // dataset
  dataset_trigger?: number | null;
  dataset?: number | null;
  dataset_name?: string | null;
  dataset_version?: number | null;
  version?: number | null;
  // metric (and retry: source_run)
  metric_trigger?: number | null;
  source_run?: number | null;
  source_pipeline?: number | null;
  metric?: string | null;
  value?: number | null;
  comparison?: string | null;
  threshold?: number | null;
  [key: string]: unknown;
}

/** A dataset version a run reads, pinned when the run was created. */
export interface DatasetInput {
  dataset: number;
  dataset_name: string;
  version: number;
  dataset_version: number;
}

export interface RunSummary {
  id: number;
  pipeline: number;
  pipeline_name: string;
  pipeline_version: number;
  version_number: number;
  status: RunStatus | string;
  trigger: Trigger;
  parameters: Record<string, JsonValue>;
  /** node → input → the dataset version it reads. */
  dataset_inputs?: Record<string, Record<string, DatasetInput>> | null;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  duration_seconds: number | null;
  step_counts: Record<string, number>;
}

export type ArtifactPreview =
  | { kind: 'metrics'; values: Record<string, JsonValue> }
  | { kind: 'confusion_matrix'; labels: string[]; matrix: number[][] }
  | { kind: 'roc'; curves: Array<{ label: string; fpr: number[]; tpr: number[]; auc: number | null }> }
  | { kind: 'table'; columns: string[]; rows: JsonValue[][]; total_rows: number | null }
  | { kind: 'text'; text: string }
  | null;

export interface Artifact {
  id: number;
  name: string;
  type: string | null;
  media_type: string;
  size: number;
  sha256: string;
  preview: ArtifactPreview;
  created_at: string;
}

export interface StepRun {
  id: number;
  node_id: string;
  component_version: number;
  status: StepStatus | string;
  attempt: number;
  exit_code: number | null;
  error: string | null;
  started_at: string | null;
  finished_at: string | null;
  duration_seconds: number | null;
  peak_memory_bytes: number | null;
  cpu_seconds: number | null;
  /** Input name → `{value}` or `{artifact: id}`. */
  inputs: Record<string, unknown>;
  outputs: Artifact[];
  // Served by the backend beyond docs/api.md; optional here.
  component_name?: string;
  max_attempts?: number;
  cached_from?: number | null;
  queued_at?: string | null;
  /** When the step's command began: its container's start, or the release of its standby container. */
  launched_at?: string | null;
  standby?: boolean;
  log_size?: number;
}

export interface Run extends RunSummary {
  retry_of?: number | null;
  abort_requested?: boolean;
  graph: PipelineGraph;
  steps: StepRun[];
}

export interface LogChunk {
  text: string;
  nextOffset: number;
  stepStatus: string | null;
}

// Datasets (docs/api.md "Datasets")

export interface DatasetProducer {
  run: number;
  step: number;
  node: string;
  pipeline: number;
  pipeline_name: string;
}

export interface DatasetVersion {
  id: number;
  dataset: number;
  dataset_name: string;
  number: number;
  /** `store://sha256/…` or the external URI. */
  uri: string;
  /** "" for an external URI registered without a checksum. */
  sha256: string;
  /** null when external. */
  size: number | null;
  media_type: string;
  filename: string;
  metadata: { format?: string; rows?: number; columns?: string[]; preview?: { columns: string[]; rows: JsonValue[][] } } & Record<string, unknown>;
  preview: ArtifactPreview;
  message: string;
  external: boolean;
  artifact: number | null;
  produced_by: DatasetProducer | null;
  created_by: string | null;
  created_at: string;
}

export interface Dataset {
  id: number;
  name: string;
  kind: DatasetKind;
  description: string;
  latest_version: DatasetVersion | null;
  version_count: number;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface DatasetCreate {
  name: string;
  kind: DatasetKind;
  description?: string;
}

/** `created: false` when the content equals the latest version's: `version` is that latest version. */
export interface CommitResult {
  created: boolean;
  version: DatasetVersion;
}

export interface RegisterUri {
  uri: string;
  checksum?: string;
  message?: string;
}

export interface LineageVersionNode {
  id: string;
  type: 'version';
  version_id: number;
  dataset: number;
  dataset_name: string;
  kind: DatasetKind | string;
  number: number;
  sha256: string;
  size: number | null;
  uri: string;
  created_at: string;
  produced_by_run: number | null;
}

export interface LineageRunNode {
  id: string;
  type: 'run';
  run_id: number;
  pipeline: number;
  pipeline_name: string;
  pipeline_version: number;
  status: string;
  trigger_kind: string;
  created_at: string;
}

export type LineageNode = LineageVersionNode | LineageRunNode;

export interface LineageEdge {
  source: string;
  target: string;
  /** input: version → run that read it; output: run → version it published. */
  kind: 'input' | 'output';
  node: string;
  port: string;
}

export interface Lineage {
  dataset: { id: number; name: string; kind: string };
  nodes: LineageNode[];
  edges: LineageEdge[];
}

// Triggers (docs/api.md "Triggers")

export type CatchUp = 'skip' | 'once' | 'all';

export interface ScheduleWrite {
  pipeline: number;
  cron: string;
  timezone?: string;
  name?: string;
  pipeline_version?: number | null;
  parameters?: Record<string, JsonValue>;
  enabled?: boolean;
  catchup?: CatchUp;
  max_catchup?: number;
  max_concurrent_runs?: number;
}

export interface Schedule {
  id: number;
  name: string;
  pipeline: number;
  pipeline_name: string;
  pipeline_version: number | null;
  cron: string;
  timezone: string;
  parameters: Record<string, JsonValue>;
  enabled: boolean;
  catchup: CatchUp;
  max_catchup: number;
  max_concurrent_runs: number;
  /** UTC; null while paused. */
  next_fire_at: string | null;
  /** The next five, ISO in the schedule's zone. */
  next_fire_times: string[];
  last_fire_at: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface ScheduleFiring {
  id: number;
  schedule: number;
  fire_time: string;
  status: 'started' | 'skipped' | 'missed' | 'failed' | string;
  run: number | null;
  run_status: string | null;
  detail: string;
  created_at: string;
}

export interface SchedulePreview {
  cron: string;
  timezone: string;
  next_fire_times: string[];
}

export interface DatasetTriggerWrite {
  pipeline: number;
  dataset: number;
  node: string;
  input: string;
  name?: string;
  parameters?: Record<string, JsonValue>;
  enabled?: boolean;
  debounce_seconds?: number;
}

export interface DatasetTrigger extends Required<Omit<DatasetTriggerWrite, 'name' | 'parameters'>> {
  id: number;
  name: string;
  parameters: Record<string, JsonValue>;
  pipeline_name: string;
  dataset_name: string;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface DatasetTriggerFiring {
  id: number;
  trigger: number;
  dataset_version: number;
  version: number;
  status: 'pending' | 'started' | 'skipped' | 'failed' | string;
  fire_after: string | null;
  run: number | null;
  run_status: string | null;
  detail: string;
  created_at: string;
}

export type Comparison = '<' | '<=' | '>' | '>=';
export const COMPARISONS: Comparison[] = ['<', '<=', '>', '>='];

export interface MetricTriggerWrite {
  source_pipeline: number;
  /** node.output.key, e.g. evaluate.metrics.accuracy */
  metric: string;
  comparison: Comparison;
  threshold: number;
  target_pipeline: number;
  name?: string;
  parameters?: Record<string, JsonValue>;
  enabled?: boolean;
}

export interface MetricTrigger {
  id: number;
  name: string;
  source_pipeline: number;
  source_pipeline_name: string;
  metric: string;
  node: string;
  output: string;
  key: string;
  comparison: Comparison;
  threshold: number;
  target_pipeline: number;
  target_pipeline_name: string;
  parameters: Record<string, JsonValue>;
  enabled: boolean;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface MetricTriggerFiring {
  id: number;
  trigger: number;
  source_run: number;
  value: number | null;
  status: 'started' | 'not_met' | 'failed' | string;
  run: number | null;
  run_status: string | null;
  detail: string;
  created_at: string;
}
