import { useEffect, useRef, type KeyboardEvent as ReactKeyboardEvent, type ReactElement, type ReactNode } from 'react';

export interface DialogProps {
  title: string;
  onClose: () => void;
  children: ReactNode;
  footer?: ReactNode;
  testId?: string;
  wide?: boolean;
}

const FOCUSABLE = [
  'a[href]',
  'button:not([disabled])',
  'input:not([disabled]):not([type="hidden"])',
  'select:not([disabled])',
  'textarea:not([disabled])',
  '[tabindex]:not([tabindex="-1"])',
].join(', ');

/** The dialog's controls a Tab can reach, in document order. */
function focusables(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => !el.closest('[inert]') && el.tabIndex >= 0);
}

/** An open dialog, as the keyboard handling sees it. */
interface OpenDialog {
  /** The backdrop: everything the dialog renders, nested dialogs included. */
  backdrop: HTMLElement;
  /** The dialog panel Tab cycles through. */
  panel: HTMLElement;
  close: () => void;
}

/**
 * The open dialogs, bottom first. Only the last (topmost) one acts on the keyboard, so an Escape in a
 * dialog opened from another dialog closes just that one, and Tab stays inside it.
 */
const stack: OpenDialog[] = [];

/** Whether a key press is a plain one (no Ctrl, Cmd or Alt), which a modal keeps from the page behind it. */
function plain(e: { ctrlKey: boolean; metaKey: boolean; altKey: boolean }): boolean {
  return !e.ctrlKey && !e.metaKey && !e.altKey;
}

function trapTab(e: KeyboardEvent, panel: HTMLElement): void {
  const items = focusables(panel);
  if (!items.length) {
    e.preventDefault();
    panel.focus();
    return;
  }
  const head = items[0]!;
  const tail = items[items.length - 1]!;
  const active = document.activeElement;
  const inside = active instanceof Node && panel.contains(active);
  if (e.shiftKey && (active === head || !inside)) {
    e.preventDefault();
    tail.focus();
  } else if (!e.shiftKey && (active === tail || !inside)) {
    e.preventDefault();
    head.focus();
  }
}

/**
 * One capture listener on the document while any dialog is open, acting for the topmost: it keeps Tab
 * inside it, and handles the keys pressed while focus has strayed outside it (onto the body, say) —
 * Escape closes it, and no plain key reaches the page behind it (the editor deletes its selection on
 * Delete). Keys pressed inside the dialog are left to bubble, so the dialog's own controls see them first
 * (see the backdrop's onKeyDown).
 */
function onDocumentKey(e: KeyboardEvent): void {
  const top = stack[stack.length - 1];
  if (!top) return;
  if (e.key === 'Tab') {
    trapTab(e, top.panel);
    return;
  }
  if (e.target instanceof Node && top.backdrop.contains(e.target)) return;
  if (!plain(e)) return;
  e.stopPropagation();
  if (e.key === 'Escape') {
    e.preventDefault();
    top.close();
  }
}

function push(entry: OpenDialog): void {
  // Dialogs that open in one commit register child first: keep a dialog below any it contains.
  const at = stack.findIndex((d) => entry.backdrop.contains(d.backdrop));
  if (at < 0) stack.push(entry);
  else stack.splice(at, 0, entry);
  if (stack.length === 1) document.addEventListener('keydown', onDocumentKey, true);
}

function pop(entry: OpenDialog): void {
  const at = stack.indexOf(entry);
  if (at >= 0) stack.splice(at, 1);
  if (!stack.length) document.removeEventListener('keydown', onDocumentKey, true);
}

/**
 * A modal dialog. Focus moves to its first field and stays inside: Tab and Shift+Tab cycle through
 * its controls. Escape or the backdrop closes it, and focus goes back to whatever opened it. A dialog
 * opened from a dialog sits on top of it: Escape closes only the top one.
 *
 * Escape is handled as it bubbles out of the dialog, so a control inside that wants Escape for itself
 * can keep it by calling preventDefault() or stopPropagation(). Plain keys (no Ctrl, Cmd or Alt) stop at
 * the dialog and never reach the page behind it; shortcuts such as Ctrl+S still do.
 */
export function Dialog({ title, onClose, children, footer, testId, wide }: DialogProps): ReactElement {
  const ref = useRef<HTMLDivElement>(null);
  const backdropRef = useRef<HTMLDivElement>(null);
  // The latest onClose without re-running the effect (which would steal focus back to the first field).
  const close = useRef(onClose);
  close.current = onClose;

  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const panel = ref.current;
    const backdrop = backdropRef.current;
    const first = panel?.querySelector<HTMLElement>('input, textarea, select, button:not(.dialog-close)') ?? panel;
    first?.focus();

    const self: OpenDialog | null = panel && backdrop ? { backdrop, panel, close: () => close.current() } : null;
    if (self) push(self);
    return () => {
      if (self) pop(self);
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  const onKeyDown = (e: ReactKeyboardEvent<HTMLDivElement>): void => {
    if (!plain(e)) return;
    // Whatever a plain key meant inside the dialog, the page (or a dialog underneath) must not act on it.
    e.stopPropagation();
    if (e.key !== 'Escape' || e.defaultPrevented) return;
    e.preventDefault();
    // Only the topmost dialog closes: an Escape pressed in a dialog underneath one leaves both open.
    const top = stack[stack.length - 1];
    if (top?.backdrop === e.currentTarget) top.close();
  };

  return (
    <div
      className="backdrop"
      ref={backdropRef}
      onMouseDown={(e) => e.target === e.currentTarget && onClose()}
      onKeyDown={onKeyDown}
    >
      <div
        className={`dialog${wide ? ' wide' : ''}`}
        role="dialog"
        aria-modal="true"
        aria-label={title}
        ref={ref}
        tabIndex={-1}
        data-testid={testId}
      >
        <header className="dialog-head">
          <h2>{title}</h2>
          <button type="button" className="icon-btn dialog-close" onClick={onClose} aria-label="Close">
            ✕
          </button>
        </header>
        <div className="dialog-body">{children}</div>
        {footer ? <footer className="dialog-foot">{footer}</footer> : null}
      </div>
    </div>
  );
}
