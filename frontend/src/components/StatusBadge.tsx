import type { ReactElement } from 'react';

export function StatusBadge({ status, testId }: { status: string; testId?: string }): ReactElement {
  return (
    <span className={`status-pill status-${status}`} data-testid={testId} data-status={status}>
      {status}
    </span>
  );
}
