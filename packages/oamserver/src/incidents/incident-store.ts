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
type Supersede = (key: string, kind: string, id: string, by: string, now: number) => Promise<string | null>;

/** Registers a Lua script of ../../lua on the client (once) and returns a function that runs it. */
function defineScript<T>(redis: OamRedis, name: string, file: string): T {
  const commands = redis as unknown as Record<string, unknown>;
  if (typeof commands[name] !== 'function') {
    redis.defineCommand(name, { numberOfKeys: 1, lua: readFileSync(join(__dirname, '..', '..', 'lua', file), 'utf8') });
  }
  const command = commands[name] as (...args: unknown[]) => unknown;
  return ((...args: unknown[]) => command.apply(redis, args)) as T;
}

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
  private readonly _supersede: Supersede;

  constructor(
    private readonly _redis: OamRedis,
    private readonly _keys: RedisKeys,
    private readonly _rules: IncidentRules,
  ) {
    this._recordVisit = defineScript<RecordVisit>(this._redis, 'hoptraceRecordVisit', 'record-visit.lua');
    this._supersede = defineScript<Supersede>(this._redis, 'hoptraceSupersedeIncident', 'supersede-incident.lua');
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

  /** Writes an incident to the list (after any transition), in one MULTI (the list keys share a hash tag). */
  async save(incident: Incident): Promise<void> {
    const id = incident.id;
    const tx = this._redis.multi().hset(this._keys.incidents(), id, JSON.stringify(incident));
    if (incident.state === 'open') tx.sadd(this._keys.openIncidents(), id);
    else tx.srem(this._keys.openIncidents(), id);
    await tx.zadd(this._keys.recentIncidents(), incident.openedAtMs, id).exec();
    await this._trim();
  }

  /** Resolves an open instance-level incident that a service-wide one takes over (atomically, see supersede-incident.lua). */
  async supersede(incident: Incident, by: Incident): Promise<Incident | undefined> {
    if (incident.instance === undefined) return undefined;
    const raw = await this._supersede(
      this._keys.place(incident.probe, incident.service, incident.instance),
      incident.kind,
      incident.id,
      by.id,
      Date.now(),
    );
    if (!raw) return undefined;
    const resolved = normalize(JSON.parse(raw) as Incident);
    await this.save(resolved);
    return resolved;
  }

  /** One incident, or undefined when it is unknown (or forgotten). */
  async get(id: string): Promise<Incident | undefined> {
    const raw = await this._redis.hget(this._keys.incidents(), id);
    return raw ? normalize(JSON.parse(raw) as Incident) : undefined;
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

  /** Forgets incidents past the cap, and resolved ones opened longer ago than the retention. */
  private async _trim(): Promise<void> {
    const index = this._keys.recentIncidents();
    const excess = (await this._redis.zcard(index)) - MAX_RECENT_INCIDENTS;
    const expired = await this._redis.zrangebyscore(index, '-inf', Date.now() - this._rules.retentionMs);
    const capped = excess > 0 ? await this._redis.zrange(index, '0', String(excess - 1)) : [];
    const old = [...new Set([...expired, ...capped])];
    if (old.length === 0) return;
    const open = new Set(await this._redis.smembers(this._keys.openIncidents()));
    const forget = old.filter((id) => !open.has(id));
    if (forget.length === 0) return;
    await this._redis.zrem(index, ...forget);
    await this._redis.hdel(this._keys.incidents(), ...forget);
  }
}

export type { IncidentKind };
