import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HopRecord } from '@hoptrace/core';
import { matchPath, pathSlots, type PathStep } from '../src/classifier/expected-path';
import { VERDICTS, isFault } from '../src/classifier/types';
import { chain, classifyWithPath, loseContext, treeHops, type CallTree } from './support/call-tree';

// Random structured paths (services repeated, optional, in groups), and runs built from them.

const SERVICES = ['gateway', 'auth', 'cache', 'mailbox', 'recorder', 'storage', 'notifier'] as const;
/** A service that is in no generated path. */
const STRANGER = 'transcoder';
const SETTINGS = { seed: 42, numRuns: 200 };

const service = fc.constantFrom(...SERVICES);
const optionalService = service.map((s) => ({ service: s, optional: true }));
const member = fc.oneof(service, optionalService);
const step: fc.Arbitrary<PathStep> = fc.oneof(
  { weight: 4, arbitrary: service },
  { weight: 1, arbitrary: optionalService },
  { weight: 2, arbitrary: fc.array(member, { minLength: 2, maxLength: 4 }).map((anyOrder) => ({ anyOrder })) },
);
const path = fc.array(step, { minLength: 1, maxLength: 6 });
/** A path with at least one required service. */
const pathWithRequired = path.filter((p) => pathSlots(p).some((slot) => !slot.optional));

/** One hop of a run the path admits: its service, whether its slot is required, and its step. */
interface Visit {
  service: string;
  required: boolean;
  rank: number;
}

/** A run the path admits: optional services present or not, each group in some order. */
function admittedRun(steps: readonly PathStep[]): fc.Arbitrary<Visit[]> {
  const parts = steps.map((s, rank): fc.Arbitrary<Visit[]> => {
    if (typeof s === 'string') return fc.constant([{ service: s, required: true, rank }]);
    if ('service' in s)
      return fc.boolean().map((present) => (present ? [{ service: s.service, required: false, rank }] : []));
    const members = s.anyOrder.map((m) =>
      typeof m === 'string'
        ? { service: m, required: true, rank }
        : { service: m.service, required: !m.optional, rank },
    );
    return fc
      .tuple(
        fc.shuffledSubarray(members, { minLength: members.length, maxLength: members.length }),
        fc.array(fc.boolean(), { minLength: members.length, maxLength: members.length }),
      )
      .map(([order, present]) => order.filter((m, i) => m.required || present[i]));
  });
  return fc.tuple(...parts).map((visits) => visits.flat());
}

const pathAndRun = (paths: fc.Arbitrary<PathStep[]>) =>
  paths.chain((p) => admittedRun(p).map((run) => ({ path: p, run })));

/** The hops of a run that went through `services` one after the other (each calls the next). */
function chainHops(services: readonly string[]): HopRecord[] {
  return services.length === 0 ? [] : treeHops(chain(services));
}

describe('classify, richer paths: properties', () => {
  it('a run the path admits (optional services present or not, groups in any order) is ok', () => {
    fc.assert(
      fc.property(pathAndRun(path), ({ path: p, run }) => {
        const result = classifyWithPath(p, chainHops(run.map((v) => v.service)));
        expect(result.verdict).toBe('ok');
        expect(result.facts.missingHops).toEqual([]);
        expect(result.facts.extraHops).toEqual([]);
      }),
      SETTINGS,
    );
  });

  it('a run that stopped before a required hop is lost at a service of that step', () => {
    let strong = 0;
    fc.assert(
      fc.property(pathAndRun(pathWithRequired), fc.nat(), ({ path: p, run }, pick) => {
        const required = run.flatMap((visit, i) => (visit.required ? [i] : []));
        const k = required[pick % required.length]!;
        const stoppedAt = run[k]!;
        const prefix = run.slice(0, k).map((v) => v.service);
        const result = classifyWithPath(p, chainHops(prefix));
        const slots = pathSlots(p);
        const requiredUpTo = (rank: number) => slots.filter((slot) => !slot.optional && slot.rank <= rank);
        const shortBy = (rank: number) =>
          requiredUpTo(rank).some(
            (slot) =>
              prefix.filter((s) => s === slot.service).length <
              requiredUpTo(rank).filter((other) => other.service === slot.service).length,
          );
        // Some hop is surely missing; it is surely of the step where the run stopped when the hops
        // before the stop cannot complete that step (an optional copy of a service cannot stand
        // in), and none of them could stand for a later step.
        const short = shortBy(slots.length);
        const laterServices = new Set(slots.filter((slot) => slot.rank > stoppedAt.rank).map((slot) => slot.service));
        if (shortBy(stoppedAt.rank) && !prefix.some((s) => laterServices.has(s))) {
          strong++;
          expect(result.verdict).toBe('lost');
          const candidates = slots
            .filter((slot) => slot.rank === stoppedAt.rank && !slot.optional)
            .map((s) => s.service);
          expect(candidates).toContain(result.facts.firstMissingHop);
          if (typeof p[stoppedAt.rank] === 'string') expect(result.facts.firstMissingHop).toBe(stoppedAt.service);
        } else if (short) {
          // The hops before the stop also fit a run that skipped a service.
          expect(['lost', 'unexpected-path']).toContain(result.verdict);
          expect(result.facts.firstMissingHop).toBeDefined();
        } else {
          // As many hops of each service as the path requires came: an optional copy may stand in
          // for the missing one (ok, or out of order), or keep its own slot (lost).
          expect(['ok', 'lost', 'unexpected-path']).toContain(result.verdict);
        }
      }),
      SETTINGS,
    );
    expect(strong).toBeGreaterThan(SETTINGS.numRuns / 2);
  });

  it('a hop of a service not in the path makes the run unexpected-path, blamed on it', () => {
    fc.assert(
      fc.property(pathAndRun(path), fc.nat(), ({ path: p, run }, at) => {
        const services = run.map((v) => v.service);
        services.splice(at % (services.length + 1), 0, STRANGER);
        const result = classifyWithPath(p, chainHops(services));
        expect(result.verdict).toBe('unexpected-path');
        expect(result.fault).toMatchObject({ service: STRANGER, instance: `${STRANGER}-1` });
        expect(result.facts.extraHops).toEqual([STRANGER]);
      }),
      SETTINGS,
    );
  });

  it('one hop more of a service than the path has is unexpected-path, blamed on that service', () => {
    fc.assert(
      fc.property(pathAndRun(pathWithRequired), fc.nat(), fc.nat(), ({ path: p, run }, pick, at) => {
        const slots = pathSlots(p);
        const services = run.map((v) => v.service);
        const full = [...new Set(services)].filter(
          (s) => services.filter((x) => x === s).length === slots.filter((slot) => slot.service === s).length,
        );
        fc.pre(full.length > 0);
        const extra = full[pick % full.length]!;
        services.splice(at % (services.length + 1), 0, extra);
        const result = classifyWithPath(p, chainHops(services));
        expect(result.verdict).toBe('unexpected-path');
        expect(result.fault?.service).toBe(extra);
        expect(result.fault?.reason).toMatch(
          new RegExp(`^${extra} came \\d+ times, the path expects it (at most )?\\d+ times?$`),
        );
      }),
      SETTINGS,
    );
  });
});

describe('matchPath: properties', () => {
  const observed = fc.array(fc.constantFrom(...SERVICES, STRANGER), { maxLength: 16 });

  it('never gives one hop to two slots, and leaves a slot empty only when no hop of its service is left', () => {
    fc.assert(
      fc.property(path, observed, (p, services) => {
        const match = matchPath(p, services);
        const filled = match.hopOfSlot.filter((h): h is number => h !== undefined);
        expect(new Set(filled).size).toBe(filled.length);
        match.hopOfSlot.forEach((hop, s) => {
          if (hop === undefined) {
            expect(services.some((x, i) => x === match.slots[s]!.service && match.slotOfHop[i] === undefined)).toBe(
              false,
            );
          } else {
            expect(services[hop]).toBe(match.slots[s]!.service);
            expect(match.slotOfHop[hop]).toBe(s);
          }
        });
        expect(match.extra).toEqual(services.flatMap((_, i) => (match.slotOfHop[i] === undefined ? [i] : [])));
        // Out of order exactly when a hop fills an earlier step than a hop before it.
        const ranks = match.slotOfHop.flatMap((slot) => (slot === undefined ? [] : [match.slots[slot]!.rank]));
        const inversion = ranks.some((rank, i) => ranks.slice(0, i).some((before) => before > rank));
        expect(match.firstOutOfOrder !== undefined).toBe(inversion);
      }),
      SETTINGS,
    );
  });

  it('fills every slot of a run the path admits, in order', () => {
    fc.assert(
      fc.property(pathAndRun(path), ({ path: p, run }) => {
        const match = matchPath(
          p,
          run.map((v) => v.service),
        );
        expect(match.extra).toEqual([]);
        expect(match.firstOutOfOrder).toBeUndefined();
        match.slots.forEach((slot, s) => {
          if (!slot.optional) expect(match.hopOfSlot[s]).toBeDefined();
        });
      }),
      SETTINGS,
    );
  });
});

describe('classify, richer paths: never throws', () => {
  /** A random call tree: hop i (i > 0) is called by one of the hops before it. */
  const tree = fc
    .array(fc.tuple(fc.constantFrom(...SERVICES, STRANGER), fc.nat()), { minLength: 1, maxLength: 12 })
    .map((nodes): CallTree => {
      const children = nodes.map((): number[] => []);
      nodes.forEach((_, i) => {
        if (i > 0) children[nodes[i]![1] % i]!.push(i);
      });
      const build = (i: number): CallTree => {
        const calls = children[i]!.map(build);
        return calls.length === 0 ? nodes[i]![0] : [nodes[i]![0], ...calls];
      };
      return build(0);
    });
  const damage = fc.array(fc.constantFrom('none', 'error', 'lost-context', 'dropped'), { maxLength: 12 });

  it('gives one of the verdicts, with a fault exactly when it is a fault verdict, the same twice', () => {
    fc.assert(
      fc.property(path, tree, damage, (p, t, harm) => {
        const hops = treeHops(t).filter((hop, i) => {
          if (harm[i] === 'error') hop.status = 'error';
          if (harm[i] === 'lost-context') loseContext(hop);
          return harm[i] !== 'dropped';
        });
        const first = classifyWithPath(p, hops);
        expect(VERDICTS).toContain(first.verdict);
        expect(first.fault !== undefined).toBe(isFault(first.verdict));
        expect(classifyWithPath(p, hops)).toEqual(first);
      }),
      SETTINGS,
    );
  });
});
