// Starts a bench app (app.js or minimal-app.js) as a child process, the way users start a service:
// plain `node app.js`, or with one preload (`--import @hoptrace/instrument/register` for the
// drop-in, `--import ./otel-only/register.mjs` for plain OpenTelemetry), with the given Node
// binary. Configured only through the environment given (the parent's OTEL_* variables are not
// passed on).
import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCH_DIR = dirname(dirname(fileURLToPath(import.meta.url)));

/** Resolves to { pid, url, exited(), waitForExit(ms), stderr(), stop() } once the app prints its port. */
export function startService({ node = process.execPath, preload, app, env }) {
  const args = preload ? ['--import', preload, app] : [app];
  const child = spawn(node, args, {
    cwd: BENCH_DIR,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const fail = (message) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${message}\n${stderr}`));
    };
    const timer = setTimeout(() => fail('bench app did not start within 15 s'), 15_000);
    child.once('exit', (code) => fail(`bench app exited with ${code} before listening`));
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const line = stdout.split('\n').find((l) => l.startsWith('{"port"'));
      if (!line) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.stdout.removeAllListeners('data');
      child.stdout.resume();
      resolve({
        pid: child.pid,
        /** How the process ended, if it did before stop() (a crash or a kill from outside). */
        exited: () =>
          child.exitCode === null && child.signalCode === null
            ? null
            : { code: child.exitCode, signal: child.signalCode },
        url: `http://127.0.0.1:${JSON.parse(line).port}`,
        /** Waits up to `ms` for the process to end (a crash is seen a moment after its sockets close). */
        waitForExit: (ms) =>
          new Promise((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            const timer = setTimeout(done, ms);
            child.once('exit', () => {
              clearTimeout(timer);
              done();
            });
          }),
        stderr: () => stderr,
        stop: () => stop(child),
      });
    });
  });
}

function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
