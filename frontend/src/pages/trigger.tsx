import type { ReactElement } from 'react';
import { Link } from 'react-router-dom';
import type { Trigger } from '../api/types';
import { formatInZone, formatNumber } from '../components/format';

/** Why a run started, in words (for titles and plain-text places). */
export function describeTrigger(t: Trigger | null | undefined): string {
  if (!t) return '—';
  switch (t.kind) {
    case 'manual':
      return `Started by ${t.user ?? 'someone'}`;
    case 'schedule':
      return `Schedule ${t.schedule_name || `#${t.schedule ?? '?'}`}${t.fire_time ? ` at ${formatInZone(t.fire_time, t.timezone)}` : ''}${t.catch_up ? ' (catch-up)' : ''}`;
    case 'dataset':
      return `New version ${t.version ?? '?'} of dataset ${t.dataset_name ?? `#${t.dataset ?? '?'}`}`;
    case 'retry':
      return `Retry of run #${t.source_run ?? '?'}${t.user ? ` by ${t.user}` : ''}`;
    case 'metric':
      return `Metric ${t.metric ?? '?'} = ${formatNumber(t.value)} ${t.comparison ?? ''} ${formatNumber(t.threshold)} in run #${t.source_run ?? '?'}`;
    default:
      return t.kind;
  }
}

const KIND_LABEL: Record<string, string> = { manual: 'manual', schedule: 'schedule', dataset: 'dataset', metric: 'metric', retry: 'retry' };

/**
 * The trigger of a run with links to what started it: schedule, dataset version, source run.
 * Every kind but manual leads with its kind as a tag, so the text after it does not repeat it.
 */
export function TriggerLabel({ trigger, testId, compact }: { trigger: Trigger | null | undefined; testId?: string; compact?: boolean }): ReactElement {
  const t = trigger;
  let body: ReactElement | string;
  if (!t) body = '—';
  else if (t.kind === 'manual') body = `Started by ${t.user ?? 'someone'}`;
  else if (t.kind === 'schedule') {
    body = (
      <>
        <Link to={`/schedules${t.schedule ? `?schedule=${t.schedule}` : ''}`}>{t.schedule_name || `schedule #${t.schedule ?? '?'}`}</Link>
        {t.fire_time ? (
          <>
            {' '}
            · fire time <span title={t.fire_time}>{formatInZone(t.fire_time, t.timezone, false)}</span>
            {t.timezone && !compact ? <span className="muted"> ({t.timezone})</span> : null}
          </>
        ) : null}
        {t.catch_up ? <span className="muted"> · catch-up</span> : null}
      </>
    );
  } else if (t.kind === 'dataset') {
    const name = t.dataset_name ?? `#${t.dataset ?? '?'}`;
    body = (
      <>
        New version{' '}
        {t.dataset ? <Link to={`/datasets/${t.dataset}?version=${t.version ?? ''}`}>{`${name} v${t.version ?? '?'}`}</Link> : `${name} v${t.version ?? '?'}`}
      </>
    );
  } else if (t.kind === 'retry') {
    body = (
      <>
        of {t.source_run ? <Link to={`/runs/${t.source_run}`}>run #{t.source_run}</Link> : 'a run'}
        {t.user ? ` by ${t.user}` : ''}
      </>
    );
  } else if (t.kind === 'metric') {
    body = (
      <>
        <code>{t.metric ?? '?'}</code> = {formatNumber(t.value)} {t.comparison ?? ''} {formatNumber(t.threshold)}
        {t.source_run ? (
          <>
            {' '}
            in <Link to={`/runs/${t.source_run}`}>run #{t.source_run}</Link>
          </>
        ) : null}
      </>
    );
  } else body = String(t.kind);
  return (
    <span className="trigger-label" data-testid={testId} data-kind={t?.kind}>
      {t && t.kind !== 'manual' ? <span className={`trigger-kind kind-${t.kind}`}>{KIND_LABEL[t.kind] ?? t.kind}</span> : null}
      <span className="trigger-text">{body}</span>
    </span>
  );
}
