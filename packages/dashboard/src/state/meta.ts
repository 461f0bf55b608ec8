// What the server says about itself (version, probes, Jaeger), loaded once and shared.
import { type Meta } from '@hoptrace/core/api';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { type Loaded } from './hooks';

export const MetaContext = createContext<Loaded<Meta>>({ loading: true, reload: () => undefined });

/** The server's meta, or its failure; pages work without it where they can. */
export function useMeta(): Loaded<Meta> {
  return useContext(MetaContext);
}
