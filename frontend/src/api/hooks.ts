// TanStack Query hooks over the endpoints: query keys live here only.
import { keepPreviousData, useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import type { UseMutationResult, UseQueryResult } from '@tanstack/react-query';
import * as api from './endpoints';
import { isTerminalRun } from './types';
import type {
  ComponentDetail,
  ComponentSummary,
  ComponentVersion,
  ImportResult,
  Pipeline,
  PipelineVersion,
  PipelineWrite,
  Run,
  RunSummary,
  User,
} from './types';
import type { JsonValue } from '../pipeline-core';

export const keys = {
  me: ['me'] as const,
  components: (search = '', category = '') => ['components', search, category] as const,
  component: (id: number) => ['component', id] as const,
  componentVersion: (id: number) => ['component-version', id] as const,
  pipelines: ['pipelines'] as const,
  pipeline: (id: number) => ['pipeline', id] as const,
  pipelineVersions: (id: number) => ['pipeline', id, 'versions'] as const,
  pipelineVersion: (id: number, n: number) => ['pipeline', id, 'versions', n] as const,
  runs: (pipeline?: string, status?: string) => ['runs', pipeline ?? '', status ?? ''] as const,
  run: (id: number) => ['run', id] as const,
};

export function useMe(): UseQueryResult<User> {
  // Signed out is a 403: ask once per page load, not again on every mount.
  return useQuery({ queryKey: keys.me, queryFn: api.getMe, retry: false, retryOnMount: false, staleTime: 60_000 });
}

export function useLogin(): UseMutationResult<User, Error, { username: string; password: string }> {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ username, password }) => api.login(username, password),
    onSuccess: (user) => {
      qc.setQueryData(keys.me, user);
    },
  });
}

export function useLogout(): UseMutationResult<void, Error, void> {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api.logout(),
    onSettled: () => {
      qc.clear();
    },
  });
}

export function useComponents(search = '', category = ''): UseQueryResult<ComponentSummary[]> {
  return useQuery({
    queryKey: keys.components(search, category),
    queryFn: () => api.listComponents({ search, category }),
    placeholderData: keepPreviousData,
  });
}

export function useComponent(id: number): UseQueryResult<ComponentDetail> {
  return useQuery({ queryKey: keys.component(id), queryFn: () => api.getComponent(id), enabled: Number.isFinite(id) });
}

/** Component versions referenced by a graph that the catalog list does not already hold. */
export function useComponentVersions(ids: number[]): { data: ComponentVersion[]; isLoading: boolean; error: Error | null } {
  const results = useQueries({
    queries: ids.map((id) => ({
      queryKey: keys.componentVersion(id),
      queryFn: () => api.getComponentVersion(id),
      staleTime: Infinity, // versions are immutable
      retry: false,
    })),
  });
  return {
    data: results.flatMap((r) => (r.data ? [r.data] : [])),
    isLoading: results.some((r) => r.isLoading),
    error: (results.find((r) => r.error && !(r.error instanceof Error && 'status' in r.error && r.error.status === 404))?.error as Error) ?? null,
  };
}

export function useImportComponent(): UseMutationResult<ImportResult, Error, { yaml: string } | { file: File }> {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: api.importComponent,
    onSuccess: () => qc.invalidateQueries({ queryKey: ['components'] }),
  });
}

export function usePipelines(): UseQueryResult<Pipeline[]> {
  return useQuery({ queryKey: keys.pipelines, queryFn: api.listPipelines });
}

export function usePipeline(id: number | null): UseQueryResult<Pipeline> {
  return useQuery({ queryKey: keys.pipeline(id ?? -1), queryFn: () => api.getPipeline(id!), enabled: id !== null });
}

export function usePipelineVersions(id: number | null): UseQueryResult<PipelineVersion[]> {
  return useQuery({ queryKey: keys.pipelineVersions(id ?? -1), queryFn: () => api.listPipelineVersions(id!), enabled: id !== null });
}

export function usePipelineVersion(id: number | null, number: number | null): UseQueryResult<PipelineVersion> {
  return useQuery({
    queryKey: keys.pipelineVersion(id ?? -1, number ?? -1),
    queryFn: () => api.getPipelineVersion(id!, number!),
    enabled: id !== null && number !== null,
    staleTime: Infinity,
  });
}

export function useSavePipeline(): UseMutationResult<Pipeline, Error, { id: number | null; body: PipelineWrite }> {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }) => (id === null ? api.createPipeline(body) : api.updatePipeline(id, body)),
    onSuccess: (pipeline) => {
      qc.setQueryData(keys.pipeline(pipeline.id), pipeline);
      void qc.invalidateQueries({ queryKey: keys.pipelines });
      void qc.invalidateQueries({ queryKey: keys.pipelineVersions(pipeline.id) });
    },
  });
}

export function useDeletePipeline(): UseMutationResult<void, Error, number> {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: api.deletePipeline,
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.pipelines }),
  });
}

export function useStartRun(): UseMutationResult<Run, Error, { pipeline: number; parameters: Record<string, JsonValue>; version?: number }> {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ pipeline, parameters, version }) => api.startRun(pipeline, parameters, version),
    onSuccess: (run) => {
      qc.setQueryData(keys.run(run.id), run);
      void qc.invalidateQueries({ queryKey: ['runs'] });
    },
  });
}

export function useRuns(pipeline?: string, status?: string): UseQueryResult<RunSummary[]> {
  return useQuery({
    queryKey: keys.runs(pipeline, status),
    queryFn: () => api.listRuns({ pipeline, status }),
    placeholderData: keepPreviousData,
    // Keep the list moving while something is in flight.
    refetchInterval: (q) => (q.state.data?.some((r) => !isTerminalRun(r.status)) ? 3000 : false),
  });
}

/** A run, polled every second until it reaches a terminal state. */
export function useRun(id: number): UseQueryResult<Run> {
  return useQuery({
    queryKey: keys.run(id),
    queryFn: () => api.getRun(id),
    refetchInterval: (q) => (q.state.data && isTerminalRun(q.state.data.status) ? false : 1000),
    refetchIntervalInBackground: false,
  });
}

export function useAbortRun(): UseMutationResult<Run, Error, number> {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: api.abortRun,
    onSuccess: (_run, id) => {
      void qc.invalidateQueries({ queryKey: keys.run(id) });
      void qc.invalidateQueries({ queryKey: ['runs'] });
    },
  });
}

export function useRetryRun(): UseMutationResult<Run, Error, number> {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: api.retryRun,
    onSuccess: (run) => {
      qc.setQueryData(keys.run(run.id), run);
      void qc.invalidateQueries({ queryKey: ['runs'] });
    },
  });
}
