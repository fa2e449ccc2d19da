import type { ReactElement } from 'react';

/** An on/off switch (role="switch"), for enabling and pausing schedules and triggers. */
export function Switch({
  on,
  onChange,
  disabled,
  label,
  testId,
  onText = 'On',
  offText = 'Off',
  title,
}: {
  on: boolean;
  onChange: (on: boolean) => void;
  disabled?: boolean;
  label: string;
  testId?: string;
  onText?: string;
  offText?: string;
  title?: string;
}): ReactElement {
  return (
    <button
      type="button"
      role="switch"
      aria-checked={on}
      aria-label={label}
      title={title}
      className={`switch${on ? ' on' : ''}`}
      disabled={disabled}
      data-testid={testId}
      onClick={() => onChange(!on)}
    >
      <span className="switch-knob" />
      <span className="switch-text">{on ? onText : offText}</span>
    </button>
  );
}
