import { describe, expect, it } from 'vitest';
import {
  compareHref,
  incidentHref,
  mapHref,
  matchRoute,
  overviewHref,
  parseIncidentsState,
  parseWindow,
  runHref,
  windowMs,
} from '../src/lib/routes';

describe('routes', () => {
  it('matches every page', () => {
    expect(matchRoute('/')).toEqual({ page: 'overview' });
    expect(matchRoute('/map')).toEqual({ page: 'map' });
    expect(matchRoute('/runs/')).toEqual({ page: 'runs' });
    expect(matchRoute('/runs/0mwwkz39a-b79a74da6c38')).toEqual({ page: 'run', runId: '0mwwkz39a-b79a74da6c38' });
    expect(matchRoute('/incidents')).toEqual({ page: 'incidents' });
    expect(matchRoute('/compare')).toEqual({ page: 'compare' });
    expect(matchRoute('/nope')).toEqual({ page: 'not-found', path: '/nope' });
    expect(matchRoute('/runs/a/b')).toEqual({ page: 'not-found', path: '/runs/a/b' });
    expect(matchRoute('/runs/%E0%A4%A')).toEqual({ page: 'not-found', path: '/runs/%E0%A4%A' });
  });

  it('round-trips incident ids, which contain slashes', () => {
    const id = 'deposit-voicemail/recorder/*/slow/1795640000000';
    const href = incidentHref(id);
    expect(href).toBe('/incidents/deposit-voicemail%2Frecorder%2F*%2Fslow%2F1795640000000');
    expect(matchRoute(href)).toEqual({ page: 'incident', incidentId: id });
    // Typed by hand with raw slashes: still found.
    expect(matchRoute(`/incidents/${id}`)).toEqual({ page: 'incident', incidentId: id });
  });

  it('builds links with their query', () => {
    expect(runHref('r1')).toBe('/runs/r1');
    expect(runHref('r1', 'abc')).toBe('/runs/r1?hop=abc');
    expect(compareHref('a', 'b')).toBe('/compare?a=a&b=b');
    expect(compareHref()).toBe('/compare');
    expect(overviewHref('1h')).toBe('/');
    expect(overviewHref('6h')).toBe('/?window=6h');
    expect(mapHref('15m', 'deposit-voicemail')).toBe('/map?probe=deposit-voicemail&window=15m');
  });

  it('reads windows and states, defaulting what it does not know', () => {
    expect(parseWindow('24h')).toBe('24h');
    expect(parseWindow('2d')).toBe('1h');
    expect(parseWindow(null)).toBe('1h');
    expect(windowMs('15m')).toBe(900_000);
    expect(windowMs('24h')).toBe(86_400_000);
    expect(parseIncidentsState('all')).toBe('all');
    expect(parseIncidentsState('closed')).toBe('open');
  });
});
