// Friendly names for the API's types. The contract is src/api/schema.d.ts, generated from the
// server's OpenAPI document by `npm run gen:api` (never edited by hand); this file only names its
// schemas and, where the server declares a field as free-form JSON (a JSONField the schema types as
// `unknown`), states the shape the client reads. Purely client-side types live here too.
import type { DatasetKind, JsonValue, PipelineGraph, PipelineParameter, Problem } from '../pipeline-core';
import type { components } from './schema';

type Schemas = components['schemas'];
/** Schema `T` with `Fields` given the shape documented in docs/api.md. */
type Refine<T, Fields> = Omit<T, keyof Fields> & Fields;

/** The signed-in account (POST /api/auth/login/, and /api/auth/me/ when signed in). */
export type User = Schemas['User'];
/** GET /api/auth/me/: `authenticated: false` (and null id/username) when signed out. */
export type Me = Schemas['Me'];

/** Lists are paginated by the server (`Paginated…List` in the schema); one generic shape here. */
export interface Paginated<T> {
  count: number;
  next?: string | null;
  previous?: string | null;
  results: T[];
}

/** Every API error: `{message, problems}`; problems name the node, port or field. */
export type ApiErrorBody = Refine<Schemas['ErrorResponse'], { problems: Problem[] }>;

export type Port = Schemas['Port'];
export type ComponentVersion = Schemas['ComponentVersion'];
export type ComponentSummary = Schemas['ComponentSummary'];
export type ComponentDetail = Schemas['ComponentDetail'];
export type ImportResult = Schemas['ComponentImportResult'];

export type PipelineVersion = Refine<Schemas['PipelineVersion'], { graph: PipelineGraph; parameters: PipelineParameter[] }>;
export type Pipeline = Refine<Schemas['Pipeline'], { latest_version: PipelineVersion | null }>;
/** A list item's newest version: its graph stays on the server (GET /api/pipelines/{id}/ has it). */
export type PipelineVersionSummary = Schemas['PipelineVersionSummary'];
/** An item of GET /api/pipelines/. */
export type PipelineSummary = Schemas['PipelineSummary'];
export type PipelineWrite = Refine<Schemas['PipelineWriteRequest'], { graph: PipelineGraph; parameters: PipelineParameter[] }>;

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

type RunJson = {
  /** Always sent (the schema marks it optional: a model field with a default). */
  status: RunStatus;
  trigger: Trigger;
  parameters: Record<string, JsonValue>;
  /** node → input → the dataset version it reads. */
  dataset_inputs: Record<string, Record<string, DatasetInput>> | null;
};
export type RunSummary = Refine<Schemas['RunSummary'], RunJson>;

export type ArtifactPreview =
  | { kind: 'metrics'; values: Record<string, JsonValue> }
  | { kind: 'confusion_matrix'; labels: string[]; matrix: number[][] }
  | { kind: 'roc'; curves: Array<{ label: string; fpr: number[]; tpr: number[]; auc: number | null }> }
  | { kind: 'table'; columns: string[]; rows: JsonValue[][]; total_rows: number | null }
  | { kind: 'text'; text: string }
  | null;

export type Artifact = Refine<Schemas['Artifact'], { preview: ArtifactPreview }>;

export type StepRun = Refine<
  Schemas['StepRun'],
  {
    /** Always sent (the schema marks it optional: a model field with a default). */
    status: StepStatus;
    /** Input name → `{value}` or `{artifact: id}`. */
    inputs: Record<string, unknown>;
    outputs: Artifact[];
  }
>;

export type Run = Refine<Schemas['Run'], RunJson & { graph: PipelineGraph; steps: StepRun[] }>;

/** One read of a step's log (client-side: the text plus the X-Next-Offset / X-Step-Status headers). */
export interface LogChunk {
  text: string;
  nextOffset: number;
  stepStatus: string | null;
}

// Datasets (docs/api.md "Datasets")

export interface DatasetVersionMetadata {
  format?: string;
  rows?: number;
  columns?: string[];
  preview?: { columns: string[]; rows: JsonValue[][] };
  [key: string]: unknown;
}
export type DatasetVersion = Refine<Schemas['DatasetVersion'], { metadata: DatasetVersionMetadata; preview: ArtifactPreview }>;
export type Dataset = Refine<Schemas['Dataset'], { latest_version: DatasetVersion | null }>;
export type DatasetCreate = Schemas['DatasetCreateRequest'];
/** `created: false` when the content equals the latest version's: `version` is that latest version. */
export type CommitResult = Refine<Schemas['DatasetVersionCommitResult'], { version: DatasetVersion }>;
export type RegisterUri = Schemas['DatasetVersionRegisterRequest'];

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

export type Lineage = Refine<
  Schemas['DatasetLineage'],
  { dataset: { id: number; name: string; kind: string }; nodes: LineageNode[]; edges: LineageEdge[] }
>;

// Triggers (docs/api.md "Triggers")

export type CatchUp = Schemas['CatchupEnum'];
type TriggerParameters = { parameters: Record<string, JsonValue> };

export type ScheduleWrite = Schemas['ScheduleWriteRequest'];
export type Schedule = Refine<Schemas['Schedule'], TriggerParameters>;
export type ScheduleFiring = Schemas['ScheduleFiring'];
export type SchedulePreview = Schemas['SchedulePreview'];

export type DatasetTriggerWrite = Schemas['DatasetTriggerWriteRequest'];
export type DatasetTrigger = Refine<Schemas['DatasetTrigger'], TriggerParameters>;
export type DatasetTriggerFiring = Schemas['DatasetTriggerFiring'];

export type Comparison = Schemas['ComparisonEnum'];
export const COMPARISONS: Comparison[] = ['<', '<=', '>', '>='];

export type MetricTriggerWrite = Schemas['MetricTriggerWriteRequest'];
export type MetricTrigger = Refine<Schemas['MetricTrigger'], TriggerParameters>;
export type MetricTriggerFiring = Schemas['MetricTriggerFiring'];
