import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from './client';
import { uploadDatasetVersion, type UploadProgress } from './upload';

/** A stand-in XMLHttpRequest that records the request; the test plays the server's part. */
class FakeXhr {
  static last: FakeXhr | null = null;
  method = '';
  url = '';
  headers: Record<string, string> = {};
  body: FormData | null = null;
  status = 0;
  responseText = '';
  responseHeaders: Record<string, string> = {};
  upload: { onprogress: ((e: Partial<ProgressEvent>) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  aborted = false;

  constructor() {
    FakeXhr.last = this;
  }
  open(method: string, url: string): void {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(k: string, v: string): void {
    this.headers[k] = v;
  }
  getResponseHeader(k: string): string | null {
    return this.responseHeaders[k.toLowerCase()] ?? null;
  }
  send(body: FormData): void {
    this.body = body;
  }
  abort(): void {
    this.aborted = true;
    this.onabort?.();
  }
  respond(status: number, body: unknown): void {
    this.status = status;
    this.responseText = JSON.stringify(body);
    this.responseHeaders['content-type'] = 'application/json';
    this.onload?.();
  }
}

afterEach(() => {
  vi.unstubAllGlobals();
  document.cookie = 'csrftoken=; expires=Thu, 01 Jan 1970 00:00:00 GMT';
});

const VERSION = { id: 3, number: 2, sha256: 'ab'.repeat(32) };

describe('uploadDatasetVersion', () => {
  it('posts the file as multipart with the CSRF header and reports progress', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    document.cookie = 'csrftoken=tok';
    const progress: UploadProgress[] = [];
    const file = new File(['a,b\n1,2\n'], 'iris.csv', { type: 'text/csv' });
    const done = uploadDatasetVersion(7, file, 'iris.csv', { message: 'fresh export', onProgress: (p) => progress.push(p) });
    const xhr = FakeXhr.last!;
    expect([xhr.method, xhr.url]).toEqual(['POST', '/api/datasets/7/versions/']);
    expect(xhr.headers['X-CSRFToken']).toBe('tok');
    expect((xhr.body!.get('file') as File).name).toBe('iris.csv');
    expect(xhr.body!.get('message')).toBe('fresh export');
    xhr.upload.onprogress!({ loaded: 4, total: 8, lengthComputable: true });
    xhr.upload.onprogress!({ loaded: 8, total: 8, lengthComputable: true });
    xhr.respond(201, { created: true, version: VERSION });
    await expect(done).resolves.toEqual({ created: true, version: VERSION });
    expect(progress).toEqual([
      { loaded: 4, total: 8 },
      { loaded: 8, total: 8 },
    ]);
  });

  it('resolves "identical content" (200, created: false) like a success', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    const done = uploadDatasetVersion(7, new Blob(['x']), 'x.txt');
    FakeXhr.last!.respond(200, { created: false, version: VERSION });
    await expect(done).resolves.toMatchObject({ created: false });
  });

  it('rejects with the server error shape, and with AbortError when cancelled', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    const tooBig = uploadDatasetVersion(7, new Blob(['x']), 'x.bin');
    FakeXhr.last!.respond(413, { message: 'file: 6.0 GiB is more than the 5.0 GiB limit.', problems: [{ code: 'too_large', message: 'too big', field: 'file' }] });
    const error = await tooBig.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 413, problems: [{ code: 'too_large' }] });

    const controller = new AbortController();
    const cancelled = uploadDatasetVersion(7, new Blob(['x']), 'x.bin', { signal: controller.signal });
    controller.abort();
    await expect(cancelled).rejects.toMatchObject({ name: 'AbortError' });
    expect(FakeXhr.last!.aborted).toBe(true);
  });
});
