// How each verdict reads and looks. Colour is never alone: every badge and cell also carries the
// word (or, in a dense strip, a shape and an accessible name).
import { VERDICTS, type RunSummary, type Verdict, type Fault, type IncidentKind } from '@hoptrace/core/api';

/** How a verdict is shown. */
export interface VerdictStyle {
  /** The verdict in words, as a person would say it: `context broken`. */
  word: string;
  /** A shape printed before the word (decorative: the word carries the meaning). */
  icon: string;
  /** CSS class that picks the colours (see styles/verdicts.css). */
  className: string;
  /** One line on what it means. */
  meaning: string;
}

const STYLES: Record<Verdict, VerdictStyle> = {
  ok: {
    word: 'ok',
    icon: '✓',
    className: 'v-ok',
    meaning: 'every expected service handled the run, in order and in budget',
  },
  slow: {
    word: 'slow',
    icon: '◷',
    className: 'v-slow',
    meaning: 'a hop or the whole run went over its budget or usual time',
  },
  error: { word: 'error', icon: '✕', className: 'v-error', meaning: 'a service failed the run' },
  lost: { word: 'lost', icon: '⊘', className: 'v-lost', meaning: 'the run stopped: a service never reported' },
  'context-broken': {
    word: 'context broken',
    icon: '≠',
    className: 'v-context-broken',
    meaning: 'a service handled the run under another trace',
  },
  'unexpected-path': {
    word: 'unexpected path',
    icon: '↝',
    className: 'v-unexpected-path',
    meaning: 'the run took another way than the probe’s path',
  },
  'trigger-failed': {
    word: 'trigger failed',
    icon: '↯',
    className: 'v-trigger-failed',
    meaning: 'the first request or message never got through',
  },
  unknown: {
    word: 'unknown',
    icon: '?',
    className: 'v-unknown',
    meaning: 'hoptrace itself could not tell (storage trouble); nobody is blamed',
  },
};

const PENDING: VerdictStyle = {
  word: 'pending',
  icon: '…',
  className: 'v-pending',
  meaning: 'not classified yet',
};

/** The style of a verdict; `pending` when there is none yet. */
export function verdictStyle(verdict: Verdict | undefined): VerdictStyle {
  return verdict ? STYLES[verdict] : PENDING;
}

/** Verdicts that blame a place: the "failures only" filter. */
export const FAULT_VERDICTS: readonly Verdict[] = VERDICTS.filter((v) => v !== 'ok' && v !== 'unknown');

/** `recorder (recorder-2)`, `recorder (all instances)`, or just `recorder`. */
export function placeLabel(service: string, instance?: string, wholeService = false): string {
  if (instance) return `${service} (${instance})`;
  return wholeService ? `${service} (all instances)` : service;
}

/** `lost at notifier (notifier-1)`, `ok`, `pending`, `unknown: not judged`. */
export function outcomePhrase(verdict: Verdict | undefined, fault?: Fault, firstMissingHop?: string): string {
  const word = verdictStyle(verdict).word;
  if (!verdict || verdict === 'ok') return word;
  if (verdict === 'unknown') return 'unknown: not judged';
  const service = fault?.service ?? firstMissingHop;
  return service ? `${word} at ${placeLabel(service, fault?.instance)}` : word;
}

/** The outcome of a run in words. */
export function runOutcome(run: Pick<RunSummary, 'verdict' | 'fault' | 'firstMissingHop'>): string {
  return outcomePhrase(run.verdict, run.fault, run.firstMissingHop);
}

/** An incident kind in words (kinds are the fault verdicts). */
export function kindWord(kind: IncidentKind): string {
  return STYLES[kind].word;
}
