import { formatDuration } from '../../config/duration';
import type { SeriesSummary } from '../../stats/rolling-stats';
import { EXIT } from '../exit-codes';
import { style, table } from '../style';
import { getJson } from '../server-client';

interface StatsBody {
  window: string;
  probes: SeriesSummary[];
  services: SeriesSummary[];
  instances: SeriesSummary[];
}

const ms = (v: number | undefined) => (v === undefined ? '-' : formatDuration(v));
const ratio = (s: SeriesSummary) => {
  if (s.okRatio === undefined) return '-';
  const text = `${(s.okRatio * 100).toFixed(1)}%`;
  return s.okRatio >= 0.99 ? style.green(text) : s.okRatio >= 0.9 ? style.yellow(text) : style.red(text);
};
const byName = (a: SeriesSummary, b: SeriesSummary) =>
  a.probe.localeCompare(b.probe) ||
  (a.service ?? '').localeCompare(b.service ?? '') ||
  (a.instance ?? '').localeCompare(b.instance ?? '');

/** `hoptrace report`: health per probe, service and instance over a window, from a running Oamserver. */
export async function reportCommand(options: {
  server: string;
  window: string;
  json?: boolean;
  /** HOPTRACE_API_TOKEN, sent as a bearer token. */
  token?: string;
}): Promise<number> {
  const stats = await getJson<StatsBody>(
    options.server,
    `/api/stats?window=${encodeURIComponent(options.window)}`,
    options.token,
  );
  if (options.json) {
    process.stdout.write(`${JSON.stringify(stats)}\n`);
    return EXIT.OK;
  }
  const out: string[] = [style.bold(`Last ${stats.window}`), ''];
  out.push(
    table(
      ['PROBE', 'RUNS', 'OK', 'FAULTS', 'UNKNOWN', 'P50', 'P90', 'P99'],
      stats.probes
        .sort(byName)
        .map((s) => [
          s.probe,
          String(s.count),
          ratio(s),
          String(s.faults),
          String(s.unknown),
          ms(s.p50Ms),
          ms(s.p90Ms),
          ms(s.p99Ms),
        ]),
    ),
    '',
    table(
      ['PROBE', 'SERVICE', 'INSTANCE', 'HOPS', 'OK', 'FAULTS', 'P50', 'P99', 'MAX'],
      [...stats.services, ...stats.instances]
        .sort(byName)
        .map((s) => [
          s.probe,
          s.instance ? '' : s.service!,
          s.instance ?? style.dim('(all)'),
          String(s.count),
          ratio(s),
          String(s.faults),
          ms(s.p50Ms),
          ms(s.p99Ms),
          ms(s.maxMs),
        ]),
    ),
  );
  process.stdout.write(`${out.join('\n')}\n`);
  return EXIT.OK;
}
