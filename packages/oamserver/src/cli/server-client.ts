import { CliError } from './exit-codes';

/** Default address of a running Oamserver (what `hoptrace serve` listens on). */
export const DEFAULT_SERVER = 'http://127.0.0.1:4400';

/**
 * GETs JSON from a running Oamserver's API, with `Authorization: Bearer <token>` when a token is
 * given (HOPTRACE_API_TOKEN); a clear CliError when it cannot.
 */
export async function getJson<T>(server: string, path: string, token?: string): Promise<T> {
  const url = `${server.replace(/\/+$/, '')}${path}`;
  let res: Response;
  try {
    res = await fetch(url, {
      signal: AbortSignal.timeout(10_000),
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new CliError(
      `cannot reach the Oamserver at ${server} (${cause}); is \`hoptrace serve\` running? (--server URL or HOPTRACE_SERVER)`,
    );
  }
  const body = (await res.json().catch(() => ({}))) as T & { error?: string };
  if (res.status === 401) {
    throw new CliError(
      token === undefined
        ? `the Oamserver at ${server} needs HOPTRACE_API_TOKEN (its API is locked)`
        : `the Oamserver at ${server} refused HOPTRACE_API_TOKEN (wrong token)`,
    );
  }
  if (!res.ok) throw new CliError(`the Oamserver answered ${res.status} for ${path}: ${body.error ?? 'no detail'}`);
  return body;
}
