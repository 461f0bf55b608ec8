import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RedisKeys } from '@hoptrace/core';
import type { OamRedis } from '../store/redis-client';
import type { Incident, IncidentKind } from './types';

/** One visit of a place, as record-visit.lua takes it. */
export interface PlaceVisit {
  probe: string;
  service: string;
  /** The place's instance; undefined for the service as a whole. */
  placeInstance: string | undefined;
  /** The fault kind, or undefined for a healthy visit. */
  kind: IncidentKind | undefined;
  /** The instance this visit went through, when known. */
  visitInstance: string | undefined;
  runId: string;
  firedAtMs: number;
  latencyMs?: number;
  reason: string;
  minDistinct: number;
  suppressOpen: boolean;
}

/** What a visit did to an incident. */
export interface IncidentTransition {
  type: 'opened' | 'updated' | 'resolved';
  incident: Incident;
}

/** Rules of incidents. */
export interface IncidentRules {
  openAfter: number;
  resolveAfter: number;
  retentionMs: number;
}

type RecordVisit = (key: string, ...args: (string | number)[]) => Promise<string>;

/** cjson writes an empty list as `{}`: read lists back as arrays. */
function normalize(incident: Incident): Incident {
  const list = (value: unknown): string[] => (Array.isArray(value) ? (value as string[]) : []);
  return { ...incident, exampleRuns: list(incident.exampleRuns), instancesFailing: list(incident.instancesFailing) };
}

/** Most incidents kept in the recent index (older ones are forgotten). */
const MAX_RECENT_INCIDENTS = 1000;

/**
 * Incidents in Redis. Each place's streaks and current incident change in one atomic script
 * (record-visit.lua), so several Oamservers, or one restarted, agree on when an incident opens
 * and resolves, and each transition happens once. The incident list (a hash, an open set and a
 * trimmed recent index) is a view written after each transition.
 */
export class IncidentStore {
  private readonly _recordVisit: RecordVisit;

  constructor(
    private readonly _redis: OamRedis,
    private readonly _keys: RedisKeys,
    private readonly _rules: IncidentRules,
  ) {
    const commands = this._redis as unknown as Record<string, RecordVisit | undefined>;
    if (typeof commands.hoptraceRecordVisit !== 'function') {
      this._redis.defineCommand('hoptraceRecordVisit', {
        numberOfKeys: 1,
        lua: readFileSync(join(__dirname, '..', '..', 'lua', 'record-visit.lua'), 'utf8'),
      });
    }
    this._recordVisit = (key, ...args) =>
      (this._redis as unknown as { hoptraceRecordVisit: RecordVisit }).hoptraceRecordVisit(key, ...args);
  }

  get rules(): IncidentRules {
    return this._rules;
  }

  /** Records one visit; returns the incident transitions it caused. */
  async visit(visit: PlaceVisit): Promise<IncidentTransition[]> {
    const raw = await this._recordVisit(
      this._keys.place(visit.probe, visit.service, visit.placeInstance),
      Date.now(),
      visit.runId,
      visit.firedAtMs,
      visit.kind ?? '',
      this._rules.openAfter,
      this._rules.resolveAfter,
      visit.minDistinct,
      visit.visitInstance ?? '',
      visit.latencyMs === undefined ? '' : Math.round(visit.latencyMs * 1000) / 1000,
      visit.reason,
      this._rules.retentionMs,
      JSON.stringify({
        probe: visit.probe,
        service: visit.service,
        ...(visit.placeInstance ? { instance: visit.placeInstance } : {}),
      }),
      visit.suppressOpen ? '1' : '0',
    );
    const transitions = JSON.parse(raw) as IncidentTransition[];
    return transitions.map((t) => ({ type: t.type, incident: normalize(t.incident) }));
  }

  /** Writes an incident to the list (after any transition). */
  async save(incident: Incident): Promise<void> {
    const id = incident.id;
    await Promise.all([
      this._redis.hset(this._keys.incidents(), id, JSON.stringify(incident)),
      incident.state === 'open'
        ? this._redis.sadd(this._keys.openIncidents(), id)
        : this._redis.srem(this._keys.openIncidents(), id),
      this._redis.zadd(this._keys.recentIncidents(), incident.openedAtMs, id),
    ]);
    await this._trim();
  }

  /** Marks an open instance-level incident as taken over by a service-wide one. Returns it, resolved. */
  async supersede(incident: Incident, by: Incident): Promise<Incident | undefined> {
    const key = this._keys.place(incident.probe, incident.service, incident.instance);
    const raw = await this._redis.hget(key, incident.kind);
    if (!raw) return undefined;
    const state = JSON.parse(raw) as { incident?: Incident };
    if (!state.incident || state.incident.id !== incident.id || state.incident.state !== 'open') return undefined;
    state.incident = { ...normalize(state.incident), state: 'resolved', resolvedAtMs: Date.now(), mergedInto: by.id };
    await this._redis.hset(key, incident.kind, JSON.stringify(state));
    await this.save(state.incident);
    return state.incident;
  }

  /** Incidents, open ones or all recent ones, newest first. */
  async list(options: { state?: 'open' | 'all'; limit?: number } = {}): Promise<Incident[]> {
    const ids =
      options.state === 'open'
        ? await this._redis.smembers(this._keys.openIncidents())
        : await this._redis.zrevrange(this._keys.recentIncidents(), 0, (options.limit ?? 100) - 1);
    if (ids.length === 0) return [];
    const raws = await this._redis.hmget(this._keys.incidents(), ...ids);
    const incidents = raws.filter((r): r is string => r !== null).map((r) => normalize(JSON.parse(r) as Incident));
    return incidents.sort((a, b) => b.openedAtMs - a.openedAtMs).slice(0, options.limit ?? 100);
  }

  private async _trim(): Promise<void> {
    const index = this._keys.recentIncidents();
    const excess = (await this._redis.zcard(index)) - MAX_RECENT_INCIDENTS;
    if (excess <= 0) return;
    const old = await this._redis.zrange(index, '0', String(excess - 1));
    const open = new Set(await this._redis.smembers(this._keys.openIncidents()));
    const forget = old.filter((id) => !open.has(id));
    if (forget.length === 0) return;
    await this._redis.zrem(index, ...forget);
    await this._redis.hdel(this._keys.incidents(), ...forget);
  }
}

export type { IncidentKind };
