// One function per endpoint of docs/api.md.
import { ApiError, request, send, unwrapList } from './client';
import type {
  CommitResult,
  ComponentDetail,
  ComponentSummary,
  ComponentVersion,
  Dataset,
  DatasetCreate,
  DatasetTrigger,
  DatasetTriggerFiring,
  DatasetTriggerWrite,
  DatasetVersion,
  ImportResult,
  Lineage,
  LogChunk,
  Me,
  MetricTrigger,
  MetricTriggerFiring,
  MetricTriggerWrite,
  Paginated,
  Pipeline,
  PipelineSummary,
  PipelineVersion,
  PipelineWrite,
  Run,
  RegisterUri,
  RunSummary,
  Schedule,
  ScheduleFiring,
  SchedulePreview,
  ScheduleWrite,
  User,
} from './types';
import type { JsonValue, PipelineGraph, PipelineParameter, Problem } from '../pipeline-core';

const LIST_SIZE = 500;

// Auth
// Signed out is `{authenticated: false}` (a 200, so the browser logs no failed request);
// the rest of the app keeps treating it as the 403 it means.
export async function getMe(): Promise<User> {
  const me = await request<Me>('/api/auth/me/');
  if (me.authenticated === false || me.id === null || me.username === null) throw new ApiError(403, 'You are not signed in.');
  return { id: me.id, username: me.username, is_staff: me.is_staff };
}
export const login = (username: string, password: string): Promise<User> =>
  request<User>('/api/auth/login/', { method: 'POST', body: { username, password } });
export const logout = (): Promise<void> => request<void>('/api/auth/logout/', { method: 'POST' });

// Catalog
export async function listComponents(params: { search?: string; category?: string } = {}): Promise<ComponentSummary[]> {
  const data = await request<Paginated<ComponentSummary> | ComponentSummary[]>('/api/components/', {
    query: { ...params, page_size: LIST_SIZE },
  });
  return unwrapList(data);
}
export const getComponent = (id: number): Promise<ComponentDetail> => request<ComponentDetail>(`/api/components/${id}/`);
export const getComponentVersion = (id: number): Promise<ComponentVersion> =>
  request<ComponentVersion>(`/api/component-versions/${id}/`);
export function importComponent(source: { yaml: string } | { file: File }): Promise<ImportResult> {
  if ('file' in source) {
    const form = new FormData();
    form.append('file', source.file);
    return request<ImportResult>('/api/components/import/', { method: 'POST', body: form });
  }
  return request<ImportResult>('/api/components/import/', { method: 'POST', body: { yaml: source.yaml } });
}

// Pipelines
export async function listPipelines(): Promise<PipelineSummary[]> {
  return unwrapList(await request<Paginated<PipelineSummary> | PipelineSummary[]>('/api/pipelines/', { query: { page_size: LIST_SIZE } }));
}
export const getPipeline = (id: number): Promise<Pipeline> => request<Pipeline>(`/api/pipelines/${id}/`);
export const createPipeline = (body: PipelineWrite): Promise<Pipeline> =>
  request<Pipeline>('/api/pipelines/', { method: 'POST', body });
export const updatePipeline = (id: number, body: PipelineWrite): Promise<Pipeline> =>
  request<Pipeline>(`/api/pipelines/${id}/`, { method: 'PUT', body });
export const deletePipeline = (id: number): Promise<void> => request<void>(`/api/pipelines/${id}/`, { method: 'DELETE' });
export async function listPipelineVersions(id: number): Promise<PipelineVersion[]> {
  return unwrapList(
    await request<Paginated<PipelineVersion> | PipelineVersion[]>(`/api/pipelines/${id}/versions/`, { query: { page_size: LIST_SIZE } }),
  );
}
export const getPipelineVersion = (id: number, number: number): Promise<PipelineVersion> =>
  request<PipelineVersion>(`/api/pipelines/${id}/versions/${number}/`);
export const validatePipeline = (graph: PipelineGraph, parameters: PipelineParameter[]): Promise<{ problems: Problem[] }> =>
  request<{ problems: Problem[] }>('/api/pipelines/validate/', { method: 'POST', body: { graph, parameters } });
export const startRun = (pipelineId: number, parameters: Record<string, JsonValue>, version?: number): Promise<Run> =>
  request<Run>(`/api/pipelines/${pipelineId}/runs/`, {
    method: 'POST',
    body: version === undefined ? { parameters } : { parameters, version },
  });

// Runs
export async function listRuns(params: { pipeline?: number | string; status?: string; trigger_kind?: string } = {}): Promise<RunSummary[]> {
  return unwrapList(await request<Paginated<RunSummary> | RunSummary[]>('/api/runs/', { query: { ...params, page_size: 100 } }));
}
export const getRun = (id: number): Promise<Run> => request<Run>(`/api/runs/${id}/`);
export const abortRun = (id: number): Promise<Run> => request<Run>(`/api/runs/${id}/abort/`, { method: 'POST' });
export const retryRun = (id: number): Promise<Run> => request<Run>(`/api/runs/${id}/retry/`, { method: 'POST' });

/** Log text of one step from byte `offset`; the server says where to continue and the step's state. */
export async function getStepLog(runId: number, node: string, offset: number, signal?: AbortSignal): Promise<LogChunk> {
  const response = await send(`/api/runs/${runId}/steps/${encodeURIComponent(node)}/logs/`, {
    query: { offset },
    signal,
  });
  const text = await response.text();
  const next = Number(response.headers.get('X-Next-Offset'));
  return {
    text,
    // Without the header, count bytes ourselves (offsets are bytes, not characters).
    nextOffset: Number.isFinite(next) && response.headers.has('X-Next-Offset') ? next : offset + new TextEncoder().encode(text).length,
    stepStatus: response.headers.get('X-Step-Status'),
  };
}

export const artifactDownloadUrl = (id: number): string => `/api/artifacts/${id}/download/`;

// Datasets
async function list<T>(path: string, query: Record<string, string | number | undefined> = {}): Promise<T[]> {
  return unwrapList(await request<Paginated<T> | T[]>(path, { query: { ...query, page_size: LIST_SIZE } }));
}
export const listDatasets = (params: { search?: string; kind?: string } = {}): Promise<Dataset[]> => list<Dataset>('/api/datasets/', params);
export const getDataset = (id: number): Promise<Dataset> => request<Dataset>(`/api/datasets/${id}/`);
export const createDataset = (body: DatasetCreate): Promise<Dataset> => request<Dataset>('/api/datasets/', { method: 'POST', body });
export const updateDataset = (id: number, body: { description: string }): Promise<Dataset> =>
  request<Dataset>(`/api/datasets/${id}/`, { method: 'PATCH', body });
export const listDatasetVersions = (id: number): Promise<DatasetVersion[]> => list<DatasetVersion>(`/api/datasets/${id}/versions/`);
export const getDatasetVersion = (id: number, number: number): Promise<DatasetVersion> =>
  request<DatasetVersion>(`/api/datasets/${id}/versions/${number}/`);
/** Registers data stored elsewhere (s3://, hdfs://, file://) as the next version. Uploads: see upload.ts. */
export const registerDatasetUri = (id: number, body: RegisterUri): Promise<CommitResult> =>
  request<CommitResult>(`/api/datasets/${id}/versions/`, { method: 'POST', body });
export const getLineage = (id: number, depth = 3): Promise<Lineage> => request<Lineage>(`/api/datasets/${id}/lineage/`, { query: { depth } });
export const datasetDownloadUrl = (id: number, number: number): string => `/api/datasets/${id}/versions/${number}/download/`;

// Schedules
export const listSchedules = (params: { pipeline?: number } = {}): Promise<Schedule[]> => list<Schedule>('/api/schedules/', params);
export const getSchedule = (id: number): Promise<Schedule> => request<Schedule>(`/api/schedules/${id}/`);
export const createSchedule = (body: ScheduleWrite): Promise<Schedule> => request<Schedule>('/api/schedules/', { method: 'POST', body });
export const updateSchedule = (id: number, body: Partial<ScheduleWrite>): Promise<Schedule> =>
  request<Schedule>(`/api/schedules/${id}/`, { method: 'PATCH', body });
export const deleteSchedule = (id: number): Promise<void> => request<void>(`/api/schedules/${id}/`, { method: 'DELETE' });
export const listScheduleFirings = (id: number): Promise<ScheduleFiring[]> => list<ScheduleFiring>(`/api/schedules/${id}/firings/`);
export const previewSchedule = (cron: string, timezone: string, count = 5, signal?: AbortSignal): Promise<SchedulePreview> =>
  request<SchedulePreview>('/api/schedules/preview/', { query: { cron, timezone, count }, signal });

// Dataset triggers
export const listDatasetTriggers = (params: { pipeline?: number; dataset?: number } = {}): Promise<DatasetTrigger[]> =>
  list<DatasetTrigger>('/api/dataset-triggers/', params);
export const createDatasetTrigger = (body: DatasetTriggerWrite): Promise<DatasetTrigger> =>
  request<DatasetTrigger>('/api/dataset-triggers/', { method: 'POST', body });
export const updateDatasetTrigger = (id: number, body: Partial<DatasetTriggerWrite>): Promise<DatasetTrigger> =>
  request<DatasetTrigger>(`/api/dataset-triggers/${id}/`, { method: 'PATCH', body });
export const deleteDatasetTrigger = (id: number): Promise<void> => request<void>(`/api/dataset-triggers/${id}/`, { method: 'DELETE' });
export const listDatasetTriggerFirings = (id: number): Promise<DatasetTriggerFiring[]> =>
  list<DatasetTriggerFiring>(`/api/dataset-triggers/${id}/firings/`);

// Metric triggers
export const listMetricTriggers = (params: { source_pipeline?: number; target_pipeline?: number } = {}): Promise<MetricTrigger[]> =>
  list<MetricTrigger>('/api/metric-triggers/', params);
export const createMetricTrigger = (body: MetricTriggerWrite): Promise<MetricTrigger> =>
  request<MetricTrigger>('/api/metric-triggers/', { method: 'POST', body });
export const updateMetricTrigger = (id: number, body: Partial<MetricTriggerWrite>): Promise<MetricTrigger> =>
  request<MetricTrigger>(`/api/metric-triggers/${id}/`, { method: 'PATCH', body });
export const deleteMetricTrigger = (id: number): Promise<void> => request<void>(`/api/metric-triggers/${id}/`, { method: 'DELETE' });
export const listMetricTriggerFirings = (id: number): Promise<MetricTriggerFiring[]> =>
  list<MetricTriggerFiring>(`/api/metric-triggers/${id}/firings/`);
