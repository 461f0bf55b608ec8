import type { RunView, VerdictFacts } from '@hoptrace/oamserver';
import type { RunningDemo } from './demo';
import { runCli } from './oamserver';

/** A classified run as `hoptrace probe --json` prints it: always with its facts. */
export type JudgedRun = RunView & { facts: VerdictFacts };

/** Runs `hoptrace probe NAME --json` on the demo's probe config; fails when it prints no run. */
export async function probeDemo(demo: RunningDemo, name: string): Promise<{ code: number | null; view: JudgedRun }> {
  const { code, stdout, stderr } = await runCli(['probe', name, '--config', demo.configFile, '--json']);
  try {
    const view = JSON.parse(stdout) as JudgedRun;
    if (!view.facts) throw new Error('no facts');
    return { code, view };
  } catch {
    throw new Error(`hoptrace probe ${name} printed no classified run (exit ${code}):\n${stdout}\n${stderr}`);
  }
}

/**
 * Fires `runs` probe runs one after the other and waits for each verdict. A freshly started Node
 * service is slow on its first requests (module loading, JIT): warm the platform up with this
 * before asserting verdicts against its budgets.
 */
export async function warmUp(demo: RunningDemo, name: string, runs: number): Promise<void> {
  for (let i = 0; i < runs; i++) await runCli(['probe', name, '--config', demo.configFile, '--json']);
}
