import type { GroupStep, PathStep, ServiceStep } from '../config/path-schema';

export type { PathStep } from '../config/path-schema';

/** One place in an expected path that one hop fills: a service step, alone or in a group. */
export interface PathSlot {
  service: string;
  optional: boolean;
  /** The index of its step in the path: members of one `anyOrder` group share it. */
  rank: number;
}

function slotOf(step: ServiceStep, rank: number): PathSlot {
  return typeof step === 'string'
    ? { service: step, optional: false, rank }
    : { service: step.service, optional: step.optional === true, rank };
}

function isGroup(step: PathStep): step is GroupStep {
  return typeof step === 'object' && 'anyOrder' in step;
}

/** The slots of a path, in the order written (group members in their written order). */
export function pathSlots(steps: readonly PathStep[]): PathSlot[] {
  return steps.flatMap((step, rank) =>
    isGroup(step) ? step.anyOrder.map((member) => slotOf(member, rank)) : [slotOf(step, rank)],
  );
}

/** The services of a path, flattened in order, repeats kept, optional ones included (`RunRecord.path`). */
export function pathServices(steps: readonly PathStep[]): string[] {
  return pathSlots(steps).map((slot) => slot.service);
}

/** Whether a path says more than a list of names can: an optional service or an `anyOrder` group. */
export function isStructured(steps: readonly PathStep[]): boolean {
  return steps.some((step) => typeof step !== 'string' && (isGroup(step) || step.optional === true));
}

function formatService(step: ServiceStep): string {
  return typeof step === 'string' ? step : `${step.service}${step.optional === true ? '?' : ''}`;
}

/** The path in words: `gateway → cache? → (mailbox | recorder) → gateway`. */
export function formatPath(steps: readonly PathStep[]): string {
  return steps
    .map((step) => (isGroup(step) ? `(${step.anyOrder.map(formatService).join(' | ')})` : formatService(step)))
    .join(' → ');
}

function copyService(step: ServiceStep): ServiceStep {
  return typeof step === 'string'
    ? step
    : { service: step.service, ...(step.optional === true ? { optional: true } : {}) };
}

/**
 * What a run record keeps of a probe's path: `path`, the flattened services (what metrics, views
 * and the flow map read), and `pathSteps`, the path as written, only when it has structure. The
 * runner spreads it into the RunRecord it stores.
 */
export function runPathFields(steps: readonly PathStep[]): { path: string[]; pathSteps?: PathStep[] } {
  const path = pathServices(steps);
  if (!isStructured(steps)) return { path };
  const pathSteps = steps.map((step) =>
    isGroup(step) ? { anyOrder: step.anyOrder.map(copyService) } : copyService(step),
  );
  return { path, pathSteps };
}

/**
 * Whether every required slot of a path has a hop of its service (order not considered): once it
 * has, waiting longer can only add hops the path does not require.
 */
export function hasEveryRequiredHop(steps: readonly PathStep[], observedServices: readonly string[]): boolean {
  const needed = new Map<string, number>();
  for (const slot of pathSlots(steps)) {
    if (!slot.optional) needed.set(slot.service, (needed.get(slot.service) ?? 0) + 1);
  }
  const seen = new Map<string, number>();
  for (const service of observedServices) seen.set(service, (seen.get(service) ?? 0) + 1);
  return [...needed].every(([service, count]) => (seen.get(service) ?? 0) >= count);
}

/** How a run's hops fill a path's slots: see matchPath. */
export interface PathMatch {
  slots: PathSlot[];
  /** Per slot, the index (in the observed list) of the hop that fills it, or undefined. */
  hopOfSlot: (number | undefined)[];
  /** Per observed hop, the slot it fills, or undefined (an extra hop). */
  slotOfHop: (number | undefined)[];
  /** Observed hops no slot took (a service not in the path, or one more time than the path has it), in order. */
  extra: number[];
  /** The first hop, in observed order, that came after a hop of a later step: out of order. */
  firstOutOfOrder?: number;
}

/**
 * Assigns a run's hops (their services, in causal order) to the slots of an expected path.
 *
 * The rule:
 * 1. In order first. Slots are taken step by step; a slot takes the earliest hop of its service
 *    that comes after the hops filling the earlier steps (the members of an `anyOrder` group share
 *    one rank: each is measured from the position before the group, and the step after the group
 *    from the last of them). An optional slot takes a hop only when that leaves every later
 *    required slot the hop it would have had: among the ways to fill slots in order, the one that
 *    fills the most required slots of the first step wins, then of the second, and so on, then
 *    the one with the most optional slots filled. (Taking the earliest hop slot by slot is not
 *    enough: with `[cache?, b, cache]` and the run `b, cache`, the optional slot would take the
 *    only cache hop and leave the required one empty.) Earlier steps first means a run that
 *    stopped is missing its last slots, not its first ones.
 * 2. Out of order next. A slot still empty takes the earliest unused hop of its service anywhere
 *    (required slots first, then optional ones): that hop came out of order.
 * 3. A slot still empty is missing (unless optional); a hop no slot took is extra.
 *
 * The first out-of-order hop is the first, in observed order, whose slot's rank is lower than that
 * of a hop before it: with path `a, b, c` and the run `a, c, b`, b.
 */
export function matchPath(steps: readonly PathStep[], observedServices: readonly string[]): PathMatch {
  const slots = pathSlots(steps);
  const hopOfSlot: (number | undefined)[] = slots.map(() => undefined);
  const slotOfHop: (number | undefined)[] = observedServices.map(() => undefined);
  const assign = (slot: number, hop: number): void => {
    hopOfSlot[slot] = hop;
    slotOfHop[hop] = slot;
  };

  // Only hops of services in the path can fill a slot: the in-order search runs on those.
  const inPath = new Set(slots.map((s) => s.service));
  const candidates = observedServices.flatMap((service, i) => (inPath.has(service) ? [i] : []));
  for (const [slot, position] of inOrder(
    slots,
    steps.length,
    candidates.map((i) => observedServices[i]!),
  )) {
    assign(slot, candidates[position]!);
  }

  const unused = (service: string): number =>
    observedServices.findIndex((s, i) => s === service && slotOfHop[i] === undefined);
  for (const optional of [false, true]) {
    slots.forEach((slot, s) => {
      if (slot.optional !== optional || hopOfSlot[s] !== undefined) return;
      const hop = unused(slot.service);
      if (hop >= 0) assign(s, hop);
    });
  }

  const extra = slotOfHop.flatMap((slot, i) => (slot === undefined ? [i] : []));
  const match: PathMatch = { slots, hopOfSlot, slotOfHop, extra };
  let highest = -1;
  for (const [i, slot] of slotOfHop.entries()) {
    if (slot === undefined) continue;
    const rank = slots[slot]!.rank;
    if (rank < highest) {
      match.firstOutOfOrder = i;
      break;
    }
    highest = rank;
  }
  return match;
}

/** How well steps r.. are filled: required slots filled per step (r first), then optional ones in all. */
interface Score {
  required: number[];
  optional: number;
}

/**
 * Whether filling `required` and `optional` slots of a step, then steps after it as `rest`, beats
 * the same for `than`: this step's required slots first, then the later steps', then optional ones.
 */
function beats(
  required: number,
  optional: number,
  rest: Score,
  than: { required: number; optional: number; rest: Score },
): boolean {
  if (required !== than.required) return required > than.required;
  for (let i = 0; i < rest.required.length; i++) {
    if (rest.required[i] !== than.rest.required[i]) return rest.required[i]! > than.rest.required[i]!;
  }
  return optional + rest.optional > than.optional + than.rest.optional;
}

/**
 * The in-order part of matchPath: the assignment (slot → position in `services`) that keeps steps
 * in order and fills the most required slots of the first step, then of the second, and so on,
 * then the most optional slots. Dynamic programming over (step, position reached): best[r][p + 1]
 * is the best score of steps r.. using positions after p. A step takes, for some end e, the
 * earliest hops of its services in (p, e] (a single slot: the earliest hop of its service, or
 * none); at an equal score the earliest end wins. O(steps² × hops²) at worst.
 */
function inOrder(slots: readonly PathSlot[], stepCount: number, services: readonly string[]): [number, number][] {
  const n = services.length;
  // Per step, its members by service, required ones first (they take hops first).
  const membersOf = Array.from({ length: stepCount }, () => new Map<string, number[]>());
  slots.forEach((slot, s) => {
    const byService = membersOf[slot.rank]!;
    byService.set(slot.service, [...(byService.get(slot.service) ?? []), s]);
  });
  for (const byService of membersOf) {
    for (const list of byService.values()) list.sort((a, b) => Number(slots[a]!.optional) - Number(slots[b]!.optional));
  }

  const best: Score[][] = [];
  best[stepCount] = new Array<Score>(n + 1).fill({ required: [], optional: 0 });
  // Where step r, from position p, ends: the position after which the next step looks (p when it takes nothing).
  const endAt: number[][] = [];
  for (let r = stepCount - 1; r >= 0; r--) {
    const members = membersOf[r]!;
    const size = slots.filter((slot) => slot.rank === r).length;
    best[r] = [];
    endAt[r] = [];
    for (let p = -1; p < n; p++) {
      const chosen = { required: 0, optional: 0, rest: best[r + 1]![p + 1]!, end: p };
      const taken = new Map<string, number>();
      let required = 0;
      let optional = 0;
      for (let e = p + 1; e < n; e++) {
        const list = members.get(services[e]!);
        if (!list) continue;
        const count = (taken.get(services[e]!) ?? 0) + 1;
        taken.set(services[e]!, count);
        if (count > list.length) continue; // every member of that service is already filled
        if (slots[list[count - 1]!]!.optional) optional++;
        else required++;
        const rest = best[r + 1]![e + 1]!;
        if (beats(required, optional, rest, chosen)) Object.assign(chosen, { required, optional, rest, end: e });
        // Once every slot of the step is filled, a later end only leaves less room (a single slot
        // takes the earliest hop of its service, or none).
        if (required + optional === size) break;
      }
      best[r]![p + 1] = {
        required: [chosen.required, ...chosen.rest.required],
        optional: chosen.optional + chosen.rest.optional,
      };
      endAt[r]![p + 1] = chosen.end;
    }
  }

  const assigned: [number, number][] = [];
  let p = -1;
  for (let r = 0; r < stepCount; r++) {
    const e = endAt[r]![p + 1]!;
    const taken = new Map<string, number>();
    for (let i = p + 1; i <= e; i++) {
      const list = membersOf[r]!.get(services[i]!);
      if (!list) continue;
      const count = taken.get(services[i]!) ?? 0;
      if (count >= list.length) continue;
      taken.set(services[i]!, count + 1);
      assigned.push([list[count]!, i]);
    }
    p = e;
  }
  return assigned;
}

/**
 * The slot the run passed last before step `rank`: walking back step by step, the filled slot of
 * the nearest step that has one (in a group, the one whose hop came last), or that step's last
 * required slot when none is filled; steps of optional slots that stayed empty are passed over.
 */
export function slotBefore(match: PathMatch, rank: number): number | undefined {
  for (let r = rank - 1; r >= 0; r--) {
    let filled: number | undefined;
    let required: number | undefined;
    match.slots.forEach((slot, s) => {
      if (slot.rank !== r) return;
      const hop = match.hopOfSlot[s];
      if (hop !== undefined && (filled === undefined || hop > match.hopOfSlot[filled]!)) filled = s;
      if (!slot.optional) required = s;
    });
    if (filled !== undefined) return filled;
    if (required !== undefined) return required;
  }
  return undefined;
}
