import { VERDICTS, type Verdict } from '@hoptrace/core/api';
import { useEffect, useState } from 'preact/hooks';
import { fromLocalInputValue, toLocalInputValue } from '../lib/format';
import { filterTimeMs, knownVerdicts, runsHref, type RunsFilter } from '../lib/runs-filter';
import { FAULT_VERDICTS, verdictStyle } from '../lib/verdicts';
import { navigate } from '../router/router';

interface Draft {
  probe: string;
  verdicts: Verdict[];
  service: string;
  instance: string;
  from: string;
  to: string;
}

function draftOf(filter: RunsFilter): Draft {
  const time = (text: string | undefined) => {
    const ms = filterTimeMs(text);
    return ms === undefined ? '' : toLocalInputValue(ms);
  };
  return {
    probe: filter.probe ?? '',
    verdicts: knownVerdicts(filter),
    service: filter.service ?? '',
    instance: filter.instance ?? '',
    from: time(filter.from),
    to: time(filter.to),
  };
}

/** The filter form of the runs page. Applying it writes the URL (a new history entry). */
export function RunsFilters({ filter, probes }: { filter: RunsFilter; probes: readonly string[] }) {
  const [draft, setDraft] = useState(() => draftOf(filter));
  // The URL changed (Back, a link): show its filter.
  const filterKey = JSON.stringify(filter);
  useEffect(() => setDraft(draftOf(filter)), [filterKey]);

  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const toggle = (v: Verdict, on: boolean) =>
    set({ verdicts: on ? [...draft.verdicts, v] : draft.verdicts.filter((x) => x !== v) });

  const apply = (event: Event) => {
    event.preventDefault();
    const next: Partial<RunsFilter> = {
      verdicts: VERDICTS.filter((v) => draft.verdicts.includes(v)),
      live: filter.live,
    };
    if (draft.probe) next.probe = draft.probe;
    if (draft.service.trim()) next.service = draft.service.trim();
    if (draft.instance.trim()) next.instance = draft.instance.trim();
    const from = draft.from ? fromLocalInputValue(draft.from) : undefined;
    const to = draft.to ? fromLocalInputValue(draft.to) : undefined;
    if (from) next.from = from;
    if (to) {
      next.to = to;
      next.live = false;
    }
    navigate(runsHref(next), { keepScroll: true });
  };

  // Verdicts in the URL that are not verdicts: kept (the server names them), shown here.
  const unknownVerdicts = filter.verdicts.filter((v) => !(VERDICTS as readonly string[]).includes(v));
  const probeOptions = draft.probe && !probes.includes(draft.probe) ? [...probes, draft.probe] : probes;

  return (
    <form class="filters card" onSubmit={apply} aria-label="Filter runs">
      <div class="filter-row">
        <label class="field">
          <span>Probe</span>
          <select value={draft.probe} onChange={(e) => set({ probe: (e.target as HTMLSelectElement).value })}>
            <option value="">any probe</option>
            {probeOptions.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>Service</span>
          <input
            type="text"
            value={draft.service}
            placeholder="any"
            onInput={(e) => set({ service: (e.target as HTMLInputElement).value })}
          />
        </label>
        <label class="field">
          <span>Instance</span>
          <input
            type="text"
            value={draft.instance}
            placeholder="any"
            onInput={(e) => set({ instance: (e.target as HTMLInputElement).value })}
          />
        </label>
        <label class="field">
          <span>From (local time)</span>
          <input
            type="datetime-local"
            step="1"
            value={draft.from}
            onInput={(e) => set({ from: (e.target as HTMLInputElement).value })}
          />
        </label>
        <label class="field">
          <span>To (local time)</span>
          <input
            type="datetime-local"
            step="1"
            value={draft.to}
            onInput={(e) => set({ to: (e.target as HTMLInputElement).value })}
          />
        </label>
      </div>
      <fieldset class="verdict-picks">
        <legend>Verdict</legend>
        {VERDICTS.map((v) => {
          const style = verdictStyle(v);
          return (
            <label key={v} class={`pick ${style.className}`}>
              <input
                type="checkbox"
                checked={draft.verdicts.includes(v)}
                onChange={(e) => toggle(v, (e.target as HTMLInputElement).checked)}
              />
              <span class="badge-icon" aria-hidden="true">
                {style.icon}
              </span>
              {style.word}
            </label>
          );
        })}
        <button type="button" class="button small" onClick={() => set({ verdicts: [...FAULT_VERDICTS] })}>
          failures only
        </button>
        <button type="button" class="button small" onClick={() => set({ verdicts: [] })}>
          any verdict
        </button>
        {unknownVerdicts.length > 0 && <span class="text-bad small"> not verdicts: {unknownVerdicts.join(', ')}</span>}
      </fieldset>
      <div class="filter-actions">
        <button type="submit" class="button primary">
          Apply filters
        </button>
        <a href="/runs" class="button">
          Clear
        </a>
      </div>
    </form>
  );
}
