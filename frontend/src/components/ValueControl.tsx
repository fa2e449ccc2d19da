import { useEffect, useRef, useState, type ReactElement } from 'react';
import { formatValueText, parseValueText, stableStringify, typeName, type JsonValue } from '../pipeline-core';

export interface ValueControlProps {
  type: string | null | undefined;
  value: JsonValue | undefined;
  onChange: (value: JsonValue) => void;
  placeholder?: string;
  disabled?: boolean;
  id?: string;
  testId?: string;
  label?: string;
  invalid?: boolean;
}

/**
 * An input for one typed value: number fields for Integer/Float, a checkbox
 * for Boolean, a textarea for JSON and long text, a text field otherwise.
 * Keeps the typed text locally so "1." or "{" can be typed on the way.
 */
export function ValueControl({ type, value, onChange, placeholder, disabled, id, testId, label, invalid }: ValueControlProps): ReactElement {
  const t = typeName(type);
  const [text, setText] = useState(() => formatValueText(value));
  const lastEmitted = useRef<string>(stableStringify(value ?? null));
  // Decided once, so the control does not swap elements (and lose focus) while typing.
  const [multiline] = useState(() => t === 'JSON' || text.length > 60 || text.includes('\n'));

  // Follow outside changes (undo, another panel) without fighting the user's typing.
  useEffect(() => {
    const incoming = stableStringify(value ?? null);
    if (incoming !== lastEmitted.current) {
      lastEmitted.current = incoming;
      setText(formatValueText(value));
    }
  }, [value]);

  const emit = (raw: string): void => {
    setText(raw);
    const parsed = parseValueText(t, raw);
    lastEmitted.current = stableStringify(parsed);
    onChange(parsed);
  };

  const common = {
    id,
    disabled,
    'data-testid': testId,
    'aria-label': label,
    'aria-invalid': invalid || undefined,
    className: invalid ? 'invalid' : undefined,
  };

  if (t === 'Boolean') {
    const checked = value === true || (typeof value === 'string' && value.toLowerCase() === 'true');
    return (
      <label className="checkbox">
        <input
          type="checkbox"
          {...common}
          checked={checked}
          onChange={(e) => {
            lastEmitted.current = stableStringify(e.target.checked);
            onChange(e.target.checked);
          }}
        />
        <span>{checked ? 'true' : 'false'}</span>
      </label>
    );
  }
  if (t === 'Integer' || t === 'Float') {
    return (
      <input
        type="number"
        step={t === 'Integer' ? 1 : 'any'}
        inputMode={t === 'Integer' ? 'numeric' : 'decimal'}
        {...common}
        value={text}
        placeholder={placeholder}
        onChange={(e) => emit(e.target.value)}
      />
    );
  }
  if (multiline) {
    return (
      <textarea
        {...common}
        rows={t === 'JSON' ? 4 : 3}
        spellCheck={false}
        className={`mono${invalid ? ' invalid' : ''}`}
        value={text}
        placeholder={placeholder}
        onChange={(e) => emit(e.target.value)}
      />
    );
  }
  return <input type="text" {...common} value={text} placeholder={placeholder} onChange={(e) => emit(e.target.value)} />;
}

/** The default of a port (a string in the spec) as a typed value. */
export function typedDefault(type: string | null | undefined, raw: string | null | undefined): JsonValue {
  if (raw === null || raw === undefined) return typeName(type) === 'Boolean' ? false : '';
  return parseValueText(type, raw);
}
