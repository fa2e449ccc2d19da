// API types, written by hand from docs/api.md until `npm run gen:api`
// produces src/api/schema.d.ts from the server's OpenAPI document. Every API
// call lives in src/api/, so switching to generated types stays local.
import type { JsonValue, PipelineGraph, PipelineParameter, Problem } from '../pipeline-core';

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

export interface Trigger {
  kind: 'manual' | 'schedule' | 'dataset' | 'metric' | 'retry' | string;
  user?: string | null;
  schedule?: number | string | null;
  fire_time?: string | null;
  dataset_version?: number | string | null;
  source_run?: number | null;
  [key: string]: unknown;
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
