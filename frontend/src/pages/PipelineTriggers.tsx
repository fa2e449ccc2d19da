// The editor's "Triggers" tab: what starts this pipeline without a click (schedules,
// dataset versions, other pipelines' metrics) and which pipelines its own metrics start.
import { useState, type ReactElement } from 'react';
import { Link } from 'react-router-dom';
import {
  useDatasetTriggers,
  useDeleteDatasetTrigger,
  useDeleteMetricTrigger,
  useMetricTriggers,
  useSaveDatasetTrigger,
  useSaveMetricTrigger,
  useSchedules,
} from '../api/hooks';
import { ErrorMessage } from '../components/ErrorMessage';
import { formatNumber, formatUntil } from '../components/format';
import { Switch } from '../components/Switch';
import { toast } from '../components/toast';
import type { ComponentLookup, PipelineDocument } from '../pipeline-core';
import { checkCron, formatFireTime } from '../schedules/cron';
import { ScheduleToggle } from './SchedulesPage';
import { DatasetTriggerDialog, MetricTriggerDialog } from './TriggerDialogs';

/** "a = 1 · b = x", or nothing without parameters. */
function ParamsLine({ values }: { values: Record<string, unknown> }): ReactElement | null {
  const entries = Object.entries(values ?? {});
  if (!entries.length) return null;
  return (
    <div className="muted small params-line" title="Parameters of the runs it starts">
      {entries.map(([k, v]) => `${k} = ${formatNumber(v)}`).join(' · ')}
    </div>
  );
}

export interface PipelineTriggersProps {
  pipelineId: number;
  /** The newest saved version, which triggers run; null while loading. */
  saved: PipelineDocument | null;
  lookup: ComponentLookup;
  onSchedule: () => void;
}

export function PipelineTriggers({ pipelineId, saved, lookup, onSchedule }: PipelineTriggersProps): ReactElement {
  const schedules = useSchedules(pipelineId);
  const datasetTriggers = useDatasetTriggers({ pipeline: pipelineId });
  const metricTriggers = useMetricTriggers({ source_pipeline: pipelineId });
  const startedBy = useMetricTriggers({ target_pipeline: pipelineId });
  const saveDataset = useSaveDatasetTrigger();
  const saveMetric = useSaveMetricTrigger();
  const delDataset = useDeleteDatasetTrigger();
  const delMetric = useDeleteMetricTrigger();
  const [dialog, setDialog] = useState<'dataset' | 'metric' | null>(null);

  return (
    <div className="triggers-panel" data-testid="triggers-panel">
      <p className="muted small">Runs start here without a click. Triggers run the newest saved version.</p>

      <div className="panel-section-head">
        <h4 className="section-title">Schedules</h4>
        <button type="button" className="link small" onClick={onSchedule} data-testid="triggers-add-schedule">
          + Add
        </button>
      </div>
      <ErrorMessage error={schedules.error} />
      {schedules.data?.length ? (
        <ul className="trigger-cards">
          {schedules.data.map((s) => {
            const check = checkCron(s.cron);
            const next = s.next_fire_times[0] ?? s.next_fire_at;
            return (
              <li key={s.id} className="trigger-card" data-testid={`panel-schedule-${s.id}`}>
                <div className="trigger-card-head">
                  <Link to={`/schedules?schedule=${s.id}`} className="strong">
                    {s.name || <code>{s.cron}</code>}
                  </Link>
                  <ScheduleToggle schedule={s} />
                </div>
                <div className="small">{check.ok ? check.description : s.cron}</div>
                <div className="muted small">
                  {s.enabled && next ? `next ${formatFireTime(next, s.timezone)} (${formatUntil(next)})` : 'paused'}
                </div>
                <ParamsLine values={s.parameters} />
              </li>
            );
          })}
        </ul>
      ) : schedules.data ? (
        <p className="muted small">No schedule.</p>
      ) : null}

      <div className="panel-section-head">
        <h4 className="section-title">Dataset versions</h4>
        <button type="button" className="link small" onClick={() => setDialog('dataset')} disabled={!saved} data-testid="triggers-add-dataset">
          + Add
        </button>
      </div>
      <ErrorMessage error={datasetTriggers.error ?? delDataset.error ?? saveDataset.error} />
      {datasetTriggers.data?.length ? (
        <ul className="trigger-cards">
          {datasetTriggers.data.map((t) => (
            <li key={t.id} className="trigger-card" data-testid={`panel-dataset-trigger-${t.id}`}>
              <div className="trigger-card-head">
                <Link to={`/datasets/${t.dataset}`} className="strong">
                  ⛁ {t.dataset_name}
                </Link>
                <Switch
                  on={t.enabled}
                  label={`${t.enabled ? 'Disable' : 'Enable'} the trigger on ${t.dataset_name}`}
                  disabled={saveDataset.isPending}
                  onChange={(enabled) => saveDataset.mutate({ id: t.id, body: { enabled } })}
                />
              </div>
              <div className="small">
                new version → <code>{t.node}.{t.input}</code>
              </div>
              <ParamsLine values={t.parameters} />
              <div className="trigger-card-foot muted small">
                <span>{t.debounce_seconds ? `debounce ${t.debounce_seconds} s` : 'every version'}</span>
                <button
                  type="button"
                  className="link small danger"
                  onClick={() => {
                    if (window.confirm(`Stop running this pipeline on new versions of ${t.dataset_name}?`)) {
                      delDataset.mutate(t.id, { onSuccess: () => toast.success('Dataset trigger deleted.') });
                    }
                  }}
                  data-testid={`delete-dataset-trigger-${t.id}`}
                >
                  Delete
                </button>
              </div>
            </li>
          ))}
        </ul>
      ) : datasetTriggers.data ? (
        <p className="muted small">No dataset starts this pipeline.</p>
      ) : null}

      <div className="panel-section-head">
        <h4 className="section-title">Its metrics start</h4>
        <button type="button" className="link small" onClick={() => setDialog('metric')} disabled={!saved} data-testid="triggers-add-metric">
          + Add
        </button>
      </div>
      <ErrorMessage error={metricTriggers.error ?? delMetric.error ?? saveMetric.error} />
      {metricTriggers.data?.length ? (
        <ul className="trigger-cards">
          {metricTriggers.data.map((t) => (
            <li key={t.id} className="trigger-card" data-testid={`panel-metric-trigger-${t.id}`}>
              <div className="trigger-card-head">
                <code className="strong">{t.metric}</code>
                <Switch
                  on={t.enabled}
                  label={`${t.enabled ? 'Disable' : 'Enable'} the trigger on ${t.metric}`}
                  disabled={saveMetric.isPending}
                  onChange={(enabled) => saveMetric.mutate({ id: t.id, body: { enabled } })}
                />
              </div>
              <div className="small">
                {t.comparison} {formatNumber(t.threshold)} → start <Link to={`/pipelines/${t.target_pipeline}`}>{t.target_pipeline_name}</Link>
              </div>
              <ParamsLine values={t.parameters} />
              <div className="trigger-card-foot muted small">
                <span>{t.name || 'once per completed run'}</span>
                <button
                  type="button"
                  className="link small danger"
                  onClick={() => {
                    if (window.confirm(`Delete the trigger on ${t.metric}?`)) {
                      delMetric.mutate(t.id, { onSuccess: () => toast.success('Metric trigger deleted.') });
                    }
                  }}
                  data-testid={`delete-metric-trigger-${t.id}`}
                >
                  Delete
                </button>
              </div>
            </li>
          ))}
        </ul>
      ) : metricTriggers.data ? (
        <p className="muted small">No metric of this pipeline starts another.</p>
      ) : null}

      {startedBy.data?.length ? (
        <>
          <h4 className="section-title">Started by other pipelines’ metrics</h4>
          <ul className="trigger-cards">
            {startedBy.data.map((t) => (
              <li key={t.id} className="trigger-card">
                <div className="small">
                  <Link to={`/pipelines/${t.source_pipeline}`}>{t.source_pipeline_name}</Link>: <code>{t.metric}</code> {t.comparison}{' '}
                  {formatNumber(t.threshold)}
                </div>
              </li>
            ))}
          </ul>
        </>
      ) : null}

      {dialog === 'dataset' && saved ? (
        <DatasetTriggerDialog
          pipelineId={pipelineId}
          doc={saved}
          lookup={lookup}
          onClose={() => setDialog(null)}
          onSaved={(t) => {
            setDialog(null);
            toast.success(`Every new version of ${t.dataset_name} now starts a run.`);
          }}
        />
      ) : null}
      {dialog === 'metric' && saved ? (
        <MetricTriggerDialog
          pipelineId={pipelineId}
          doc={saved}
          lookup={lookup}
          onClose={() => setDialog(null)}
          onSaved={(t) => {
            setDialog(null);
            toast.success(`${t.metric} ${t.comparison} ${t.threshold} now starts ${t.target_pipeline_name}.`);
          }}
        />
      ) : null}
    </div>
  );
}
