import type { RunView } from '../../http/run-view';
import { EXIT } from '../exit-codes';
import { formatRun, formatRunList } from '../format-run';
import { getJson } from '../server-client';

/** `hoptrace runs`: recent runs from a running Oamserver (one run in full with `--run ID`). */
export async function runsCommand(options: {
  server: string;
  probe?: string;
  verdict?: string;
  limit: string;
  run?: string;
  json?: boolean;
  /** HOPTRACE_API_TOKEN, sent as a bearer token. */
  token?: string;
}): Promise<number> {
  if (options.run) {
    const view = await getJson<RunView>(options.server, `/api/runs/${encodeURIComponent(options.run)}`, options.token);
    process.stdout.write(options.json ? `${JSON.stringify(view)}\n` : `${formatRun(view)}\n`);
    return EXIT.OK;
  }
  const query = new URLSearchParams({ limit: options.limit });
  if (options.probe) query.set('probe', options.probe);
  if (options.verdict) query.set('verdict', options.verdict);
  const { runs } = await getJson<{ runs: RunView[] }>(options.server, `/api/runs?${query.toString()}`, options.token);
  process.stdout.write(options.json ? `${JSON.stringify({ runs })}\n` : `${formatRunList(runs)}\n`);
  return EXIT.OK;
}
