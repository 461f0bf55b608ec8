import { useEffect, useRef, useState } from 'preact/hooks';
import { signIn } from '../api/auth';

/**
 * The sign-in form of a locked Oamserver: one field for the API token. On success auth.ts says
 * signed in: the app shows the page the URL names again and the event stream reconnects, all with
 * the session cookie and without a reload. The token lives only in this form's state, which goes
 * with the form.
 */
export function SignIn({ onSignedIn = () => undefined }: { onSignedIn?: () => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => input.current?.focus(), []);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!token.trim()) {
      setError('Enter the API token.');
      input.current?.focus();
      return;
    }
    setBusy(true);
    const result = await signIn(token.trim());
    if (result.ok) {
      // The form is going away (the app shows the page): nothing more to set here.
      onSignedIn();
      return;
    }
    setBusy(false);
    setError(result.message);
    input.current?.select();
  };

  return (
    <form class="card sign-in" onSubmit={(e) => void submit(e)} aria-labelledby="sign-in-title" noValidate>
      <h1 id="sign-in-title">Sign in</h1>
      <p class="muted">This Oamserver is locked. Enter its API token (HOPTRACE_API_TOKEN) to see the dashboard.</p>
      <label class="field">
        <span>API token</span>
        <input
          ref={input}
          type="password"
          name="token"
          autoComplete="current-password"
          value={token}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={error ? 'sign-in-error' : undefined}
          onInput={(e) => setToken((e.target as HTMLInputElement).value)}
        />
      </label>
      {error && (
        <p id="sign-in-error" class="sign-in-error" role="alert">
          {error}
        </p>
      )}
      <p>
        <button type="submit" class="button primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </p>
    </form>
  );
}
