import { describe, expect, it } from 'vitest';
import { jaegerCompareUrl, jaegerEmbedUrl, jaegerSpanUrl, jaegerTraceUrl } from '../src/api';

// The Jaeger UI addresses hoptrace links to (docs/jaeger.md): exact strings, whatever the base
// JAEGER_UI_URL ends with.

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const OTHER_TRACE = 'a3ce929d0e0e47364bf92f3577b34da6';
const SPAN = '00f067aa0ba902b7';
const EMBED = 'uiEmbed=v0&uiTimelineCollapseTitle=1&uiTimelineHideMinimap=1';

describe('Jaeger links', () => {
  describe.each(['http://jaeger.test:16686', 'http://jaeger.test:16686/', 'http://jaeger.test:16686///'])(
    'with the base %j',
    (base) => {
      it('links to the trace page', () => {
        expect(jaegerTraceUrl(base, TRACE)).toBe(`http://jaeger.test:16686/trace/${TRACE}`);
      });

      it('links to the trace with one span found', () => {
        expect(jaegerSpanUrl(base, TRACE, SPAN)).toBe(`http://jaeger.test:16686/trace/${TRACE}?uiFind=${SPAN}`);
      });

      it('links to the embeddable trace view, with and without a span', () => {
        expect(jaegerEmbedUrl(base, TRACE)).toBe(`http://jaeger.test:16686/trace/${TRACE}?${EMBED}`);
        expect(jaegerEmbedUrl(base, TRACE, SPAN)).toBe(
          `http://jaeger.test:16686/trace/${TRACE}?${EMBED}&uiFind=${SPAN}`,
        );
      });

      it('links to the comparison of two traces', () => {
        expect(jaegerCompareUrl(base, TRACE, OTHER_TRACE)).toBe(
          `http://jaeger.test:16686/trace/${TRACE}...${OTHER_TRACE}`,
        );
      });
    },
  );

  it('keeps a path under which Jaeger is served (behind a proxy), dropping only its trailing slashes', () => {
    expect(jaegerTraceUrl('https://ops.example.com/jaeger/', TRACE)).toBe(
      `https://ops.example.com/jaeger/trace/${TRACE}`,
    );
    expect(jaegerCompareUrl('https://ops.example.com/jaeger//', TRACE, OTHER_TRACE)).toBe(
      `https://ops.example.com/jaeger/trace/${TRACE}...${OTHER_TRACE}`,
    );
  });

  it('encodes what it finds (uiFind is also a service or operation name in Jaeger)', () => {
    expect(jaegerSpanUrl('http://j', TRACE, 'POST /calls?x=1&y=2#z')).toBe(
      `http://j/trace/${TRACE}?uiFind=POST%20%2Fcalls%3Fx%3D1%26y%3D2%23z`,
    );
    // The embed link is built as a form query: a space is `+`, and the value still decodes back.
    const embed = jaegerEmbedUrl('http://j', TRACE, 'POST /calls&x');
    expect(embed).toBe(`http://j/trace/${TRACE}?${EMBED}&uiFind=POST+%2Fcalls%26x`);
    expect(new URL(embed).searchParams.get('uiFind')).toBe('POST /calls&x');
  });

  it('an empty span id in the embed link finds nothing rather than an empty string', () => {
    expect(jaegerEmbedUrl('http://j', TRACE, '')).toBe(`http://j/trace/${TRACE}?${EMBED}`);
  });

  it('each link parses as a URL with the parameters Jaeger reads', () => {
    const url = new URL(jaegerEmbedUrl('http://jaeger.test:16686/', TRACE, SPAN));
    expect(url.pathname).toBe(`/trace/${TRACE}`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      uiEmbed: 'v0',
      uiTimelineCollapseTitle: '1',
      uiTimelineHideMinimap: '1',
      uiFind: SPAN,
    });
  });
});
