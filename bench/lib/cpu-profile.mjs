// Reading a V8 CPU profile (`node --cpu-prof`): where a process's CPU time went within a time
// window, by function (self time), by area (an Oamserver or core source file, a dependency, Node
// internals, GC) and inclusively for chosen functions. Profile timestamps are CLOCK_MONOTONIC µs,
// the same clock as process.hrtime() in any process on the machine, so windows measured in the
// bench process select the samples of that window.

/** Microseconds on the monotonic clock every process shares (compare with profile timestamps). */
export const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/** Where a function lives, in words: `oamserver:store/run-store.js`, `zod`, `node:internal/...`, `(gc)`. */
function areaOf(callFrame) {
  const { url, functionName } = callFrame;
  if (!url) {
    if (functionName.startsWith('(')) return functionName; // (garbage collector), (program), (idle)
    return `V8 builtin (${functionName || 'anonymous'})`;
  }
  const pkg = /\/packages\/(\w+)\/dist\/(.+)$/.exec(url);
  if (pkg) return `${pkg[1]}:${pkg[2]}`;
  const dep = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (dep) return dep[1];
  if (url.startsWith('node:'))
    return url
      .replace(/^node:internal\/(deps\/)?/, 'node:')
      .split('/')
      .slice(0, 2)
      .join('/');
  return url;
}

const functionKey = (callFrame) =>
  `${callFrame.functionName || '(anonymous)'} ${areaOf(callFrame)}${callFrame.url ? `:${callFrame.lineNumber + 1}` : ''}`;

/** Indexes a profile once: each sample's node and time, each node's parent. */
export function loadProfile(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const times = [];
  let t = profile.startTime;
  for (const delta of profile.timeDeltas) times.push((t += delta));
  return { profile, byId, parent, times };
}

/**
 * What the process did between `fromUs` and `toUs` (monotonic µs): busy time (all samples but
 * idle), self time by area and by function (top `top`), and inclusive time (the function and what
 * it calls, counted once per sample) of the functions in `inclusive`, each given as `name` or
 * `name@where` (`where` a part of its area, e.g. `json@run-store` apart from Express's `json`).
 * Every sample counts as the time until the next one.
 */
export function sliceProfile(loaded, fromUs, toUs, { top = 15, inclusive = [] } = {}) {
  const { profile, byId, parent, times } = loaded;
  const byArea = new Map();
  const byFunction = new Map();
  const inclusiveUs = new Map(inclusive.map((spec) => [spec, 0]));
  const specs = inclusive.map((spec) => {
    const [name, where] = spec.split('@');
    return { spec, name, where };
  });
  const matching = (frame) =>
    specs.filter((s) => s.name === frame.functionName && (!s.where || areaOf(frame).includes(s.where)));
  let busyUs = 0;
  let idleUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const at = times[i];
    if (at < fromUs || at > toUs) continue;
    const dt = (times[i + 1] ?? profile.endTime) - at;
    const node = byId.get(profile.samples[i]);
    const frame = node.callFrame;
    if (frame.functionName === '(idle)') {
      idleUs += dt;
      continue;
    }
    busyUs += dt;
    const area = areaOf(frame);
    byArea.set(area, (byArea.get(area) ?? 0) + dt);
    const key = functionKey(frame);
    byFunction.set(key, (byFunction.get(key) ?? 0) + dt);
    if (specs.length > 0) {
      const seen = new Set();
      for (let id = node.id; id !== undefined; id = parent.get(id)) {
        for (const { spec } of matching(byId.get(id).callFrame)) {
          if (seen.has(spec)) continue;
          seen.add(spec);
          inclusiveUs.set(spec, inclusiveUs.get(spec) + dt);
        }
      }
    }
  }
  const ms = (us) => Math.round(us / 100) / 10;
  const ranked = (map) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: ms(us), share: busyUs ? Math.round((1000 * us) / busyUs) / 10 : 0 }));
  return {
    windowMs: ms(toUs - fromUs),
    busyMs: ms(busyUs),
    idleMs: ms(idleUs),
    byArea: ranked(byArea),
    byFunction: ranked(byFunction),
    inclusive: Object.fromEntries([...inclusiveUs.entries()].map(([name, us]) => [name, ms(us)])),
  };
}
