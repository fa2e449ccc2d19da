import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client';
import { ConfusionMatrix } from '../charts/ConfusionMatrix';
import { RocChart } from '../charts/RocChart';
import type { JsonValue } from '../pipeline-core';
import { Dialog } from './Dialog';
import { ErrorBoundary } from './ErrorBoundary';
import { ErrorMessage } from './ErrorMessage';
import { formatBytes, formatDuration, formatNumber } from './format';
import { ValueControl } from './ValueControl';

afterEach(cleanup);

function Controlled({ type, initial }: { type: string; initial: JsonValue }) {
  const [value, setValue] = useState<JsonValue>(initial);
  return (
    <>
      <ValueControl type={type} value={value} onChange={setValue} testId="control" />
      <output data-testid="value">{JSON.stringify(value)}</output>
    </>
  );
}

describe('ErrorMessage', () => {
  it('shows the message and every problem with where it is', () => {
    const error = new ApiError(400, 'Pipeline has 2 problems.', [
      { code: 'unbound_input', message: 'required input "data" is not connected', node: 'split', port: 'data' },
      { code: 'parameter_type', message: 'bad default', field: 'parameters[0].default' },
    ]);
    render(<ErrorMessage error={error} title="Not saved" />);
    const box = screen.getByRole('alert');
    expect(box.textContent).toContain('Not saved: Pipeline has 2 problems.');
    expect(box.textContent).toContain('split.data required input "data" is not connected');
    expect(box.textContent).toContain('parameters[0].default bad default');
  });

  it('renders nothing without an error', () => {
    const { container } = render(<ErrorMessage error={null} />);
    expect(container.innerHTML).toBe('');
  });
});

describe('ValueControl', () => {
  it('uses a number input for Integer and emits numbers', () => {
    render(<Controlled type="Integer" initial={100} />);
    const input = screen.getByTestId('control') as HTMLInputElement;
    expect(input.type).toBe('number');
    fireEvent.change(input, { target: { value: '250' } });
    expect(screen.getByTestId('value').textContent).toBe('250');
  });

  it('uses a checkbox for Boolean', () => {
    render(<Controlled type="Boolean" initial={false} />);
    const box = screen.getByTestId('control') as HTMLInputElement;
    expect(box.type).toBe('checkbox');
    fireEvent.click(box);
    expect(screen.getByTestId('value').textContent).toBe('true');
  });

  it('uses a textarea for JSON and keeps unparsable text as text', () => {
    render(<Controlled type="JSON" initial={{ a: 1 }} />);
    const area = screen.getByTestId('control') as HTMLTextAreaElement;
    expect(area.tagName).toBe('TEXTAREA');
    fireEvent.change(area, { target: { value: '{"n_estimators": [10, 50]}' } });
    expect(screen.getByTestId('value').textContent).toBe('{"n_estimators":[10,50]}');
    fireEvent.change(area, { target: { value: '{"n' } });
    expect(screen.getByTestId('value').textContent).toBe('"{\\"n"');
  });

  it('uses a text input for strings', () => {
    render(<Controlled type="String" initial="iris" />);
    const input = screen.getByTestId('control') as HTMLInputElement;
    expect(input.type).toBe('text');
    expect(input.value).toBe('iris');
  });
});

describe('charts', () => {
  it('draws a confusion matrix with a cell per pair, counts written in', () => {
    render(<ConfusionMatrix labels={['a', 'b']} matrix={[[5, 1], [0, 4]]} />);
    expect(screen.getByTestId('confusion-matrix')).toBeTruthy();
    expect(screen.getByTestId('cm-cell-0-1').querySelector('title')!.textContent).toBe('true a, predicted b: 1 (16.7% of row)');
    expect(screen.getByTestId('confusion-matrix').textContent).toContain('5');
  });

  it('draws one ROC polyline per curve with its AUC in the legend', () => {
    const { container } = render(
      <RocChart
        curves={[
          { label: 'setosa', fpr: [0, 0, 1], tpr: [0, 1, 1], auc: 1 },
          { label: 'virginica', fpr: [0, 0.5, 1], tpr: [0, 0.7, 1], auc: 0.8512 },
        ]}
      />,
    );
    expect(container.querySelectorAll('polyline')).toHaveLength(2);
    expect(screen.getByTestId('roc-chart').textContent).toContain('virginica AUC 0.851');
  });
});

describe('format', () => {
  it('formats durations, sizes and numbers for people', () => {
    expect(formatDuration(0.25)).toBe('250 ms');
    expect(formatDuration(75)).toBe('1 min 15 s');
    expect(formatDuration(null)).toBe('—');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatNumber(0.899749)).toBe('0.8997');
    expect(formatNumber(30)).toBe('30');
  });
});

function DialogHarness({ onClose }: { onClose?: () => void }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        Open
      </button>
      {open ? (
        <Dialog
          title="Name it"
          onClose={() => {
            onClose?.();
            setOpen(false);
          }}
          footer={<button type="button">Save</button>}
        >
          <input aria-label="Name" />
        </Dialog>
      ) : null}
    </>
  );
}

describe('Dialog', () => {
  it('keeps Tab inside, closes on Escape and gives focus back to its opener', () => {
    render(<DialogHarness />);
    const opener = screen.getByRole('button', { name: 'Open' });
    opener.focus();
    fireEvent.click(opener);
    const name = screen.getByLabelText('Name');
    const close = screen.getByRole('button', { name: 'Close' });
    const save = screen.getByRole('button', { name: 'Save' });
    expect(document.activeElement).toBe(name);
    // Tab from the last control wraps to the first (the close button), Shift+Tab from the first to the last.
    save.focus();
    fireEvent.keyDown(save, { key: 'Tab' });
    expect(document.activeElement).toBe(close);
    fireEvent.keyDown(close, { key: 'Tab', shiftKey: true });
    expect(document.activeElement).toBe(save);
    // Focus that escaped the dialog (a click outside, say) is pulled back in by the next Tab.
    opener.focus();
    fireEvent.keyDown(opener, { key: 'Tab' });
    expect(screen.getByRole('dialog').contains(document.activeElement)).toBe(true);

    fireEvent.keyDown(document.activeElement!, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(opener);
  });

  it('does not move focus back to the first field when its parent re-renders', () => {
    const { rerender } = render(<DialogHarness onClose={() => undefined} />);
    fireEvent.click(screen.getByRole('button', { name: 'Open' }));
    const save = screen.getByRole('button', { name: 'Save' });
    save.focus();
    rerender(<DialogHarness onClose={() => undefined} />);
    expect(document.activeElement).toBe(save);
  });
});

function NestedDialogs({ onPageKey }: { onPageKey?: (key: string) => void }) {
  const [outer, setOuter] = useState(false);
  const [inner, setInner] = useState(false);
  return (
    // A page handler behind the dialogs, standing in for the editor's shortcuts.
    <div onKeyDown={(e) => onPageKey?.(e.key)}>
      <button type="button" onClick={() => setOuter(true)}>
        Open outer
      </button>
      {outer ? (
        <Dialog title="Outer" testId="outer" onClose={() => setOuter(false)}>
          <input aria-label="Outer field" />
          <button type="button" onClick={() => setInner(true)}>
            Open inner
          </button>
          {inner ? (
            <Dialog
              title="Inner"
              testId="inner"
              onClose={() => setInner(false)}
              footer={<button type="button">Inner save</button>}
            >
              <input aria-label="Inner field" />
            </Dialog>
          ) : null}
        </Dialog>
      ) : null}
    </div>
  );
}

describe('nested Dialogs', () => {
  it('Escape closes only the top dialog, then the one under it, giving focus back each time', () => {
    const onPageKey = vi.fn();
    const onDocumentKey = vi.fn();
    document.addEventListener('keydown', onDocumentKey);
    try {
      render(<NestedDialogs onPageKey={onPageKey} />);
      const openOuter = screen.getByRole('button', { name: 'Open outer' });
      openOuter.focus();
      fireEvent.click(openOuter);
      const openInner = screen.getByRole('button', { name: 'Open inner' });
      openInner.focus();
      fireEvent.click(openInner);
      expect(document.activeElement).toBe(screen.getByLabelText('Inner field'));

      fireEvent.keyDown(document.activeElement!, { key: 'Escape' });
      expect(screen.queryByTestId('inner')).toBeNull();
      expect(screen.getByTestId('outer')).toBeTruthy();
      expect(document.activeElement).toBe(openInner);

      fireEvent.keyDown(document.activeElement!, { key: 'Escape' });
      expect(screen.queryByTestId('outer')).toBeNull();
      expect(document.activeElement).toBe(openOuter);
      // Neither Escape reached the page behind the dialogs.
      expect(onPageKey).not.toHaveBeenCalled();
      expect(onDocumentKey).not.toHaveBeenCalled();
    } finally {
      document.removeEventListener('keydown', onDocumentKey);
    }
  });

  it('keeps Tab inside the top dialog', () => {
    render(<NestedDialogs />);
    fireEvent.click(screen.getByRole('button', { name: 'Open outer' }));
    fireEvent.click(screen.getByRole('button', { name: 'Open inner' }));
    const inner = screen.getByTestId('inner');
    const closes = screen.getAllByRole('button', { name: 'Close' });
    const innerClose = closes.find((b) => inner.contains(b))!;
    const innerSave = screen.getByRole('button', { name: 'Inner save' });

    innerSave.focus();
    fireEvent.keyDown(innerSave, { key: 'Tab' });
    expect(document.activeElement).toBe(innerClose);
    fireEvent.keyDown(innerClose, { key: 'Tab', shiftKey: true });
    expect(document.activeElement).toBe(innerSave);
    // Focus that strayed into the outer dialog is pulled back into the inner one, not cycled in the outer.
    const outerField = screen.getByLabelText('Outer field');
    outerField.focus();
    fireEvent.keyDown(outerField, { key: 'Tab' });
    expect(inner.contains(document.activeElement)).toBe(true);
    outerField.focus();
    fireEvent.keyDown(outerField, { key: 'Tab', shiftKey: true });
    expect(document.activeElement).toBe(innerSave);
  });

  it('lets a control inside the dialog keep Escape for itself', () => {
    const onClose = vi.fn();
    render(
      <Dialog title="Pick" onClose={onClose}>
        <input
          aria-label="Search"
          onKeyDown={(e) => {
            if (e.key === 'Escape') e.preventDefault();
          }}
        />
      </Dialog>,
    );
    fireEvent.keyDown(screen.getByLabelText('Search'), { key: 'Escape' });
    expect(onClose).not.toHaveBeenCalled();
    fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Escape' });
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it('keeps plain keys from the page behind but lets shortcuts through, even with focus outside', () => {
    const onDocumentKey = vi.fn();
    document.addEventListener('keydown', onDocumentKey);
    const onClose = vi.fn();
    try {
      render(
        <Dialog title="Confirm" onClose={onClose} footer={<button type="button">OK</button>}>
          <p>Sure?</p>
        </Dialog>,
      );
      const ok = screen.getByRole('button', { name: 'OK' });
      fireEvent.keyDown(ok, { key: 'Delete' });
      expect(onDocumentKey).not.toHaveBeenCalled();
      fireEvent.keyDown(ok, { key: 's', ctrlKey: true });
      expect(onDocumentKey).toHaveBeenCalledTimes(1);
      // Focus lost to the body: Delete still doesn't reach the page, Escape still closes.
      ok.blur();
      fireEvent.keyDown(document.body, { key: 'Delete' });
      expect(onDocumentKey).toHaveBeenCalledTimes(1);
      fireEvent.keyDown(document.body, { key: 'Escape' });
      expect(onClose).toHaveBeenCalledTimes(1);
      expect(onDocumentKey).toHaveBeenCalledTimes(1);
    } finally {
      document.removeEventListener('keydown', onDocumentKey);
    }
  });
});

function Boom(): never {
  throw new Error('the chart exploded');
}

describe('ErrorBoundary', () => {
  it('shows its fallback with the message when a child throws, and recovers on a new reset key', () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const { rerender } = render(
        <ErrorBoundary resetKey="/runs/1">
          <Boom />
        </ErrorBoundary>,
      );
      const crash = screen.getByTestId('crash');
      expect(crash.getAttribute('role')).toBe('alert');
      expect(crash.textContent).toContain('Something went wrong on this page');
      expect(crash.textContent).toContain('the chart exploded');
      expect(screen.getByRole('button', { name: 'Try again' })).toBeTruthy();
      rerender(
        <ErrorBoundary resetKey="/runs/2">
          <p>fine again</p>
        </ErrorBoundary>,
      );
      expect(screen.queryByTestId('crash')).toBeNull();
      expect(screen.getByText('fine again')).toBeTruthy();
    } finally {
      spy.mockRestore();
    }
  });
});
