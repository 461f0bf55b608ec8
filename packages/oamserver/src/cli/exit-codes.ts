import type { Verdict } from '../classifier/types';

/** Exit codes of the `hoptrace` CLI. */
export const EXIT = {
  /** The run was ok (or the command succeeded). */
  OK: 0,
  /** The run's verdict is a fault (slow, error, lost, context-broken, unexpected-path, trigger-failed). */
  FAULT: 1,
  /** Usage or configuration error, or the Oamserver/storage could not be reached. */
  USAGE: 2,
  /** hoptrace could not tell (verdict `unknown`, e.g. Redis unreachable): not a fault of the platform. */
  UNKNOWN: 3,
} as const;

export function exitCodeOf(verdict: Verdict | undefined): number {
  if (verdict === 'ok') return EXIT.OK;
  if (verdict === 'unknown' || verdict === undefined) return EXIT.UNKNOWN;
  return EXIT.FAULT;
}

/** An error that ends the CLI with a message and an exit code, without a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.USAGE,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
