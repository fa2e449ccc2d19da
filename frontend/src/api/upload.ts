// Uploads with progress. fetch() reports no upload progress, so a file goes up with
// XMLHttpRequest, whose `upload.onprogress` does; everything else about the request
// (session cookie, CSRF header, the {message, problems} error shape) is as in client.ts.
import { ApiError, apiErrorFrom, csrfHeaders } from './client';
import type { CommitResult } from './types';

export interface UploadProgress {
  loaded: number;
  /** 0 when the browser cannot tell. */
  total: number;
}

export interface UploadOptions {
  message?: string;
  onProgress?: (progress: UploadProgress) => void;
  signal?: AbortSignal;
}

function abortError(): Error {
  return new DOMException('The upload was cancelled.', 'AbortError');
}

/** POSTs `form` to `url` and resolves with the JSON answer; rejects with ApiError (or an AbortError). */
export function postFormWithProgress<T>(url: string, form: FormData, options: Pick<UploadOptions, 'onProgress' | 'signal'> = {}): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(abortError());
      return;
    }
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.setRequestHeader('Accept', 'application/json');
    for (const [k, v] of Object.entries(csrfHeaders())) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e: ProgressEvent) => options.onProgress?.({ loaded: e.loaded, total: e.lengthComputable ? e.total : 0 });
    xhr.onload = () => {
      const type = xhr.getResponseHeader('content-type') ?? '';
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve(JSON.parse(xhr.responseText) as T);
        } catch {
          reject(new ApiError(xhr.status, 'The server answered with something that is not JSON.'));
        }
        return;
      }
      reject(apiErrorFrom(xhr.status, type, xhr.responseText));
    };
    xhr.onerror = () =>
      reject(new ApiError(0, 'The upload did not get through: the server closed the connection or cannot be reached.'));
    xhr.onabort = () => reject(abortError());
    options.signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(form);
  });
}

/** Uploads `file` as the next version of a dataset (docs/api.md: multipart `file` + optional `message`). */
export function uploadDatasetVersion(datasetId: number, file: Blob, filename: string, options: UploadOptions = {}): Promise<CommitResult> {
  const form = new FormData();
  form.append('file', file, filename);
  if (options.message) form.append('message', options.message);
  return postFormWithProgress<CommitResult>(`/api/datasets/${datasetId}/versions/`, form, options);
}
