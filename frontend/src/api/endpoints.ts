// One function per endpoint of docs/api.md.
import { ApiError, request, send, unwrapList } from './client';
import type {
  ComponentDetail,
  ComponentSummary,
  ComponentVersion,
  ImportResult,
  LogChunk,
  Paginated,
  Pipeline,
  PipelineVersion,
  PipelineWrite,
  Run,
  RunSummary,
  User,
} from './types';
import type { JsonValue, PipelineGraph, PipelineParameter, Problem } from '../pipeline-core';

const LIST_SIZE = 500;

// Auth
// Signed out is `{authenticated: false}` (a 200, so the browser logs no failed request);
// the rest of the app keeps treating it as the 403 it means.
export async function getMe(): Promise<User> {
  const me = await request<User & { authenticated?: boolean }>('/api/auth/me/');
  if (me.authenticated === false) throw new ApiError(403, 'You are not signed in.');
  return me;
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
export async function listPipelines(): Promise<Pipeline[]> {
  return unwrapList(await request<Paginated<Pipeline> | Pipeline[]>('/api/pipelines/', { query: { page_size: LIST_SIZE } }));
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
export async function listRuns(params: { pipeline?: number | string; status?: string } = {}): Promise<RunSummary[]> {
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
