// The one place that talks HTTP: session cookies, CSRF, and the error shape
// `{message, problems}` of docs/api.md turned into an ApiError.
import type { Problem } from '../pipeline-core';
import type { ApiErrorBody, Paginated } from './types';

export class ApiError extends Error {
  readonly status: number;
  readonly problems: Problem[];

  constructor(status: number, message: string, problems: Problem[] = []) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.problems = problems;
  }

  get isAuth(): boolean {
    return this.status === 401 || this.status === 403;
  }
}

export function readCookie(name: string): string | null {
  if (typeof document === 'undefined') return null;
  for (const part of document.cookie.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return null;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface RequestOptions {
  method?: string;
  body?: unknown;
  query?: Record<string, string | number | boolean | null | undefined>;
  signal?: AbortSignal;
}

export function buildUrl(path: string, query?: RequestOptions['query']): string {
  const url = path.startsWith('/') ? path : `/api/${path}`;
  if (!query) return url;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${url}?${qs}` : url;
}

function statusText(status: number): string {
  if (status === 401 || status === 403) return 'You are not signed in, or not allowed to do that.';
  if (status === 404) return 'Not found.';
  if (status === 413) return 'The file is larger than the server accepts.';
  if (status >= 500) return `The server failed (${status}). Try again, or check the server log.`;
  return `Request failed (${status}).`;
}

/** The ApiError for a failed response, from its status and (JSON) body text. */
export function apiErrorFrom(status: number, contentType: string, text: string): ApiError {
  let body: Partial<ApiErrorBody> | null = null;
  if (contentType.includes('json')) {
    try {
      body = JSON.parse(text) as Partial<ApiErrorBody>;
    } catch {
      body = null;
    }
  }
  const message = typeof body?.message === 'string' && body.message ? body.message : statusText(status);
  const problems = Array.isArray(body?.problems) ? body.problems : [];
  return new ApiError(status, message, problems);
}

async function errorFrom(response: Response): Promise<ApiError> {
  let text = '';
  try {
    text = await response.text();
  } catch {
    text = '';
  }
  return apiErrorFrom(response.status, response.headers.get('content-type') ?? '', text);
}

/** The CSRF header Django wants on unsafe requests of a signed-in session. */
export function csrfHeaders(): Record<string, string> {
  const token = readCookie('csrftoken');
  return token ? { 'X-CSRFToken': token } : {};
}

/** Sends a request and returns the raw Response; throws ApiError on 4xx/5xx or network failure. */
export async function send(path: string, options: RequestOptions = {}): Promise<Response> {
  const method = (options.method ?? 'GET').toUpperCase();
  const headers: Record<string, string> = { Accept: 'application/json' };
  let body: BodyInit | undefined;
  if (options.body instanceof FormData) {
    body = options.body;
  } else if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  if (UNSAFE.has(method)) Object.assign(headers, csrfHeaders());
  let response: Response;
  try {
    response = await fetch(buildUrl(path, options.query), {
      method,
      headers,
      body,
      credentials: 'same-origin',
      signal: options.signal,
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'Cannot reach the server. Is it running?');
  }
  if (!response.ok) throw await errorFrom(response);
  return response;
}

/** A JSON request; 204 gives `undefined`. */
export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const response = await send(path, options);
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Lists are paginated by the server; older or unpaginated endpoints may return a bare array. */
export function unwrapList<T>(data: Paginated<T> | T[]): T[] {
  return Array.isArray(data) ? data : (data?.results ?? []);
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
