// Shared pieces of the browser suite: a `page` that fails the test on any console
// error or uncaught exception, signing in through the form, screenshots into
// $E2E_SCREENSHOTS, and a small API client for setting up data the test is not about.
import { expect, test as base, type APIRequestContext, type ConsoleMessage, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const USER = process.env.E2E_USER ?? 'admin';
export const PASSWORD = process.env.E2E_PASSWORD ?? '';
const SCREENSHOTS = process.env.E2E_SCREENSHOTS ?? '../../var/e2e/screenshots';

export interface ConsoleGuard {
  /**
   * Tolerates console errors matching `pattern` while `during` runs: for errors the
   * browser itself logs about a request the test makes fail on purpose (a wrong password).
   */
  expectErrors<T>(pattern: RegExp, during: () => Promise<T>): Promise<T>;
}

interface Fixtures {
  console: ConsoleGuard;
}

export const test = base.extend<Fixtures>({
  // Collects console errors and page errors for the whole test and fails it on any.
  console: [
    async ({ page }, use) => {
      const errors: string[] = [];
      const allowed: RegExp[] = [];
      const describe = (m: ConsoleMessage): string => {
        const where = m.location().url;
        return `console.${m.type()}: ${m.text()}${where ? ` (${where})` : ''}`;
      };
      page.on('console', (m) => {
        if (m.type() !== 'error') return;
        const text = describe(m);
        if (!allowed.some((p) => p.test(text))) errors.push(text);
      });
      page.on('pageerror', (e) => errors.push(`uncaught: ${e.stack ?? e.message}`));
      await use({
        async expectErrors(pattern, during) {
          allowed.push(pattern);
          try {
            return await during();
          } finally {
            allowed.splice(allowed.indexOf(pattern), 1);
          }
        },
      });
      expect(errors, 'console errors during the test').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/** Signs in through the form, as a person would. */
export async function signIn(page: Page, next = '/pipelines'): Promise<void> {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Username').fill(USER);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('current-user')).toHaveText(USER);
}

/** Saves a full-page screenshot as $E2E_SCREENSHOTS/<name>.png for a reviewer. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}

/** A token-authenticated API client (its own request context, not the page's session). */
export class Api {
  private constructor(
    private readonly ctx: APIRequestContext,
    private readonly token: string,
  ) {}

  static async connect(request: APIRequestContext): Promise<Api> {
    const r = await request.post('/api/auth/token/', { data: { username: USER, password: PASSWORD } });
    expect(r.ok(), `token: ${r.status()} ${await r.text()}`).toBeTruthy();
    const { token } = (await r.json()) as { token: string };
    return new Api(request, token);
  }

  private headers(): Record<string, string> {
    return { Authorization: `Token ${this.token}` };
  }

  async get<T>(path: string): Promise<T> {
    const r = await this.ctx.get(path, { headers: this.headers() });
    expect(r.ok(), `GET ${path}: ${r.status()} ${await r.text()}`).toBeTruthy();
    return (await r.json()) as T;
  }

  async post<T>(path: string, data: unknown): Promise<T> {
    const r = await this.ctx.post(path, { headers: this.headers(), data });
    expect(r.ok(), `POST ${path}: ${r.status()} ${await r.text()}`).toBeTruthy();
    return (await r.json()) as T;
  }

  /** The latest version id of the catalog component called `name`. */
  async componentVersion(name: string): Promise<number> {
    const page = await this.get<{ results: Array<{ name: string; latest_version: { id: number } }> }>(
      `/api/components/?search=${encodeURIComponent(name)}&page_size=100`,
    );
    const found = page.results.find((c) => c.name === name);
    expect(found, `component "${name}" in the catalog`).toBeTruthy();
    return found!.latest_version.id;
  }
}

/** A name no earlier run of the suite used (the database is fresh per run, but tests may repeat). */
export function uniqueName(prefix: string): string {
  return `${prefix} ${new Date().toISOString().slice(11, 19)}-${Math.random().toString(36).slice(2, 6)}`;
}
