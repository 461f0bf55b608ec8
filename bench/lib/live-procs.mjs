// CPU time of the processes bench/dashboard-live.mjs starts, and of the machine, from /proc
// (Linux only; null elsewhere). Chromium's processes are found as the descendants of this
// process that run chromium, grouped by their `--type=` (renderer, gpu-process, utility, the
// browser itself): other chromiums on the machine (a test suite's) are not counted.
import { readdirSync, readFileSync } from 'node:fs';
import { cpuTimeUs } from './proc-stats.mjs';

function readStat(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid: Number(pid), comm, ppid: Number(fields[1]) };
  } catch {
    return undefined;
  }
}

/** Chromium processes under this process: [{ pid, type }]. */
export function chromiumProcesses(rootPid = process.pid) {
  let pids;
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  const stats = pids.map(readStat).filter(Boolean);
  const children = new Map();
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  const out = [];
  const walk = (pid) => {
    for (const child of children.get(pid) ?? []) {
      if (child.comm.startsWith('chrom')) {
        let type = 'browser';
        try {
          const args = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split(/[\0 ]/);
          type = args.find((a) => a.startsWith('--type='))?.slice(7) ?? 'browser';
          // The headless shell's own UI is a renderer too; keep it apart from the pages'.
          if (args.includes('--top-chrome-webui')) type = `${type} (browser UI)`;
        } catch {
          // gone meanwhile
        }
        out.push({ pid: child.pid, type });
      }
      walk(child.pid);
    }
  };
  walk(rootPid);
  return out;
}

/** CPU time (µs) used so far by each chromium process under this one, by pid. */
export function chromiumCpu() {
  return chromiumProcesses().map((p) => ({ ...p, cpuUs: cpuTimeUs(p.pid) }));
}

/**
 * Chromium's CPU between two chromiumCpu() readings, in ms by process type. A process that
 * started in between counts from zero; one that ended is lost (its time is not known).
 */
export function chromiumCpuDelta(before, after) {
  const was = new Map(before.map((p) => [p.pid, p.cpuUs ?? 0]));
  const byType = {};
  for (const p of after) {
    if (p.cpuUs === null) continue;
    const ms = (p.cpuUs - (was.get(p.pid) ?? 0)) / 1000;
    byType[p.type] = Math.round((byType[p.type] ?? 0) + ms);
  }
  return byType;
}

/** The machine's CPU counters (all cores), from the first line of /proc/stat; null off Linux. */
export function machineCpu() {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = v[3] + (v[4] ?? 0); // idle + iowait
    const steal = v[7] ?? 0;
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    return { total, idle, steal };
  } catch {
    return null;
  }
}

/** Share of the machine's CPU that was busy (and stolen by the hypervisor) between two machineCpu() readings, in %. */
export function machineBusy(before, after) {
  if (!before || !after) return null;
  const total = after.total - before.total;
  if (total <= 0) return null;
  return {
    busyPct: Math.round((100 * (total - (after.idle - before.idle))) / total),
    stealPct: Math.round((100 * (after.steal - before.steal)) / total),
  };
}

/** CPU time (ms) of named processes between two readings: { name: ms }. */
export function processCpu(pids) {
  return Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuTimeUs(pid)]));
}

export function processCpuDelta(before, after) {
  return Object.fromEntries(
    Object.keys(after).map((name) => [
      name,
      after[name] === null || before[name] === null ? null : Math.round((after[name] - before[name]) / 1000),
    ]),
  );
}

/** Redis's own CPU (user + system, ms so far), from INFO cpu: the bench's Redis may belong to someone else. */
export async function redisCpuMs(redis) {
  const info = await redis.info('cpu');
  const field = (name) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return Math.round((field('used_cpu_user') + field('used_cpu_sys')) * 1000);
}
