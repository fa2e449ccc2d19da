// The port type system, mirroring backend/catalog/types.py so the editor and
// the server agree on what may connect to what.
import type { JsonValue } from './types';

export const VALUE_TYPES = ['String', 'Integer', 'Float', 'Boolean', 'JSON'] as const;
export const ARTIFACT_TYPES = ['Dataset', 'Model', 'Metrics', 'ConfusionMatrix', 'ROC', 'Table', 'Markdown', 'File'] as const;
/** Pipeline parameters carry values, not artifacts (the server refuses artifact types). */
export const PARAMETER_TYPES: readonly string[] = [...VALUE_TYPES];

/** Inputs of these types (or untyped ones) accept any output. */
const ACCEPTS_ANY = new Set(['File']);

// KFP v1 spells some value types differently; they mean the same.
const TYPE_ALIASES: Record<string, string> = {
  str: 'String',
  Str: 'String',
  string: 'String',
  int: 'Integer',
  Int: 'Integer',
  integer: 'Integer',
  float: 'Float',
  Double: 'Float',
  bool: 'Boolean',
  Bool: 'Boolean',
  boolean: 'Boolean',
  dict: 'JSON',
  list: 'JSON',
  JsonObject: 'JSON',
  JsonArray: 'JSON',
  Dict: 'JSON',
  List: 'JSON',
};

/** A port's type as one string; null when untyped. */
export function typeName(raw: unknown): string | null {
  if (raw === null || raw === undefined || raw === '') return null;
  if (typeof raw === 'object') {
    const keys = Object.keys(raw as object);
    if (keys.length === 0) return null;
    raw = keys[0];
  }
  const name = String(raw);
  return TYPE_ALIASES[name] ?? name;
}

export function isValueType(type: string | null | undefined): boolean {
  return type != null && (VALUE_TYPES as readonly string[]).includes(type);
}

/** May an output of `outputType` feed an input of `inputType`? */
export function isCompatible(outputType: string | null | undefined, inputType: string | null | undefined): boolean {
  const out = typeName(outputType);
  const inp = typeName(inputType);
  if (inp === null || ACCEPTS_ANY.has(inp)) return true;
  // An untyped output may feed anything: its author promised nothing.
  if (out === null) return true;
  return out === inp;
}

export function describeType(type: string | null | undefined): string {
  return typeName(type) ?? 'untyped';
}

export type Coerced = { ok: true; value: JsonValue } | { ok: false; reason: string };

function repr(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Checks a constant or parameter value against a type and normalises it, the
 * way the server does (strings such as '100' are accepted for an Integer).
 */
export function coerceValue(type: string | null | undefined, value: unknown): Coerced {
  const t = typeName(type);
  switch (t) {
    case 'Integer': {
      if (typeof value === 'number' && Number.isInteger(value)) return { ok: true, value };
      if (typeof value === 'string' && /^\s*[-+]?\d+\s*$/.test(value)) return { ok: true, value: parseInt(value, 10) };
      return { ok: false, reason: `expected an integer, got ${repr(value)}` };
    }
    case 'Float': {
      if (typeof value === 'number' && Number.isFinite(value)) return { ok: true, value };
      if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
        return { ok: true, value: Number(value) };
      }
      return { ok: false, reason: `expected a number, got ${repr(value)}` };
    }
    case 'Boolean': {
      if (typeof value === 'boolean') return { ok: true, value };
      if (typeof value === 'string' && ['true', 'false'].includes(value.trim().toLowerCase())) {
        return { ok: true, value: value.trim().toLowerCase() === 'true' };
      }
      return { ok: false, reason: `expected true or false, got ${repr(value)}` };
    }
    case 'JSON': {
      if (typeof value === 'string') {
        try {
          JSON.parse(value);
        } catch (e) {
          return { ok: false, reason: `expected JSON text: ${(e as Error).message}` };
        }
      }
      return { ok: true, value: value as JsonValue };
    }
    case 'String': {
      if (value !== null && typeof value === 'object') {
        return { ok: false, reason: `expected a string, got ${Array.isArray(value) ? 'list' : 'object'}` };
      }
      return { ok: true, value: value as JsonValue };
    }
    default:
      return { ok: true, value: value as JsonValue };
  }
}

/**
 * Parses the text of a form control into a typed value: numbers for
 * Integer/Float, booleans for Boolean, parsed JSON for JSON. Text that does
 * not parse is kept as text, so validation can point at it.
 */
export function parseValueText(type: string | null | undefined, text: string): JsonValue {
  const t = typeName(type);
  if (t === 'Integer' && /^\s*[-+]?\d+\s*$/.test(text)) return parseInt(text, 10);
  if (t === 'Float' && text.trim() !== '' && Number.isFinite(Number(text))) return Number(text);
  if (t === 'Boolean' && ['true', 'false'].includes(text.trim().toLowerCase())) return text.trim().toLowerCase() === 'true';
  if (t === 'JSON') {
    try {
      return JSON.parse(text) as JsonValue;
    } catch {
      return text;
    }
  }
  return text;
}

/** The text shown in a form control for a stored value. */
export function formatValueText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'object') return JSON.stringify(value, null, 2);
  return String(value);
}
