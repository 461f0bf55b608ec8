// Incidents to go with the seeded history: derived from the seeded runs, in firing order, by a
// simplified form of the Oamserver's rule (per probe, place and fault kind: open after 2 faulty
// visits in a row, resolve after 3 healthy ones), and stored with IncidentStore.save, the
// Oamserver's own write of its incident list. Only the list is seeded (what the overview's
// markers and GET /api/incidents read), not the places' streak hashes behind it.

const OPEN_AFTER = 2;
const RESOLVE_AFTER = 3;
const MAX_EXAMPLES = 5;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Follows classified runs one by one (oldest first) and collects the incidents they make. */
export class IncidentDeriver {
  /** probe + place -> kind -> { streak, healthy, incident? } */
  _places = new Map();
  /** Every incident, opened or resolved. */
  incidents = [];

  /** Notes one classified run (a RunResult). */
  observe(result) {
    const probe = result.run.probe;
    const kind = ['ok', 'unknown'].includes(result.verdict) ? undefined : result.verdict;
    const fault = kind ? result.fault : undefined;
    // The places this run visited: each hop's instance and its service as a whole, and the fault's place.
    const visits = new Map();
    for (const hop of result.hops) {
      for (const instance of [hop.instance, undefined]) {
        const blamed =
          fault !== undefined &&
          fault.service === hop.service &&
          (fault.instance === undefined || fault.instance === instance);
        visits.set(`${hop.service}\u0000${instance ?? '*'}`, { service: hop.service, instance, faulty: blamed });
      }
    }
    if (fault) {
      visits.set(`${fault.service}\u0000${fault.instance ?? '*'}`, {
        service: fault.service,
        instance: fault.instance,
        faulty: true,
      });
    }
    for (const [where, visit] of visits) {
      const key = `${probe}\u0000${where}`;
      let kinds = this._places.get(key);
      if (!kinds) this._places.set(key, (kinds = new Map()));
      if (visit.faulty) {
        let state = kinds.get(kind);
        if (!state) kinds.set(kind, (state = { streak: [], healthy: 0, incident: undefined }));
        this._faulty(state, { probe, ...visit, kind }, result);
      }
      // Each kind has its own streaks: this visit is a healthy one for every other kind of the place.
      for (const [k, state] of kinds) if (!(visit.faulty && k === kind)) this._healthy(state, result);
    }
  }

  _healthy(state, result) {
    state.streak = [];
    if (!state.incident) return;
    state.healthy++;
    if (state.healthy >= RESOLVE_AFTER) {
      state.incident.state = 'resolved';
      state.incident.resolvedAtMs = result.classifiedAtMs;
      state.incident = undefined;
      state.healthy = 0;
    }
  }

  _faulty(state, visit, result) {
    state.healthy = 0;
    const firedAtMs = result.run.firedAtMs;
    const latencyMs = result.facts.totalMs;
    const incident = state.incident;
    if (incident) {
      incident.runsAffected++;
      incident.lastSeenAtMs = firedAtMs;
      // The first faulty run and the latest ones.
      incident.exampleRuns.push(result.run.runId);
      if (incident.exampleRuns.length > MAX_EXAMPLES) incident.exampleRuns.splice(1, 1);
      if (latencyMs !== undefined) incident._latencies.push(latencyMs);
      incident.reason = result.fault?.reason ?? incident.reason;
      return;
    }
    state.streak.push({ runId: result.run.runId, firedAtMs, latencyMs });
    if (state.streak.length < OPEN_AFTER) return;
    const openedAtMs = result.classifiedAtMs;
    const opened = {
      id: `${visit.probe}/${visit.service}/${visit.instance ?? '*'}/${visit.kind}/${openedAtMs}`,
      state: 'open',
      probe: visit.probe,
      service: visit.service,
      ...(visit.instance !== undefined ? { instance: visit.instance } : {}),
      kind: visit.kind,
      startedAtMs: state.streak[0].firedAtMs,
      openedAtMs,
      lastSeenAtMs: firedAtMs,
      runsAffected: state.streak.length,
      exampleRuns: state.streak.map((s) => s.runId),
      reason: result.fault?.reason ?? visit.kind,
      instancesFailing: visit.instance !== undefined ? [visit.instance] : [],
      _latencies: state.streak.map((s) => s.latencyMs).filter((v) => v !== undefined),
    };
    state.streak = [];
    state.incident = opened;
    this.incidents.push(opened);
  }

  /** The incidents as stored (the API's Incident shape). */
  stored() {
    return this.incidents.map(({ _latencies, ...incident }) => {
      const out = { ...incident, exampleRuns: [...incident.exampleRuns] };
      if (_latencies.length > 0) {
        out.worstMs = Math.max(..._latencies);
        out.typicalMs = median(_latencies);
      }
      return out;
    });
  }
}
