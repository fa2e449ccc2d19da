// Create or edit a cron schedule: the expression with its meaning in words, the zone it
// is read in, the next five fire times as the server computes them, and what each run gets.
import { useMemo, useState, type ReactElement } from 'react';
import { ApiError } from '../api/client';
import { usePipeline, usePipelines, usePipelineVersions, useSaveSchedule, useSchedulePreview } from '../api/hooks';
import type { CatchUp, Schedule, ScheduleWrite } from '../api/types';
import { Dialog } from '../components/Dialog';
import { ErrorMessage } from '../components/ErrorMessage';
import { formatUntil } from '../components/format';
import { invalidParameters, ParameterFields, parameterValues } from '../components/ParameterFields';
import { useDebounced } from '../components/useDebounced';
import type { JsonValue, PipelineParameter } from '../pipeline-core';
import { browserZone, checkCron, CRON_PRESETS, formatFireTime, timeZones } from './cron';

export interface ScheduleDialogProps {
  /** Edit this schedule; create one when absent. */
  schedule?: Schedule;
  /** Schedule this pipeline (the editor's); otherwise the dialog offers a choice. */
  pipelineId?: number;
  /** A line under the title, e.g. that unsaved edits are not part of the schedule. */
  note?: string;
  onClose: () => void;
  onSaved?: (schedule: Schedule) => void;
}

const CATCHUP: Array<{ value: CatchUp; label: string; help: string }> = [
  { value: 'skip', label: 'Skip missed times', help: 'Fire times missed while the scheduler was down are recorded as missed, not run.' },
  { value: 'once', label: 'Run once for all missed times', help: 'One run, for the newest missed time, stands for all of them.' },
  { value: 'all', label: 'Run every missed time', help: 'One run per missed time, oldest first, for the newest ones up to the limit.' },
];

function problemsFor(error: unknown, field: string): string[] {
  return error instanceof ApiError ? error.problems.filter((p) => p.field === field).map((p) => p.message) : [];
}

export function ScheduleDialog({ schedule, pipelineId, note, onClose, onSaved }: ScheduleDialogProps): ReactElement {
  const zones = useMemo(() => timeZones(), []);
  const fixedPipeline = schedule?.pipeline ?? pipelineId ?? null;
  const pipelines = usePipelines();
  const [chosen, setChosen] = useState<number | null>(fixedPipeline);
  const pipeline = usePipeline(chosen);
  const versions = usePipelineVersions(chosen);
  const parameters: PipelineParameter[] = useMemo(() => pipeline.data?.latest_version?.parameters ?? [], [pipeline.data]);

  const [name, setName] = useState(schedule?.name ?? '');
  const [cron, setCron] = useState(schedule?.cron ?? '0 6 * * *');
  const [zone, setZone] = useState(() => schedule?.timezone ?? browserZone(zones));
  const [values, setValues] = useState<Record<string, JsonValue> | null>(schedule ? { ...schedule.parameters } : null);
  const [catchup, setCatchup] = useState<CatchUp>(schedule?.catchup ?? 'skip');
  const [maxCatchup, setMaxCatchup] = useState(String(schedule?.max_catchup ?? 10));
  const [maxConcurrent, setMaxConcurrent] = useState(String(schedule?.max_concurrent_runs ?? 10));
  const [enabled, setEnabled] = useState(schedule?.enabled ?? true);
  const [pinned, setPinned] = useState<number | null>(schedule?.pipeline_version ?? null);
  const save = useSaveSchedule();

  // Parameters start at the pipeline's defaults (or the schedule's values), and follow a change of pipeline.
  const [valuesFor, setValuesFor] = useState<number | null>(null);
  if (pipeline.data && valuesFor !== pipeline.data.id) {
    setValuesFor(pipeline.data.id);
    setValues(parameterValues(parameters, valuesFor === null && schedule ? schedule.parameters : {}));
  }
  const paramValues = values ?? {};

  const changeCron = (text: string): void => {
    if (save.error) save.reset();
    setCron(text);
  };
  const check = checkCron(cron);
  const debouncedCron = useDebounced(cron.trim(), 350);
  const debouncedCheck = checkCron(debouncedCron);
  const preview = useSchedulePreview(debouncedCheck.ok ? debouncedCron : null, zone);
  const previewCurrent = !!preview.data && !preview.isPlaceholderData && debouncedCron === cron.trim() && preview.data.timezone === zone;
  const cronServerErrors = [...problemsFor(preview.error, 'cron'), ...problemsFor(save.error, 'cron')];
  const zoneServerErrors = [...problemsFor(preview.error, 'timezone'), ...problemsFor(save.error, 'timezone')];

  const badParams = invalidParameters(parameters, paramValues);
  const intIn = (text: string, lo: number, hi: number): boolean => /^\d+$/.test(text.trim()) && +text >= lo && +text <= hi;
  const numbersOk = intIn(maxConcurrent, 1, 100) && (catchup !== 'all' || intIn(maxCatchup, 1, 100));
  const serverRefused = (cronServerErrors.length > 0 || zoneServerErrors.length > 0) && debouncedCron === cron.trim();
  const canSave = chosen !== null && !!pipeline.data && check.ok && !serverRefused && !badParams.length && numbersOk && !save.isPending;

  const submit = (): void => {
    if (!canSave || chosen === null) return;
    const body: ScheduleWrite = {
      pipeline: chosen,
      name: name.trim(),
      cron: cron.trim(),
      timezone: zone,
      pipeline_version: pinned,
      parameters: paramValues,
      enabled,
      catchup,
      max_concurrent_runs: Number(maxConcurrent),
      ...(catchup === 'all' ? { max_catchup: Number(maxCatchup) } : {}),
    };
    save.mutate({ id: schedule?.id ?? null, body }, { onSuccess: (s) => onSaved?.(s) });
  };

  return (
    <Dialog
      title={schedule ? `Edit schedule${schedule.name ? ` “${schedule.name}”` : ''}` : 'Schedule runs'}
      onClose={onClose}
      testId="schedule-dialog"
      wide
      footer={
        <>
          <button type="button" className="btn btn-secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="btn btn-primary" onClick={submit} disabled={!canSave} data-testid="schedule-save">
            {save.isPending ? 'Saving…' : schedule ? 'Save schedule' : 'Create schedule'}
          </button>
        </>
      }
    >
      {note ? <p className="muted small">{note}</p> : null}
      <form
        className="schedule-form"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <div className="form-grid">
          {fixedPipeline === null ? (
            <label className="field">
              <span className="field-name">Pipeline</span>
              <select
                value={chosen ?? ''}
                onChange={(e) => {
                  setChosen(e.target.value ? Number(e.target.value) : null);
                  setPinned(null);
                }}
                data-testid="schedule-pipeline"
              >
                <option value="">Choose a pipeline…</option>
                {pipelines.data?.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </select>
            </label>
          ) : (
            <div className="field">
              <span className="field-name">Pipeline</span>
              <span className="static-value" data-testid="schedule-pipeline-name">
                {pipeline.data?.name ?? schedule?.pipeline_name ?? '…'}
              </span>
            </div>
          )}
          <label className="field">
            <span className="field-name">Name (optional)</span>
            <input type="text" value={name} onChange={(e) => setName(e.target.value)} placeholder="Nightly retrain" maxLength={200} data-testid="schedule-name" />
          </label>
        </div>

        <div className="form-grid cron-grid">
          <div className="field">
            <label className="field-name" htmlFor="schedule-cron">
              Cron expression
            </label>
            <input
              id="schedule-cron"
              type="text"
              className={`mono${!check.ok || cronServerErrors.length ? ' invalid' : ''}`}
              value={cron}
              onChange={(e) => changeCron(e.target.value)}
              spellCheck={false}
              autoComplete="off"
              placeholder="minute hour day-of-month month day-of-week"
              aria-describedby="schedule-cron-help"
              data-testid="schedule-cron"
            />
            <span className="cron-fields muted" aria-hidden>
              minute · hour · day of month · month · day of week
            </span>
            {check.ok ? (
              <span className={`cron-human${serverRefused ? ' refused' : ''}`} id="schedule-cron-help" data-testid="schedule-cron-description">
                {check.description}
              </span>
            ) : (
              <span className="field-error" id="schedule-cron-help" role="alert" data-testid="schedule-cron-error">
                {check.reason}
              </span>
            )}
            {check.ok && debouncedCron === cron.trim()
              ? cronServerErrors.map((m, i) => (
                  <span key={i} className="field-error" role="alert" data-testid="schedule-cron-error">
                    {m}
                  </span>
                ))
              : null}
            <div className="chips cron-presets">
              {CRON_PRESETS.map((p) => (
                <button type="button" key={p.cron} className={`chip${cron.trim() === p.cron ? ' active' : ''}`} onClick={() => changeCron(p.cron)}>
                  {p.label}
                </button>
              ))}
            </div>
          </div>
          <div className="field">
            <label className="field-name" htmlFor="schedule-timezone">
              Time zone
            </label>
            <select id="schedule-timezone" value={zone} onChange={(e) => {
                if (save.error) save.reset();
                setZone(e.target.value);
              }} data-testid="schedule-timezone">
              {zones.includes(zone) ? null : <option value={zone}>{zone}</option>}
              {zones.map((z) => (
                <option key={z} value={z}>
                  {z.replace(/_/g, ' ')}
                </option>
              ))}
            </select>
            <span className="field-help">Times are read on this zone’s wall clock, daylight saving included.</span>
            {zoneServerErrors.map((m, i) => (
              <span key={i} className="field-error" role="alert">
                {m}
              </span>
            ))}
          </div>
        </div>

        <div className="next-times" aria-live="polite">
          <div className="next-times-head">
            <span className="field-name">Next five runs</span>
            <span className="muted small">in {zone}</span>
            {preview.isFetching ? <span className="muted small">updating…</span> : null}
          </div>
          {!check.ok ? (
            <p className="muted small">Fix the expression to see when it fires.</p>
          ) : preview.data && !cronServerErrors.length ? (
            <ol className={`fire-times${previewCurrent ? '' : ' stale'}`} data-testid="schedule-next-times">
              {preview.data.next_fire_times.map((t) => (
                <li key={t} data-testid="schedule-next-time" title={new Date(t).toLocaleString()}>
                  <span className="fire-when">{formatFireTime(t, preview.data.timezone)}</span>
                  <span className="muted small">{formatUntil(t)}</span>
                </li>
              ))}
            </ol>
          ) : serverRefused ? (
            <p className="muted small">No fire times: the server refused the expression (see above).</p>
          ) : preview.error ? (
            <ErrorMessage error={preview.error} />
          ) : preview.isPending && !cronServerErrors.length ? (
            <p className="muted small">Computing…</p>
          ) : null}
        </div>

        <h4 className="section-title">Each run</h4>
        <div className="form-grid">
          <label className="field">
            <span className="field-name">Pipeline version</span>
            <select
              value={pinned ?? ''}
              onChange={(e) => setPinned(e.target.value ? Number(e.target.value) : null)}
              disabled={chosen === null}
              data-testid="schedule-version"
            >
              <option value="">The newest version at each run</option>
              {versions.data?.map((v) => (
                <option key={v.id} value={v.number}>
                  Pinned: v{v.number}
                  {v.message ? ` · ${v.message.slice(0, 40)}` : ''}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span className="field-name">Max concurrent runs</span>
            <input
              type="number"
              min={1}
              max={100}
              value={maxConcurrent}
              onChange={(e) => setMaxConcurrent(e.target.value)}
              aria-invalid={!intIn(maxConcurrent, 1, 100) || undefined}
              data-testid="schedule-max-concurrent"
            />
            <span className="field-help">A fire time is skipped while this many of its runs are still going.</span>
          </label>
        </div>
        <div className="form-grid">
          <label className="field">
            <span className="field-name">After downtime (catch-up)</span>
            <select value={catchup} onChange={(e) => setCatchup(e.target.value as CatchUp)} data-testid="schedule-catchup">
              {CATCHUP.map((c) => (
                <option key={c.value} value={c.value}>
                  {c.label}
                </option>
              ))}
            </select>
            <span className="field-help">{CATCHUP.find((c) => c.value === catchup)?.help}</span>
          </label>
          {catchup === 'all' ? (
            <label className="field">
              <span className="field-name">At most this many catch-up runs</span>
              <input
                type="number"
                min={1}
                max={100}
                value={maxCatchup}
                onChange={(e) => setMaxCatchup(e.target.value)}
                aria-invalid={!intIn(maxCatchup, 1, 100) || undefined}
                data-testid="schedule-max-catchup"
              />
            </label>
          ) : (
            <div />
          )}
        </div>
        <label className="checkbox">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} data-testid="schedule-enabled" />
          <span>{enabled ? 'Enabled' : 'Paused'}: {enabled ? 'runs start at the times above' : 'nothing starts until it is resumed'}</span>
        </label>

        <h4 className="section-title">Parameters</h4>
        {chosen === null ? (
          <p className="muted small">Choose a pipeline first.</p>
        ) : (
          <ParameterFields parameters={parameters} values={paramValues} onChange={setValues} testIdPrefix="schedule-param" />
        )}
      </form>
      <ErrorMessage error={save.error && !cronServerErrors.length && !zoneServerErrors.length ? save.error : null} title="Not saved" />
    </Dialog>
  );
}
