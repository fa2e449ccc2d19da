import { describe, expect, it } from 'vitest';
import { browserZone, checkCron, formatFireTime, timeZones } from './cron';

describe('checkCron', () => {
  it('describes five-field expressions and macros in words', () => {
    expect(checkCron('*/5 * * * *')).toEqual({ ok: true, description: 'Every 5 minutes' });
    expect(checkCron(' 0  9 * * 1-5 ')).toEqual({ ok: true, description: 'At 09:00, Monday through Friday' });
    expect(checkCron('@daily')).toEqual({ ok: true, description: 'Once a day, at 00:00' });
  });

  it('says which field is wrong, without asking the server', () => {
    expect(checkCron('0 25 * * *')).toEqual({ ok: false, reason: 'cron: hours part must be >= 0 and <= 23' });
    expect(checkCron('* * *')).toMatchObject({ ok: false, reason: expect.stringContaining('this has 3') });
    expect(checkCron('0 0 9 * * 1-5')).toMatchObject({ ok: false, reason: expect.stringContaining('Seconds and years are not supported') });
    expect(checkCron('@often')).toMatchObject({ ok: false, reason: expect.stringContaining('unknown macro') });
    expect(checkCron('')).toMatchObject({ ok: false });
  });
});

describe('time zones', () => {
  it('lists UTC first and IANA names after it', () => {
    const zones = timeZones();
    expect(zones[0]).toBe('UTC');
    expect(zones).toContain('Europe/Berlin');
    expect(zones.filter((z) => z === 'UTC')).toHaveLength(1);
    expect(zones).toContain(browserZone(zones));
  });

  it('formats a fire time as the wall clock of its zone, with the offset', () => {
    const text = formatFireTime('2025-03-30T03:00:00+02:00', 'Europe/Berlin');
    expect(text).toContain('03:00');
    expect(text).toContain('UTC+02:00');
    expect(formatFireTime('2025-03-30T01:00:00Z', 'UTC')).toContain('01:00 · UTC');
  });
});
