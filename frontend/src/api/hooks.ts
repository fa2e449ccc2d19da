// TanStack Query hooks over the endpoints: query keys live here only.
import { keepPreviousData, useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import type { UseMutationResult, UseQueryResult } from '@tanstack/react-query';
import * as api from './endpoints';
import { isTerminalRun } from './types';
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
  MetricTrigger,
  MetricTriggerFiring,
  MetricTriggerWrite,
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
import { uploadDatasetVersion, type UploadProgress } from './upload';
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
  runs: (pipeline?: string, status?: string, trigger?: string) => ['runs', pipeline ?? '', status ?? '', trigger ?? ''] as const,
  run: (id: number) => ['run', id] as const,
  datasets: (search = '', kind = '') => ['datasets', search, kind] as const,
  dataset: (id: number) => ['dataset', id] as const,
  datasetVersions: (id: number) => ['dataset', id, 'versions'] as const,
  lineage: (id: number) => ['dataset', id, 'lineage'] as const,
  schedules: (pipeline?: number) => ['schedules', pipeline ?? ''] as const,
  scheduleFirings: (id: number) => ['schedules', 'firings', id] as const,
  schedulePreview: (cron: string, zone: string) => ['schedule-preview', cron, zone] as const,
  datasetTriggers: (pipeline?: number, dataset?: number) => ['dataset-triggers', pipeline ?? '', dataset ?? ''] as const,
  datasetTriggerFirings: (id: number) => ['dataset-triggers', 'firings', id] as const,
  metricTriggers: (source?: number, target?: number) => ['metric-triggers', source ?? '', target ?? ''] as const,
  metricTriggerFirings: (id: number) => ['metric-triggers', 'firings', id] as const,
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

export function usePipelines(): UseQueryResult<PipelineSummary[]> {
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

export function useRuns(pipeline?: string, status?: string, trigger?: string): UseQueryResult<RunSummary[]> {
  return useQuery({
    queryKey: keys.runs(pipeline, status, trigger),
    queryFn: () => api.listRuns({ pipeline, status, trigger_kind: trigger }),
    placeholderData: keepPreviousData,
    // Keep the list moving while something is in flight.
    refetchInterval: (q) => (q.state.data?.some((r) => !isTerminalRun(r.status)) ? 3000 : false),
  });
}

/**
 * How often an unfinished run is re-read. The run page promises a change on screen within a second
 * of the server; a poll period well under that leaves room for the request and the render.
 */
const RUN_POLL_MS = 400;

/** A run, polled every RUN_POLL_MS until it reaches a terminal state. */
export function useRun(id: number): UseQueryResult<Run> {
  return useQuery({
    queryKey: keys.run(id),
    queryFn: () => api.getRun(id),
    refetchInterval: (q) => (q.state.data && isTerminalRun(q.state.data.status) ? false : RUN_POLL_MS),
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

// Datasets

export function useDatasets(search = '', kind = ''): UseQueryResult<Dataset[]> {
  return useQuery({ queryKey: keys.datasets(search, kind), queryFn: () => api.listDatasets({ search, kind }), placeholderData: keepPreviousData });
}

export function useDataset(id: number): UseQueryResult<Dataset> {
  return useQuery({ queryKey: keys.dataset(id), queryFn: () => api.getDataset(id), enabled: Number.isFinite(id) });
}

export function useDatasetVersions(id: number): UseQueryResult<DatasetVersion[]> {
  return useQuery({ queryKey: keys.datasetVersions(id), queryFn: () => api.listDatasetVersions(id), enabled: Number.isFinite(id) });
}

export function useLineage(id: number, refetchInterval: number | false = false): UseQueryResult<Lineage> {
  return useQuery({ queryKey: keys.lineage(id), queryFn: () => api.getLineage(id), enabled: Number.isFinite(id), refetchInterval });
}

export function useCreateDataset(): UseMutationResult<Dataset, Error, DatasetCreate> {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: api.createDataset,
    onSuccess: (d) => {
      qc.setQueryData(keys.dataset(d.id), d);
      void qc.invalidateQueries({ queryKey: ['datasets'] });
    },
  });
}

/** A new version changes the dataset, its version list, its lineage and (through triggers) the runs. */
function invalidateDataset(qc: ReturnType<typeof useQueryClient>, id: number): void {
  void qc.invalidateQueries({ queryKey: ['dataset', id] });
  void qc.invalidateQueries({ queryKey: ['datasets'] });
  void qc.invalidateQueries({ queryKey: ['dataset-triggers'] });
  void qc.invalidateQueries({ queryKey: ['runs'] });
}

export interface UploadVariables {
  dataset: number;
  file: File;
  message?: string;
  onProgress?: (p: UploadProgress) => void;
  signal?: AbortSignal;
}

export function useUploadDatasetVersion(): UseMutationResult<CommitResult, Error, UploadVariables> {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ dataset, file, message, onProgress, signal }) =>
      uploadDatasetVersion(dataset, file, file.name, { message, onProgress, signal }),
    onSuccess: (_r, { dataset }) => invalidateDataset(qc, dataset),
  });
}

export function useRegisterDatasetUri(): UseMutationResult<CommitResult, Error, { dataset: number; body: RegisterUri }> {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ dataset, body }) => api.registerDatasetUri(dataset, body),
    onSuccess: (_r, { dataset }) => invalidateDataset(qc, dataset),
  });
}

// Schedules

export function useSchedules(pipeline?: number): UseQueryResult<Schedule[]> {
  return useQuery({
    queryKey: keys.schedules(pipeline),
    queryFn: () => api.listSchedules({ pipeline }),
    // Next and last fire times move on by themselves.
    refetchInterval: 30_000,
  });
}

export function useScheduleFirings(id: number | null): UseQueryResult<ScheduleFiring[]> {
  return useQuery({
    queryKey: keys.scheduleFirings(id ?? -1),
    queryFn: () => api.listScheduleFirings(id!),
    enabled: id !== null,
    refetchInterval: 15_000,
  });
}

/** The next fire times of a cron expression in a zone; `null` cron asks nothing (a client-side check failed). */
export function useSchedulePreview(cron: string | null, zone: string): UseQueryResult<SchedulePreview> {
  return useQuery({
    queryKey: keys.schedulePreview(cron ?? '', zone),
    queryFn: ({ signal }) => api.previewSchedule(cron!, zone, 5, signal),
    enabled: cron !== null && cron.trim() !== '',
    retry: false,
    staleTime: 30_000,
    placeholderData: keepPreviousData,
  });
}

function invalidateTriggers(qc: ReturnType<typeof useQueryClient>): void {
  void qc.invalidateQueries({ queryKey: ['schedules'] });
  void qc.invalidateQueries({ queryKey: ['dataset-triggers'] });
  void qc.invalidateQueries({ queryKey: ['metric-triggers'] });
}

export function useSaveSchedule(): UseMutationResult<Schedule, Error, { id: number | null; body: ScheduleWrite | Partial<ScheduleWrite> }> {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }) => (id === null ? api.createSchedule(body as ScheduleWrite) : api.updateSchedule(id, body)),
    onSuccess: () => invalidateTriggers(qc),
  });
}

export function useDeleteSchedule(): UseMutationResult<void, Error, number> {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: api.deleteSchedule,
    onSuccess: (_r, id) => {
      // Its firings are gone with it: asking again would be a 404.
      qc.removeQueries({ queryKey: keys.scheduleFirings(id) });
      invalidateTriggers(qc);
    },
  });
}

// Dataset and metric triggers

export function useDatasetTriggers(filter: { pipeline?: number; dataset?: number }, enabled = true): UseQueryResult<DatasetTrigger[]> {
  return useQuery({
    queryKey: keys.datasetTriggers(filter.pipeline, filter.dataset),
    queryFn: () => api.listDatasetTriggers(filter),
    enabled,
  });
}

export function useDatasetTriggerFirings(
  id: number,
  refetchInterval: number | false | ((firings: DatasetTriggerFiring[] | undefined) => number | false) = false,
): UseQueryResult<DatasetTriggerFiring[]> {
  return useQuery({
    queryKey: keys.datasetTriggerFirings(id),
    queryFn: () => api.listDatasetTriggerFirings(id),
    refetchInterval: typeof refetchInterval === 'function' ? (q) => refetchInterval(q.state.data) : refetchInterval,
  });
}

export function useSaveDatasetTrigger(): UseMutationResult<DatasetTrigger, Error, { id: number | null; body: DatasetTriggerWrite | Partial<DatasetTriggerWrite> }> {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }) => (id === null ? api.createDatasetTrigger(body as DatasetTriggerWrite) : api.updateDatasetTrigger(id, body)),
    onSuccess: () => invalidateTriggers(qc),
  });
}

export function useDeleteDatasetTrigger(): UseMutationResult<void, Error, number> {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: api.deleteDatasetTrigger,
    onSuccess: (_r, id) => {
      qc.removeQueries({ queryKey: keys.datasetTriggerFirings(id) });
      invalidateTriggers(qc);
    },
  });
}

export function useMetricTriggers(filter: { source_pipeline?: number; target_pipeline?: number }, enabled = true): UseQueryResult<MetricTrigger[]> {
  return useQuery({
    queryKey: keys.metricTriggers(filter.source_pipeline, filter.target_pipeline),
    queryFn: () => api.listMetricTriggers(filter),
    enabled,
  });
}

export function useMetricTriggerFirings(id: number): UseQueryResult<MetricTriggerFiring[]> {
  return useQuery({ queryKey: keys.metricTriggerFirings(id), queryFn: () => api.listMetricTriggerFirings(id) });
}

export function useSaveMetricTrigger(): UseMutationResult<MetricTrigger, Error, { id: number | null; body: MetricTriggerWrite | Partial<MetricTriggerWrite> }> {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }) => (id === null ? api.createMetricTrigger(body as MetricTriggerWrite) : api.updateMetricTrigger(id, body)),
    onSuccess: () => invalidateTriggers(qc),
  });
}

export function useDeleteMetricTrigger(): UseMutationResult<void, Error, number> {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: api.deleteMetricTrigger,
    onSuccess: (_r, id) => {
      qc.removeQueries({ queryKey: keys.metricTriggerFirings(id) });
      invalidateTriggers(qc);
    },
  });
}
