import { Fragment, useEffect, useState, type ReactElement } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { useDeleteSchedule, useSaveSchedule, useScheduleFirings, useSchedules } from '../api/hooks';
import type { Schedule } from '../api/types';
import { ErrorMessage } from '../components/ErrorMessage';
import { formatInZone, formatRelative, formatUntil } from '../components/format';
import { StatusBadge } from '../components/StatusBadge';
import { Switch } from '../components/Switch';
import { toast } from '../components/toast';
import { checkCron, formatFireTime } from '../schedules/cron';
import { ScheduleDialog } from '../schedules/ScheduleDialog';

/** On/off switch for a schedule: pausing clears its next fire time, resuming computes it from now. */
export function ScheduleToggle({ schedule }: { schedule: Schedule }): ReactElement {
  const save = useSaveSchedule();
  return (
    <Switch
      on={schedule.enabled}
      offText="Paused"
      disabled={save.isPending}
      title={schedule.enabled ? 'Pause: no runs start until resumed' : 'Resume: runs start again from the next fire time'}
      label={`${schedule.enabled ? 'Pause' : 'Resume'} schedule ${schedule.name || schedule.id}`}
      testId={`schedule-toggle-${schedule.id}`}
      onChange={(enabled) =>
        save.mutate(
          { id: schedule.id, body: { enabled } },
          {
            onSuccess: (s) => toast.success(s.enabled ? `Resumed: next run ${formatUntil(s.next_fire_at)}.` : 'Paused: no runs start until it is resumed.'),
            onError: (e) => toast.error(e.message),
          },
        )
      }
    />
  );
}

/** Cron text with its meaning underneath. */
export function CronText({ cron }: { cron: string }): ReactElement {
  const check = checkCron(cron);
  return (
    <div className="cron-cell">
      <code>{cron}</code>
      <div className="muted small">{check.ok ? check.description : ''}</div>
    </div>
  );
}

function Firings({ schedule }: { schedule: Schedule }): ReactElement {
  const firings = useScheduleFirings(schedule.id);
  if (firings.error) return <ErrorMessage error={firings.error} />;
  if (!firings.data) return <p className="muted small">Loading firings…</p>;
  if (!firings.data.length) return <p className="muted small">It has not fired yet.</p>;
  return (
    <table className="table compact firings" data-testid={`schedule-firings-${schedule.id}`}>
      <thead>
        <tr>
          <th>Fire time ({schedule.timezone})</th>
          <th>Outcome</th>
          <th>Run</th>
          <th>Detail</th>
        </tr>
      </thead>
      <tbody>
        {firings.data.map((f) => (
          <tr key={f.id}>
            <td title={f.fire_time}>{formatInZone(f.fire_time, schedule.timezone)}</td>
            <td>
              <span className={`firing-status firing-${f.status}`}>{f.status}</span>
            </td>
            <td>
              {f.run ? (
                <>
                  <Link to={`/runs/${f.run}`}>#{f.run}</Link> {f.run_status ? <StatusBadge status={f.run_status} /> : null}
                </>
              ) : (
                '—'
              )}
            </td>
            <td className="wrap">{f.detail || '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function SchedulesPage(): ReactElement {
  const schedules = useSchedules();
  const del = useDeleteSchedule();
  const [params, setParams] = useSearchParams();
  const open = params.get('schedule') ? Number(params.get('schedule')) : null;
  const [editing, setEditing] = useState<Schedule | 'new' | null>(null);

  useEffect(() => {
    document.title = 'Schedules · Pipeline Studio';
  }, []);

  const toggleFirings = (id: number): void => {
    const next = new URLSearchParams(params);
    if (open === id) next.delete('schedule');
    else next.set('schedule', String(id));
    setParams(next, { replace: true });
  };

  return (
    <div className="page">
      <header className="page-head">
        <div>
          <h1>Schedules</h1>
          <p className="muted">Pipelines that run on a cron expression, in a time zone of your choice.</p>
        </div>
        <button type="button" className="btn btn-primary" onClick={() => setEditing('new')} data-testid="new-schedule">
          + New schedule
        </button>
      </header>
      <ErrorMessage error={schedules.error ?? del.error} />
      {schedules.isPending ? <p className="muted">Loading schedules…</p> : null}
      {schedules.data?.length === 0 ? (
        <div className="empty">
          <p>No schedules yet.</p>
          <p className="muted small">Create one here, or with “Schedule” in a pipeline’s editor.</p>
        </div>
      ) : null}
      {schedules.data?.length ? (
        <table className="table" data-testid="schedule-list">
          <thead>
            <tr>
              <th>Schedule</th>
              <th>When</th>
              <th>Zone</th>
              <th>Next run</th>
              <th>Last run</th>
              <th>Enabled</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {schedules.data.map((s) => {
              const next = s.next_fire_times[0] ?? s.next_fire_at;
              return (
                <Fragment key={s.id}>
                  <tr data-testid={`schedule-row-${s.id}`} className={open === s.id ? 'expanded' : undefined}>
                    <td className="name-cell">
                      <Link to={`/pipelines/${s.pipeline}`} className="strong">
                        {s.pipeline_name}
                      </Link>
                      <div className="muted small">
                        {s.name || `Schedule #${s.id}`}
                        {s.pipeline_version ? ` · pinned v${s.pipeline_version}` : ''}
                      </div>
                    </td>
                    <td>
                      <CronText cron={s.cron} />
                    </td>
                    <td className="small">{s.timezone}</td>
                    <td className="nowrap" data-testid={`schedule-next-${s.id}`}>
                      {s.enabled && next ? (
                        <>
                          <div className="small">{formatFireTime(next, s.timezone)}</div>
                          <div className="muted small">{formatUntil(next)}</div>
                        </>
                      ) : (
                        <span className="muted small">paused</span>
                      )}
                    </td>
                    <td className="small" title={s.last_fire_at ?? undefined}>
                      {s.last_fire_at ? formatRelative(s.last_fire_at) : <span className="muted">never</span>}
                    </td>
                    <td>
                      <ScheduleToggle schedule={s} />
                    </td>
                    <td className="actions">
                      <button type="button" className="btn btn-ghost small" onClick={() => toggleFirings(s.id)} aria-expanded={open === s.id}>
                        Firings
                      </button>
                      <button type="button" className="btn btn-ghost small" onClick={() => setEditing(s)} data-testid={`schedule-edit-${s.id}`}>
                        Edit
                      </button>
                      <button
                        type="button"
                        className="btn btn-ghost small danger"
                        data-testid={`schedule-delete-${s.id}`}
                        onClick={() => {
                          if (window.confirm(`Delete the schedule “${s.name || s.cron}” of ${s.pipeline_name}? Its firing history goes too.`)) {
                            if (open === s.id) toggleFirings(s.id);
                            del.mutate(s.id, { onSuccess: () => toast.success('Schedule deleted.') });
                          }
                        }}
                      >
                        Delete
                      </button>
                    </td>
                  </tr>
                  {open === s.id ? (
                    <tr className="detail-row">
                      <td colSpan={7}>
                        <Firings schedule={s} />
                      </td>
                    </tr>
                  ) : null}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      ) : null}
      {editing ? (
        <ScheduleDialog
          schedule={editing === 'new' ? undefined : editing}
          onClose={() => setEditing(null)}
          onSaved={(s) => {
            setEditing(null);
            toast.success(editing === 'new' ? `Schedule created: first run ${formatUntil(s.next_fire_at)}.` : 'Schedule saved.');
          }}
        />
      ) : null}
    </div>
  );
}
