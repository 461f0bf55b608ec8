// A locked Oamserver (HOPTRACE_API_TOKEN) answers 401 to every /api/ call until the page signs in:
// POST /api/session sets an HttpOnly session cookie that every later call (and the event stream)
// carries by itself. The page never stores the token; the cookie ends with the browser session.
import { useEffect, useState } from 'preact/hooks';

let needed = false;
const listeners = new Set<(needed: boolean) => void>();

/** Called on a 401 HOPTRACE_API_UNAUTHORIZED: the page shows the sign-in form. */
export function reportUnauthorized(): void {
  if (needed) return;
  needed = true;
  for (const listener of listeners) listener(true);
}

/** Whether the Oamserver asked for its token (and the page has not signed in since). */
export function useSignInNeeded(): boolean {
  const [value, setValue] = useState(needed);
  useEffect(() => {
    listeners.add(setValue);
    setValue(needed);
    return () => void listeners.delete(setValue);
  }, []);
  return value;
}

/** Outcome of a sign-in: signed in, a wrong token, or the Oamserver could not be asked. */
export type SignInResult = { ok: true } | { ok: false; message: string };

/** POSTs the token to /api/session; the Oamserver sets the session cookie when it is right. */
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
  if (response.ok) return { ok: true };
  if (response.status === 401) return { ok: false, message: 'Wrong token: check HOPTRACE_API_TOKEN and try again.' };
  return { ok: false, message: `The Oamserver answered ${response.status}; try again.` };
}
