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
} as const;

/** The live/offline indicator: a dot and a word, announced politely when it changes. */
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

/** The top bar: the name, the pages, the live indicator. */
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
      </div>
    </header>
  );
}
