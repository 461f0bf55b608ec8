import { type FunctionComponent } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Loading } from './ErrorPanel';

/**
 * A page whose code loads on first use (the flow map and its graph layout library are a third of
 * the bundle and only that page needs them).
 */
export function lazyPage<P extends object>(
  load: () => Promise<FunctionComponent<P>>,
  what: string,
): FunctionComponent<P> {
  let loaded: FunctionComponent<P> | undefined;
  let pending: Promise<FunctionComponent<P>> | undefined;
  return function LazyPage(props: P) {
    const [Page, setPage] = useState<FunctionComponent<P> | undefined>(() => loaded);
    const [failed, setFailed] = useState<string | undefined>(undefined);
    useEffect(() => {
      if (Page) return;
      let mounted = true;
      pending ??= load();
      pending.then(
        (component) => {
          loaded = component;
          if (mounted) setPage(() => component);
        },
        (error: unknown) => {
          pending = undefined; // let a later visit try again
          if (mounted) setFailed(error instanceof Error ? error.message : String(error));
        },
      );
      return () => {
        mounted = false;
      };
    }, []);
    if (failed) {
      return (
        <div class="notice notice-error" role="alert">
          <p class="notice-title">The code of this page could not be loaded</p>
          <p>{failed}</p>
          <p>
            <button type="button" class="button" onClick={() => window.location.reload()}>
              Reload the page
            </button>
          </p>
        </div>
      );
    }
    return Page ? <Page {...props} /> : <Loading what={what} />;
  };
}
