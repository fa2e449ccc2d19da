import type { Trigger } from '../api/types';
import { formatTime } from '../components/format';

/** Why a run started, in words. */
export function describeTrigger(t: Trigger | null | undefined): string {
  if (!t) return '—';
  switch (t.kind) {
    case 'manual':
      return `Started by ${t.user ?? 'someone'}`;
    case 'schedule':
      return `Schedule ${t.schedule ?? ''}${t.fire_time ? ` at ${formatTime(t.fire_time)}` : ''}`;
    case 'dataset':
      return `New dataset version ${t.dataset_version ?? ''}`;
    case 'retry':
      return `Retry of run #${t.source_run ?? '?'}`;
    case 'metric':
      return 'Metric trigger';
    default:
      return t.kind;
  }
}

