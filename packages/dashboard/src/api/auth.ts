// A locked Oamserver (HOPTRACE_API_TOKEN) answers 401 to every /api/ call until the page signs in:
// POST /api/session sets an HttpOnly session cookie that every later call (and the event stream)
// carries by itself, and DELETE /api/session clears it. The page never stores the token; the
// cookie ends with the browser session.
//
// One small store says where the page stands: whether it must sign in, and whether the API is
// locked at all (an open API has nothing to sign out of). The header, the app and the live stream
// follow it, so signing in or out takes effect without a reload.
import { useEffect, useState } from 'preact/hooks';

/** Where the page stands with the Oamserver's API token. */
export interface AuthState {
  /** The Oamserver asked for its token and the page has not signed in since. */
  signInNeeded: boolean;
  /**
   * The API needs a token: `true` once a 401 came or a sign-in succeeded, `false` when it answered
   * a request without credentials, `undefined` until one of these is known.
   */
  locked: boolean | undefined;
}

let state: AuthState = { signInNeeded: false, locked: undefined };
const listeners = new Set<(state: AuthState) => void>();

function update(next: AuthState): void {
  if (next.signInNeeded === state.signInNeeded && next.locked === state.locked) return;
  state = next;
  for (const listener of listeners) listener(state);
}

/** The current state (for code outside components). */
export function authState(): AuthState {
  return state;
}

/** Listens to changes of the state; returns the way to stop. */
export function subscribeAuth(listener: (state: AuthState) => void): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

/** Called on a 401 HOPTRACE_API_UNAUTHORIZED: the page shows the sign-in form. */
export function reportUnauthorized(): void {
  update({ signInNeeded: true, locked: true });
}

/** The state, re-rendering the component when it changes. */
export function useAuth(): AuthState {
  const [value, setValue] = useState(state);
  useEffect(() => {
    setValue(state);
    return subscribeAuth(setValue);
  }, []);
  return value;
}

/** Whether the Oamserver asked for its token (and the page has not signed in since). */
export function useSignInNeeded(): boolean {
  return useAuth().signInNeeded;
}

/**
 * Learns whether the API is locked when nothing else has said so yet: a page opened with a valid
 * session cookie never sees a 401, yet must offer "Sign out". One GET of /api/meta without the
 * cookie (`credentials: 'omit'`): 401 means locked. Nothing changes when it cannot be asked.
 */
export async function detectLock(): Promise<void> {
  if (state.locked !== undefined) return;
  try {
    const response = await fetch('/api/meta', { credentials: 'omit', headers: { accept: 'application/json' } });
    await response.body?.cancel();
    if (state.locked !== undefined) return;
    if (response.status === 401) update({ ...state, locked: true });
    else if (response.ok) update({ ...state, locked: false });
  } catch {
    // The Oamserver did not answer: the pages say so; the header just offers no "Sign out".
  }
}

/** Outcome of a sign-in or sign-out: done, or why not in words. */
export type SignInResult = { ok: true } | { ok: false; message: string };

/** "in 42 s" from a Retry-After header in seconds, or "later". */
function retryIn(response: Response): string {
  const seconds = Number(response.headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? `in ${Math.ceil(seconds)} s` : 'later';
}

/**
 * POSTs the token to /api/session; the Oamserver sets the session cookie when it is right. On
 * success the state says signed in, and every view and the event stream start again.
 */
export async function signIn(token: string): Promise<SignInResult> {
  let response: Response;
  try {
    response = await fetch('/api/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ token }),
    });
  } catch (error) {
    return { ok: false, message: `The Oamserver did not answer (${(error as Error).message || 'network error'}).` };
  }
  if (response.ok) {
    // `locked: false`: an open API (a token was asked for by mistake, or the server restarted without one).
    const body = (await response.json().catch(() => undefined)) as { locked?: unknown } | undefined;
    update({ signInNeeded: false, locked: body?.locked !== false });
    return { ok: true };
  }
  await response.body?.cancel();
  if (response.status === 401) return { ok: false, message: 'Wrong token: check HOPTRACE_API_TOKEN and try again.' };
  if (response.status === 429) {
    return { ok: false, message: `Too many wrong tokens from this address: try again ${retryIn(response)}.` };
  }
  return { ok: false, message: `The Oamserver answered ${response.status}; try again.` };
}

/**
 * DELETE /api/session: the Oamserver clears the session cookie (the page never held the token
 * itself). On success the state says signed out: the sign-in form comes back and the event
 * stream closes.
 */
export async function signOut(): Promise<SignInResult> {
  let response: Response;
  try {
    response = await fetch('/api/session', { method: 'DELETE' });
  } catch (error) {
    return { ok: false, message: `The Oamserver did not answer (${(error as Error).message || 'network error'}).` };
  }
  await response.body?.cancel();
  if (!response.ok) return { ok: false, message: `The Oamserver answered ${response.status}; try again.` };
  update({ signInNeeded: true, locked: true });
  return { ok: true };
}
