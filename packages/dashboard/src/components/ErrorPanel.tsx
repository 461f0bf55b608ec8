import { describeFailure, type ApiFailure } from '../lib/api-failure';

/** A failed request, said plainly: what, why, the field at fault, and what to do. */
export function ErrorPanel({ failure, what, onRetry }: { failure: ApiFailure; what: string; onRetry?: () => void }) {
  const m = describeFailure(failure, what);
  return (
    <div class={`notice ${m.notFound ? 'notice-info' : 'notice-error'}`} role="alert">
      <p class="notice-title">{m.title}</p>
      <p>
        {m.message}
        {m.field && (
          <>
            {' '}
            (field: <code>{m.field}</code>)
          </>
        )}
      </p>
      {m.hint && <p class="muted">{m.hint}</p>}
      {m.detail && <pre class="notice-detail">{m.detail}</pre>}
      {onRetry && !m.notFound && (
        <p>
          <button type="button" class="button" onClick={onRetry}>
            Try again
          </button>
        </p>
      )}
    </div>
  );
}

/** Shown while the first answer is on its way (later refetches keep the old data instead). */
export function Loading({ what }: { what: string }) {
  return (
    <p class="loading" role="status">
      Loading {what}…
    </p>
  );
}
