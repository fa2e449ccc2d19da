import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, request, unwrapList } from './client';
import { getStepLog } from './endpoints';

function mockFetch(response: Response | Error) {
  const fn = vi.fn(async () => {
    if (response instanceof Error) throw response;
    return response;
  });
  vi.stubGlobal('fetch', fn);
  return fn;
}

afterEach(() => {
  vi.unstubAllGlobals();
  document.cookie = 'csrftoken=; expires=Thu, 01 Jan 1970 00:00:00 GMT';
});

describe('api client', () => {
  it('sends the session cookie and the CSRF token on unsafe methods only', async () => {
    document.cookie = 'csrftoken=abc123';
    const fetch = mockFetch(new Response('{"id": 1}', { status: 201, headers: { 'Content-Type': 'application/json' } }));
    await request('/api/pipelines/', { method: 'POST', body: { name: 'x' } });
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/api/pipelines/');
    expect(init.credentials).toBe('same-origin');
    expect((init.headers as Record<string, string>)['X-CSRFToken']).toBe('abc123');
    expect(init.body).toBe('{"name":"x"}');

    const fetchGet = mockFetch(new Response('[]', { status: 200, headers: { 'Content-Type': 'application/json' } }));
    await request('/api/runs/', { query: { status: 'failed', pipeline: undefined } });
    const [getUrl, getInit] = fetchGet.mock.calls[0] as unknown as [string, RequestInit];
    expect(getUrl).toBe('/api/runs/?status=failed');
    expect((getInit.headers as Record<string, string>)['X-CSRFToken']).toBeUndefined();
  });

  it('turns the error shape into an ApiError with problems', async () => {
    mockFetch(
      new Response(
        JSON.stringify({ message: 'Pipeline has 1 problem.', problems: [{ code: 'cycle', message: 'Cycle: a → b → a.', node: 'a', port: 'x' }] }),
        { status: 400, headers: { 'Content-Type': 'application/json' } },
      ),
    );
    const error = await request('/api/pipelines/', { method: 'POST', body: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, message: 'Pipeline has 1 problem.', problems: [{ code: 'cycle', node: 'a', port: 'x' }] });
  });

  it('gives a readable message for server failures and network errors', async () => {
    mockFetch(new Response('<html>boom</html>', { status: 502, headers: { 'Content-Type': 'text/html' } }));
    await expect(request('/api/runs/')).rejects.toMatchObject({ status: 502, message: expect.stringContaining('server failed (502)') });
    mockFetch(new TypeError('Failed to fetch'));
    await expect(request('/api/runs/')).rejects.toMatchObject({ status: 0, message: 'Cannot reach the server. Is it running?' });
    mockFetch(new Response(JSON.stringify({ message: 'Authentication credentials were not provided.', problems: [] }), { status: 403, headers: { 'Content-Type': 'application/json' } }));
    const e = await request('/api/auth/me/').catch((x: unknown) => x);
    expect((e as ApiError).isAuth).toBe(true);
  });

  it('returns undefined for 204 and unwraps paginated lists', async () => {
    mockFetch(new Response(null, { status: 204 }));
    await expect(request('/api/auth/logout/', { method: 'POST' })).resolves.toBeUndefined();
    expect(unwrapList({ count: 1, next: null, previous: null, results: [1] })).toEqual([1]);
    expect(unwrapList([2])).toEqual([2]);
  });

  it('reads log chunks with the next offset and step state from headers', async () => {
    mockFetch(new Response('héllo\n', { status: 200, headers: { 'X-Next-Offset': '42', 'X-Step-Status': 'running' } }));
    await expect(getStepLog(3, 'train', 35)).resolves.toEqual({ text: 'héllo\n', nextOffset: 42, stepStatus: 'running' });
    mockFetch(new Response('héllo\n', { status: 200 }));
    // Without the header the offset advances by bytes, not characters.
    await expect(getStepLog(3, 'train', 0)).resolves.toMatchObject({ nextOffset: 7, stepStatus: null });
  });
});
