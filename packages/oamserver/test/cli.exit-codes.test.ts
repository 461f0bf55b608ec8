import { describe, expect, it } from 'vitest';
import { CliError, EXIT, exitCodeOf } from '../src/cli/exit-codes';
import { VERDICTS, isFault } from '../src/classifier/types';

describe('exitCodeOf', () => {
  it('0 for ok, 1 for every fault verdict, 3 for unknown (hoptrace could not tell)', () => {
    expect(exitCodeOf('ok')).toBe(0);
    for (const verdict of ['slow', 'error', 'lost', 'context-broken', 'unexpected-path', 'trigger-failed'] as const) {
      expect(exitCodeOf(verdict)).toBe(1);
    }
    expect(exitCodeOf('unknown')).toBe(3);
  });

  it('agrees with isFault for every verdict there is', () => {
    for (const verdict of VERDICTS) {
      expect(exitCodeOf(verdict) === EXIT.FAULT).toBe(isFault(verdict));
    }
  });

  it('no verdict yet (the run did not finish in time) is not a platform fault: 3', () => {
    expect(exitCodeOf(undefined)).toBe(3);
  });

  it('usage and config errors end with 2 by default', () => {
    expect(EXIT.USAGE).toBe(2);
    expect(new CliError('no such probe').exitCode).toBe(2);
    expect(new CliError('unreachable', EXIT.UNKNOWN).exitCode).toBe(3);
  });
});
