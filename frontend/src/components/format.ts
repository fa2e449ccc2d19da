// Small formatting helpers for times, durations and sizes.
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  if (m < 60) return `${m} min ${s} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

export function formatRelative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return iso;
  const diff = Math.round((now - t) / 1000);
  if (diff < 45) return 'just now';
  if (diff < 3600) return `${Math.round(diff / 60)} min ago`;
  if (diff < 86400) return `${Math.round(diff / 3600)} h ago`;
  return new Date(iso).toLocaleDateString();
}

export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i && v < 10 ? 1 : 0)} ${units[i]}`;
}

export function formatNumber(v: unknown): string {
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return v.toLocaleString();
    return Math.abs(v) >= 1000 ? v.toFixed(1) : v.toPrecision(4).replace(/\.?0+$/, '');
  }
  if (v === null || v === undefined) return '—';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** The offset part of an ISO time ("+01:00", "Z" → "UTC"), or "" when it has none. */
export function isoOffset(iso: string): string {
  const m = /([+-]\d{2}:\d{2}|Z)$/.exec(iso);
  if (!m) return '';
  return m[1] === 'Z' ? 'UTC' : `UTC${m[1]}`;
}

/**
 * A time as the wall clock of `zone` shows it ("Mon, 3 Mar 2025, 09:00"), falling back to the
 * browser's zone when `zone` is unknown to it.
 */
export function formatInZone(iso: string | null | undefined, zone: string | null | undefined, withWeekday = true): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const options: Intl.DateTimeFormatOptions = {
    ...(withWeekday ? { weekday: 'short' } : {}),
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  };
  try {
    return d.toLocaleString(undefined, { ...options, timeZone: zone || undefined });
  } catch {
    return d.toLocaleString(undefined, options);
  }
}

/** "in 5 min", "in 3 h", "in 2 days" (or the past, via formatRelative). */
export function formatUntil(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return iso;
  const diff = Math.round((t - now) / 1000);
  if (diff < 0) return formatRelative(iso, now);
  if (diff < 60) return 'in less than a minute';
  if (diff < 3600) return `in ${Math.round(diff / 60)} min`;
  if (diff < 172800) return `in ${Math.round(diff / 3600)} h`;
  return `in ${Math.round(diff / 86400)} days`;
}

/** The first 12 hex digits of a sha256, as in git. */
export function shortSha(sha: string | null | undefined): string {
  return sha ? sha.slice(0, 12) : '—';
}
