import { type ProbeFlow } from '@hoptrace/core/api';
import { api } from '../api/endpoints';
import { ErrorPanel, Loading } from '../components/ErrorPanel';
import { TimeText } from '../components/TimeText';
import { WindowPicker } from '../components/WindowPicker';
import { formatDuration, plural } from '../lib/format';
import { mapHref, parseWindow } from '../lib/routes';
import { runsHref } from '../lib/runs-filter';
import { FAULT_VERDICTS, verdictStyle } from '../lib/verdicts';
import { navigate } from '../router/router';
import { useApi } from '../state/hooks';
import { useMeta } from '../state/meta';
import { FlowGraph } from './FlowGraph';

/** The same facts as the graph, as a table: for keyboards, screen readers, and "failures only". */
function FlowTable({ flow }: { flow: ProbeFlow }) {
  const failures = [...FAULT_VERDICTS];
  return (
    <table class="table compact flow-table">
      <caption class="sr-only">Services of {flow.probe}</caption>
      <thead>
        <tr>
          <th scope="col">Service</th>
          <th scope="col" class="num">
            Runs
          </th>
          <th scope="col" class="num">
            Faults
          </th>
          <th scope="col" class="num">
            Lost here
          </th>
          <th scope="col" class="num">
            p95
          </th>
          <th scope="col">Instances</th>
          <th scope="col">Runs through it</th>
        </tr>
      </thead>
      <tbody>
        {flow.nodes.map((node) => (
          <tr key={node.service}>
            <th scope="row">
              {node.service}
              {!node.expected && <span class="tag">not in the expected path</span>}
            </th>
            <td class="num">{node.count}</td>
            <td class="num">{node.faults}</td>
            <td class={`num${node.lost > 0 ? ' text-bad' : ''}`}>{node.lost}</td>
            <td class="num">{formatDuration(node.p95Ms)}</td>
            <td>
              {node.instances.map((i) => (
                <span key={i.instance} class="inline-instance">
                  <a href={runsHref({ probe: flow.probe, service: node.service, instance: i.instance })}>
                    {i.instance}
                  </a>
                  {i.faults > 0 && (
                    <>
                      {' '}
                      <a
                        class="small"
                        href={runsHref({
                          probe: flow.probe,
                          service: node.service,
                          instance: i.instance,
                          verdicts: failures,
                        })}
                      >
                        ({plural(i.faults, 'fault')}, worst {verdictStyle(i.worst).word})
                      </a>
                    </>
                  )}
                </span>
              ))}
            </td>
            <td class="nowrap">
              <a href={runsHref({ probe: flow.probe, service: node.service })}>all</a>
              {' · '}
              <a href={runsHref({ probe: flow.probe, service: node.service, verdicts: failures })}>failures only</a>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** `/map?probe=&window=`: each probe's expected path and what its runs did on it. */
export function FlowMapPage({ params }: { params: URLSearchParams }) {
  const window = parseWindow(params.get('window'));
  const probe = params.get('probe') ?? undefined;
  const meta = useMeta();
  const loaded = useApi(api.map(window, probe), true);
  const probes = meta.data?.probes ?? [];
  const map = loaded.data;
  return (
    <section class="page">
      <div class="page-head">
        <h1>Flow map</h1>
        <label class="field-inline">
          <span>Probe</span>
          <select
            value={probe ?? ''}
            onChange={(e) => navigate(mapHref(window, (e.target as HTMLSelectElement).value || undefined))}
          >
            <option value="">all probes</option>
            {probes.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
            {probe && !probes.includes(probe) && <option value={probe}>{probe}</option>}
          </select>
        </label>
        <WindowPicker value={window} hrefFor={(w) => mapHref(w, probe)} />
        {map && (
          <span class="muted small updated">
            as of <TimeText time={map.generatedAt} />
          </span>
        )}
      </div>
      <p class="muted small legend-line">
        Boxes are services in path order, chips their instances (colour and shape: worst outcome). Dashed: seen but not
        expected. Select a service or an instance to list its runs.
      </p>
      {loaded.failure && <ErrorPanel failure={loaded.failure} what="the flow map" onRetry={loaded.reload} />}
      {!map && !loaded.failure && <Loading what="the flow map" />}
      {map?.probes.length === 0 && <p class="muted">No probe matches.</p>}
      {map?.probes.map((flow) => (
        <article key={flow.probe} class="card flow-card" aria-labelledby={`flow-${flow.probe}`}>
          <header class="probe-head">
            <h2 id={`flow-${flow.probe}`} class="probe-name">
              {flow.probe}
            </h2>
            <span class="path small">{flow.path.join(' → ')}</span>
            <span class="muted small">built from {plural(flow.runs, 'run')}</span>
          </header>
          {flow.runs === 0 && <p class="muted">No classified run in this window yet.</p>}
          <FlowGraph flow={flow} />
          <details class="flow-details">
            <summary>Services as a table, with “failures only” links</summary>
            <FlowTable flow={flow} />
          </details>
        </article>
      ))}
    </section>
  );
}
