// Child processes of the launcher: started with their output captured, reported when they die
// unexpectedly, and stopped together (SIGTERM, then SIGKILL after a grace period).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** How many stderr lines of each child are kept for the report when it dies. */
const STDERR_LINES_KEPT = 20;

/** The children of the demo. */
export class Supervisor {
  #children = new Set();
  #stopping = false;
  #verbose;
  #onUnexpectedExit;

  /**
   * `onUnexpectedExit(child, { code, signal })` is called when a child exits while the demo is
   * not stopping. With `verbose`, children's output is shown here, each line prefixed by its name.
   */
  constructor({ verbose, onUnexpectedExit }) {
    this.#verbose = verbose;
    this.#onUnexpectedExit = onUnexpectedExit;
  }

  get stopping() {
    return this.#stopping;
  }

  /**
   * Starts `node <args>` (or `command <args>`); returns `{ name, process, stderrTail(), exited,
   * kill(signal) }`. With `ownProcessGroup` the child leads a process group of its own and
   * signals go to the whole group: for a wrapper (faketime) that does not pass them on.
   */
  start({ name, command = process.execPath, args, cwd, env, ownProcessGroup = false }) {
    const child = spawn(command, args, {
      cwd,
      env,
      stdio: ['ignore', this.#verbose ? 'pipe' : 'ignore', 'pipe'],
      detached: ownProcessGroup,
    });
    const tail = [];
    const prefix = `${name.padEnd(12)}| `;
    if (this.#verbose) {
      createInterface({ input: child.stdout }).on('line', (line) => process.stdout.write(`${prefix}${line}\n`));
    }
    createInterface({ input: child.stderr }).on('line', (line) => {
      tail.push(line);
      if (tail.length > STDERR_LINES_KEPT) tail.shift();
      if (this.#verbose) process.stderr.write(`${prefix}${line}\n`);
    });
    const record = {
      name,
      process: child,
      stderrTail: () => [...tail],
      exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
      kill: (signal) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        try {
          if (ownProcessGroup && child.pid !== undefined) process.kill(-child.pid, signal);
          else child.kill(signal);
        } catch {
          // already gone
        }
      },
    };
    this.#children.add(record);
    child.once('error', (error) => tail.push(`could not start: ${error.message}`));
    void record.exited.then((exit) => {
      this.#children.delete(record);
      if (!this.#stopping) this.#onUnexpectedExit(record, exit);
    });
    return record;
  }

  /** Stops every child: SIGTERM, then SIGKILL for those still running after `graceMs`. Idempotent. */
  async stopAll(graceMs = 5000) {
    this.#stopping = true;
    const running = [...this.#children];
    for (const record of running) record.kill('SIGTERM');
    const kill = setTimeout(() => {
      for (const record of running) record.kill('SIGKILL');
    }, graceMs);
    await Promise.all(running.map((record) => record.exited));
    clearTimeout(kill);
  }
}

/** A one-paragraph report of a child that died: name, exit code or signal, last stderr lines. */
export function describeExit(record, { code, signal }) {
  const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
  const tail = record.stderrTail();
  const lines =
    tail.length > 0 ? `\n  last stderr lines:\n${tail.map((l) => `    ${l}`).join('\n')}` : ' (no stderr output)';
  return `${record.name} ${how}${lines}`;
}

/**
 * Waits until `url` answers 200, or throws when the child exits first (the exit itself is
 * reported by the Supervisor's `onUnexpectedExit`) or when `timeoutMs` passes.
 */
export async function waitHealthy(record, url, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  let exited;
  void record.exited.then((exit) => (exited = exit));
  for (;;) {
    if (exited) throw new Error(`${record.name} exited before answering ${url}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${record.name} did not answer ${url} within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
