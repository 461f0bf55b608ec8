import { CliError } from './exit-codes';

/** Default address of a running Oamserver (what `hoptrace serve` listens on). */
export const DEFAULT_SERVER = 'http://127.0.0.1:4400';

/** GETs JSON from a running Oamserver's API; a clear CliError when it cannot. */
export async function getJson<T>(server: string, path: string): Promise<T> {
  const url = `${server.replace(/\/+$/, '')}${path}`;
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new CliError(
      `cannot reach the Oamserver at ${server} (${cause}); is \`hoptrace serve\` running? (--server URL or HOPTRACE_SERVER)`,
    );
  }
  const body = (await res.json().catch(() => ({}))) as T & { error?: string };
  if (!res.ok) throw new CliError(`the Oamserver answered ${res.status} for ${path}: ${body.error ?? 'no detail'}`);
  return body;
}
