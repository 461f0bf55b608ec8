import type { ProbeVerifier } from './probe-verifier';
import type { ProbeTokenScope } from './propagation';
import type { HoptraceInstrumentation } from './types';

/** What the running instrumentation shares with `currentProbe()` and the messaging helpers. */
export interface InstrumentationState {
  verifier: ProbeVerifier | undefined;
  handle: HoptraceInstrumentation;
  /** Where probe tokens may go (the messaging helpers ask it about the `hoptrace-probe` field). */
  tokenScope?: ProbeTokenScope;
}

// A Symbol.for key, so that two copies of this package in one process (one required, one
// imported) still agree on whether instrumentation is running.
const STATE_KEY = Symbol.for('@hoptrace/instrument/state');

type WithState = typeof globalThis & { [STATE_KEY]?: InstrumentationState };

/** The running instrumentation's state, or undefined when none is started. */
export function getInstrumentationState(): InstrumentationState | undefined {
  return (globalThis as WithState)[STATE_KEY];
}

/** Records (or clears, with undefined) the running instrumentation's state. */
export function setInstrumentationState(state: InstrumentationState | undefined): void {
  if (state) (globalThis as WithState)[STATE_KEY] = state;
  else delete (globalThis as WithState)[STATE_KEY];
}
