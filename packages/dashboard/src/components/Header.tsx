import { useState } from 'preact/hooks';
import { signOut, useAuth } from '../api/auth';
import { useLiveStatus } from '../state/hooks';
import { type Route } from '../lib/routes';

const LINKS: { href: string; label: string; pages: Route['page'][] }[] = [
  { href: '/', label: 'Overview', pages: ['overview'] },
  { href: '/map', label: 'Flow map', pages: ['map'] },
  { href: '/runs', label: 'Runs', pages: ['runs', 'run', 'compare'] },
  { href: '/incidents', label: 'Incidents', pages: ['incidents', 'incident'] },
];

const STATUS_TEXT = {
  connecting: { word: 'connecting', title: 'Connecting to the Oamserver’s live event stream…' },
  live: { word: 'live', title: 'Receiving runs and incidents as they happen.' },
  offline: { word: 'offline', title: 'The live event stream is down; the browser keeps trying to reconnect.' },
  locked: {
    word: 'locked',
    title: 'This Oamserver’s API needs its token (HOPTRACE_API_TOKEN): sign in to see runs and live updates.',
  },
} as const;

/** The live indicator (connecting, live, offline, locked): a dot and a word, announced politely when it changes. */
export function LiveIndicator() {
  const status = useLiveStatus();
  const text = STATUS_TEXT[status];
  return (
    <span class={`live live-${status}`} title={text.title} role="status" aria-live="polite" data-live={status}>
      <span class="live-dot" aria-hidden="true" />
      {text.word}
    </span>
  );
}

/**
 * "Sign out", only when the API is locked and the page is signed in: DELETE /api/session clears the
 * session cookie, and the page goes back to its sign-in form (auth.ts).
 */
export function SignOutButton() {
  const { locked, signInNeeded } = useAuth();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  if (locked !== true || signInNeeded) return null;
  const click = async () => {
    setBusy(true);
    setError(undefined);
    const result = await signOut();
    // Signed out: this button is gone. Otherwise say why, and stay signed in.
    setBusy(false);
    if (!result.ok) setError(`Sign-out failed. ${result.message}`);
  };
  return (
    <>
      {error && (
        <span class="sign-out-error" role="alert">
          {error}
        </span>
      )}
      <button type="button" class="button small sign-out" disabled={busy} onClick={() => void click()}>
        {busy ? 'Signing out…' : 'Sign out'}
      </button>
    </>
  );
}

/** The top bar: the name, the pages, the live indicator, and "Sign out" on a locked Oamserver. */
export function Header({ page, version }: { page: Route['page']; version?: string | undefined }) {
  return (
    <header class="topbar">
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <a class="brand" href="/" aria-label="hoptrace overview">
        <svg width="22" height="14" viewBox="0 0 22 14" aria-hidden="true">
          <circle cx="3" cy="7" r="2.5" />
          <circle cx="11" cy="7" r="2.5" />
          <circle cx="19" cy="7" r="2.5" />
          <path d="M5.5 7h3M13.5 7h3" />
        </svg>
        hoptrace
      </a>
      <nav aria-label="Pages">
        <ul class="nav">
          {LINKS.map((link) => {
            const current = link.pages.includes(page);
            return (
              <li key={link.href}>
                <a href={link.href} aria-current={current ? 'page' : undefined} class={current ? 'current' : undefined}>
                  {link.label}
                </a>
              </li>
            );
          })}
        </ul>
      </nav>
      <div class="topbar-end">
        {version && <span class="muted small">Oamserver {version}</span>}
        <LiveIndicator />
        <SignOutButton />
      </div>
    </header>
  );
}
