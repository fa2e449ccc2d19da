// Cron in the editor: a human description (cronstrue), a quick local check so the
// server is only asked about expressions that could be right, and the time zones
// the browser knows. The server (croniter) stays the judge: its answer is shown as it comes.
import cronstrue from 'cronstrue';
import { formatInZone, isoOffset } from '../components/format';

export const CRON_MACROS: Record<string, string> = {
  '@yearly': 'once a year, at 00:00 on 1 January',
  '@annually': 'once a year, at 00:00 on 1 January',
  '@monthly': 'once a month, at 00:00 on day 1',
  '@weekly': 'once a week, at 00:00 on Sunday',
  '@daily': 'once a day, at 00:00',
  '@midnight': 'once a day, at 00:00',
  '@hourly': 'once an hour, at minute 0',
};

export const CRON_FIELDS = ['minute', 'hour', 'day-of-month', 'month', 'day-of-week'] as const;

export const CRON_PRESETS: Array<{ label: string; cron: string }> = [
  { label: 'Every minute', cron: '* * * * *' },
  { label: 'Every 15 min', cron: '*/15 * * * *' },
  { label: 'Hourly', cron: '0 * * * *' },
  { label: 'Daily 06:00', cron: '0 6 * * *' },
  { label: 'Weekdays 09:00', cron: '0 9 * * 1-5' },
  { label: 'Mondays 07:30', cron: '30 7 * * 1' },
  { label: 'Monthly, 1st', cron: '0 0 1 * *' },
];

export type CronCheck = { ok: true; description: string } | { ok: false; reason: string };

/** Reads an expression the way a person would like it explained, or says what is wrong with it. */
export function checkCron(expression: string): CronCheck {
  const text = expression.trim().replace(/\s+/g, ' ');
  if (!text) return { ok: false, reason: 'cron: enter five fields: minute hour day-of-month month day-of-week (or @daily, @hourly, …).' };
  if (text.startsWith('@')) {
    const macro = CRON_MACROS[text.toLowerCase()];
    if (!macro) return { ok: false, reason: `cron: unknown macro ${text}; use @hourly, @daily, @weekly, @monthly or @yearly.` };
    return { ok: true, description: macro.charAt(0).toUpperCase() + macro.slice(1) };
  }
  const fields = text.split(' ');
  if (fields.length !== 5) {
    const extra = fields.length > 5 ? ' Seconds and years are not supported.' : '';
    return {
      ok: false,
      reason: `cron: five fields are needed (${CRON_FIELDS.join(' ')}); this has ${fields.length}.${extra}`,
    };
  }
  try {
    return { ok: true, description: cronstrue.toString(text, { use24HourTimeFormat: true, throwExceptionOnParseError: true, verbose: false }) };
  } catch (e) {
    const raw = e instanceof Error ? e.message : String(e);
    return { ok: false, reason: `cron: ${raw.replace(/^Error:\s*/, '')}` };
  }
}

/** Every IANA zone the browser knows, UTC first. */
export function timeZones(): string[] {
  let zones: string[] = [];
  try {
    zones = (Intl as unknown as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf?.('timeZone') ?? [];
  } catch {
    zones = [];
  }
  const rest = zones.filter((z) => z !== 'UTC').sort();
  return rest.length ? ['UTC', ...rest] : ['UTC', 'Europe/London', 'Europe/Berlin', 'America/New_York', 'America/Los_Angeles', 'Asia/Tokyo'];
}

/** The browser's own zone when it is a listed IANA name, else UTC. */
export function browserZone(zones: readonly string[] = timeZones()): string {
  try {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone === 'Etc/UTC' || zone === 'Etc/GMT') return 'UTC';
    return zone && zones.includes(zone) ? zone : 'UTC';
  } catch {
    return 'UTC';
  }
}

/** A fire time as the zone's wall clock with its offset: "Mon, Mar 3, 2025, 09:00 · UTC+01:00". */
export function formatFireTime(iso: string, zone: string): string {
  const offset = isoOffset(iso);
  return `${formatInZone(iso, zone)}${offset ? ` · ${offset}` : ''}`;
}
