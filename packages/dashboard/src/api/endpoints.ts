// The Oamserver's routes, one function each, each parsed with its schema (GET only).
import {
  flowMapSchema,
  incidentDetailSchema,
  incidentListSchema,
  metaSchema,
  overviewSchema,
  runSummariesPageSchema,
  runViewSchema,
  type OverviewWindow,
} from '@hoptrace/core/api';
import { runsApiQuery, type RunsFilter } from '../lib/runs-filter';

/** The route and schema of each request the pages make. */
export const api = {
  meta: () => ({ url: '/api/meta', schema: metaSchema }),
  overview: (window: OverviewWindow, cells: number) => ({
    url: `/api/overview?${new URLSearchParams({ window, cells: String(cells) }).toString()}`,
    schema: overviewSchema,
  }),
  map: (window: OverviewWindow, probe?: string) => {
    const params = new URLSearchParams({ window });
    if (probe) params.set('probe', probe);
    return { url: `/api/map?${params.toString()}`, schema: flowMapSchema };
  },
  runs: (filter: RunsFilter, options: { cursor?: string; limit?: number } = {}) => ({
    url: `/api/runs?${runsApiQuery(filter, options)}`,
    schema: runSummariesPageSchema,
  }),
  run: (runId: string) => ({ url: `/api/runs/${encodeURIComponent(runId)}`, schema: runViewSchema }),
  incidents: (state: 'open' | 'all', limit = 200) => ({
    url: `/api/incidents?${new URLSearchParams({ state, limit: String(limit) }).toString()}`,
    schema: incidentListSchema,
  }),
  incident: (id: string) => ({ url: `/api/incidents/${encodeURIComponent(id)}`, schema: incidentDetailSchema }),
};

/** The event stream. */
export const EVENTS_URL = '/api/events';
