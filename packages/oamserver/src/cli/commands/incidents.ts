import { formatDuration } from '../../config/duration';
import type { Incident } from '../../incidents/types';
import { EXIT } from '../exit-codes';
import { getJson } from '../server-client';
import { style, table } from '../style';

const ms = (v: number | undefined) => (v === undefined ? '-' : formatDuration(v));
const at = (epochMs: number) =>
  new Date(epochMs)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');

function where(incident: Incident): string {
  if (incident.instance) return `${incident.service} (${incident.instance})`;
  const failing = incident.instancesFailing?.length ? `: ${incident.instancesFailing.join(', ')}` : '';
  return `${incident.service} (all instances${failing})`;
}

/** Incidents for people: open first, each with where, since when, how many runs and how bad. */
export function formatIncidents(incidents: Incident[]): string {
  if (incidents.length === 0) return style.green('no incidents');
  const rows = incidents.map((i) => [
    i.state === 'open' ? style.red('OPEN') : style.dim(i.mergedInto ? 'merged' : 'resolved'),
    at(i.startedAtMs),
    i.state === 'open'
      ? formatDuration(Date.now() - i.startedAtMs)
      : `${formatDuration((i.resolvedAtMs ?? i.lastSeenAtMs) - i.startedAtMs)}`,
    i.probe,
    i.kind,
    where(i),
    String(i.runsAffected),
    `${ms(i.worstMs)} / ${ms(i.typicalMs)}`,
  ]);
  const lines = [table(['STATE', 'SINCE', 'FOR', 'PROBE', 'KIND', 'WHERE', 'RUNS', 'WORST / TYPICAL'], rows), ''];
  for (const i of incidents.filter((x) => x.state === 'open')) {
    lines.push(`${style.bold(`${i.probe} ${i.kind} at ${where(i)}`)}: ${i.reason}`);
    lines.push(style.dim(`  example runs: ${i.exampleRuns.join(' ')}  (hoptrace runs --run <id>)`));
  }
  return lines.join('\n').trimEnd();
}

/**
 * `hoptrace incidents`: open (and with --all, recent) incidents from a running Oamserver. With
 * `--fail-on-open`, exits 1 (EXIT.FAULT) when any incident is open.
 */
export async function incidentsCommand(options: {
  server: string;
  all?: boolean;
  limit: string;
  json?: boolean;
  failOnOpen?: boolean;
  /** HOPTRACE_API_TOKEN, sent as a bearer token. */
  token?: string;
}): Promise<number> {
  const query = new URLSearchParams({ state: options.all ? 'all' : 'open', limit: options.limit });
  const { incidents } = await getJson<{ incidents: Incident[] }>(
    options.server,
    `/api/incidents?${query.toString()}`,
    options.token,
  );
  const sorted = [...incidents].sort((a, b) =>
    a.state === b.state ? b.openedAtMs - a.openedAtMs : a.state === 'open' ? -1 : 1,
  );
  process.stdout.write(options.json ? `${JSON.stringify({ incidents: sorted })}\n` : `${formatIncidents(sorted)}\n`);
  return options.failOnOpen && sorted.some((i) => i.state === 'open') ? EXIT.FAULT : EXIT.OK;
}
