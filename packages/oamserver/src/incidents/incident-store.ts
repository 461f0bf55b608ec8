import { join } from 'node:path';
import type { RedisKeys } from '@hoptrace/core';
import { defineLuaCommand } from '@hoptrace/core/redis';
import { z } from 'zod';
import { incidentSchema } from '@hoptrace/core/api';
import type { OamRedis } from '../store/redis-client';
import { StoredJson } from '../store/stored-json';
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

/** cjson writes an empty list as `{}` (and leaves out an absent one): read lists back as arrays. */
const luaList = z
  .union([z.array(z.string()), z.strictObject({})])
  .optional()
  .transform((value): string[] => (Array.isArray(value) ? value : []));

/** An incident as stored, and as the scripts return it: the API's shape, its lists as cjson writes them. */
const storedIncidentSchema = incidentSchema.extend({ exampleRuns: luaList, instancesFailing: luaList });

/** One transition as record-visit.lua returns it. */
const incidentTransitionSchema = z.object({
  type: z.enum(['opened', 'updated', 'resolved']),
  incident: storedIncidentSchema,
}) satisfies z.ZodType<IncidentTransition>;

/** The answer of record-visit.lua: a list of transitions, each checked on its own. */
const transitionListSchema = z.array(z.unknown());

/** Rules of incidents. */
export interface IncidentRules {
  openAfter: number;
  resolveAfter: number;
  retentionMs: number;
}

type RecordVisit = (key: string, ...args: (string | number)[]) => Promise<string>;
type Supersede = (key: string, kind: string, id: string, by: string, now: number) => Promise<string | null>;

/** The path of a Lua script of ../../lua (shipped next to dist/). */
function luaFile(file: string): string {
  return join(__dirname, '..', '..', 'lua', file);
}

/** Most incidents kept in the recent index (older ones are forgotten). */
const MAX_RECENT_INCIDENTS = 1000;

/**
 * Incidents in Redis. Each place's streaks and current incident change in one atomic script
 * (record-visit.lua), so several Oamservers, or one restarted, agree on when an incident opens
 * and resolves, and each transition happens once. The incident list (a hash, an open set and a
 * trimmed recent index) is a view written after each transition. What is read back (incidents,
 * the scripts' answers) is parsed with its schema: a corrupt incident reads as unknown and is left
 * out of lists, a corrupt transition is left out; each is reported through `warn`.
 */
export class IncidentStore {
  /** Parses what is read back; counts corrupt records (`stored.counts()`). */
  readonly stored: StoredJson;
  private readonly _recordVisit: RecordVisit;
  private readonly _supersede: Supersede;

  constructor(
    private readonly _redis: OamRedis,
    private readonly _keys: RedisKeys,
    private readonly _rules: IncidentRules,
    options: { warn?: (message: string) => void } = {},
  ) {
    this.stored = new StoredJson(options.warn);
    this._recordVisit = defineLuaCommand<RecordVisit>(this._redis, 'hoptraceRecordVisit', luaFile('record-visit.lua'));
    this._supersede = defineLuaCommand<Supersede>(
      this._redis,
      'hoptraceSupersedeIncident',
      luaFile('supersede-incident.lua'),
    );
  }

  /**
   * Records one visit; returns the incident transitions it caused. A transition that fails its
   * schema (the place's state in Redis was corrupt) is left out and reported, not thrown: a throw
   * here would count as a storage outage.
   */
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
    const transitions = this.stored.parse(transitionListSchema, raw, 'incident transition list') ?? [];
    return transitions.flatMap((t) => this.stored.check(incidentTransitionSchema, t, 'incident transition') ?? []);
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

  /**
   * Resolves an open instance-level incident that a service-wide one takes over (atomically, see
   * supersede-incident.lua). Undefined when it was no longer open, or the script's answer is corrupt.
   */
  async supersede(incident: Incident, by: Incident): Promise<Incident | undefined> {
    if (incident.instance === undefined) return undefined;
    const raw = await this._supersede(
      this._keys.place(incident.probe, incident.service, incident.instance),
      incident.kind,
      incident.id,
      by.id,
      Date.now(),
    );
    const resolved = this.stored.parse(storedIncidentSchema, raw, 'incident');
    if (!resolved) return undefined;
    await this.save(resolved);
    return resolved;
  }

  /** One incident, or undefined when it is unknown (or forgotten), or stored corrupt. */
  async get(id: string): Promise<Incident | undefined> {
    const raw = await this._redis.hget(this._keys.incidents(), id);
    return this.stored.parse(storedIncidentSchema, raw, 'incident');
  }

  /** Incidents, open ones or all recent ones, newest first; corrupt ones are left out. */
  async list(options: { state?: 'open' | 'all'; limit?: number } = {}): Promise<Incident[]> {
    const ids =
      options.state === 'open'
        ? await this._redis.smembers(this._keys.openIncidents())
        : await this._redis.zrevrange(this._keys.recentIncidents(), 0, (options.limit ?? 100) - 1);
    if (ids.length === 0) return [];
    const raws = await this._redis.hmget(this._keys.incidents(), ...ids);
    const incidents = raws.flatMap((r) => this.stored.parse(storedIncidentSchema, r, 'incident') ?? []);
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
