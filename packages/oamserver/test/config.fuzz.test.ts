import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCollection, parseDocument, stringify } from 'yaml';
import { ConfigError } from '@hoptrace/core';
import { parseProbeConfig } from '../src/config/load-probe-config';
import { fuzzParams, fuzzTimeoutMs } from '../../../test/support/fuzz';

// The probe config is written by people (and by templates): whatever the text, parseProbeConfig
// gives a config or a ConfigError listing problems, each at a path, with its line when the file
// has one. Never another exception, never a hang.

/** A config using most of what the schema has: a plain probe, a journey, incidents, alerts. */
const BASE = {
  server: { host: '127.0.0.1', port: 4400, leaseTime: '5s' },
  storage: { keyPrefix: 'hoptrace:', runTtl: '1d', maxRuns: 10_000 },
  incidents: { openAfter: 2, resolveAfter: 3 },
  baseline: { factor: 3, floor: '100ms', minSamples: 20 },
  probes: [
    {
      name: 'deposit-voicemail',
      every: '10s',
      timeout: '5s',
      trigger: {
        http: {
          method: 'POST',
          url: 'http://127.0.0.1:7001/calls/4155550100/voicemail',
          body: { caller: '4155550199' },
          expectStatus: 201,
        },
      },
      path: ['gateway', 'mailbox', 'recorder', 'storage', 'notifier'],
      budget: { total: '800ms', hops: { recorder: '200ms' } },
    },
    {
      name: 'voicemail-journey',
      every: '10s',
      timeout: '5s',
      steps: [
        {
          name: 'leave-message',
          trigger: {
            http: {
              method: 'POST',
              url: 'http://127.0.0.1:7001/calls/4155550111/voicemail',
              expectStatus: 201,
              capture: { messageId: { json: 'messageId' } },
            },
          },
          path: ['gateway', 'mailbox'],
          budget: { total: '800ms' },
        },
        {
          name: 'notified',
          trigger: { http: { url: 'http://127.0.0.1:7001/messages/${messageId}', expectStatus: 200 } },
          poll: { within: '3s', every: '250ms' },
          path: ['gateway', 'notifier'],
        },
      ],
    },
  ],
  alerts: {
    channels: [{ name: 'ops-chat', chat: { urlEnv: 'SLACK_WEBHOOK_URL', format: 'slack' } }],
  },
};

type Json = unknown;
type Path = (string | number)[];

/** Every path in a JSON value (objects' keys, arrays' indexes), inner nodes and leaves. */
function pathsOf(value: Json, prefix: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [prefix, ...entries.flatMap(([key, child]) => pathsOf(child, [...prefix, key]))];
}

/** `value` with the node at `path` replaced (or deleted, when `to` is DELETE). */
const DELETE = Symbol('delete');
function setIn(value: Json, path: Path, to: unknown): Json {
  if (path.length === 0) return to === DELETE ? {} : to;
  const [head, ...rest] = path;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string | number, unknown>;
  if (rest.length === 0 && to === DELETE) {
    if (Array.isArray(copy)) (copy as unknown[]).splice(head as number, 1);
    else delete copy[head!];
  } else copy[head!] = setIn(copy[head!], rest, to);
  return copy;
}

const BASE_PATHS = pathsOf(BASE).filter((p) => p.length > 0);

/** Values a config field may be set to by mistake: wrong types, odd durations, huge numbers, unicode. */
const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', '0', '-1s', '1e400', '0ms', '1.5ms', '99999999999999d', 'NaN', 'Infinity', '10 s', 'yes', '~'),
  fc.oneof(fc.integer(), fc.double(), fc.constantFrom(Number.MAX_SAFE_INTEGER + 2, -0, 1e308)),
  fc.stringMatching(/^-?\d{1,20}(\.\d{1,3})?(ms|s|m|h|d|w|us|)$/),
);
const oddKey = fc.oneof(
  fc.string({ maxLength: 20 }).filter((k) => k !== 'plugins'),
  fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', '0', 'a.b', ''),
);

/** Configs like BASE with one thing wrong: a field set to an odd value, removed, or a key added. */
const mutatedConfig = fc.oneof(
  fc.tuple(fc.constantFrom(...BASE_PATHS), oddValue).map(([path, value]) => setIn(BASE, path, value)),
  fc.constantFrom(...BASE_PATHS).map((path) => setIn(BASE, path, DELETE)),
  fc
    .tuple(
      fc.constantFrom(
        ...pathsOf(BASE).filter((p) => {
          let node: unknown = BASE;
          for (const k of p) node = (node as Record<string | number, unknown>)[k];
          return node !== null && typeof node === 'object' && !Array.isArray(node);
        }),
      ),
      oddKey,
      oddValue,
    )
    .map(([path, key, value]) => setIn(BASE, [...path, key], value)),
);

/** YAML-looking text: structure characters, anchors, aliases, tags, indentation, words. */
const yamlish = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        ':',
        ': ',
        '- ',
        '\n',
        '\n  ',
        '  ',
        '[',
        ']',
        '{',
        '}',
        ',',
        '&a ',
        '*a',
        '&b ',
        '*b',
        '!!str ',
        '!!binary ',
        '!!map ',
        '!<tag:x> ',
        '<<: ',
        '? ',
        '|',
        '>',
        '#',
        "'",
        '"',
        '%YAML 1.2\n',
        '---\n',
        '...\n',
        '\t',
        '\\',
        '\u0000',
        'probes',
        'name',
        'every',
        'timeout',
        'trigger',
        'http',
        'url',
        'path',
        'steps',
        'budget',
        '10s',
        '1',
        'x',
      ),
      fc.string({ unit: 'binary', maxLength: 6 }),
    ),
    { maxLength: 60 },
  )
  .map((parts) => parts.join(''));

/** The property: a config, or a ConfigError whose every issue names a path (with a line when the file has lines). */
async function configOrConfigError(text: string): Promise<void> {
  let error: unknown;
  try {
    const config = await parseProbeConfig(text);
    expect(Object.isFrozen(config)).toBe(true);
    return;
  } catch (caught) {
    error = caught;
  }
  if (!(error instanceof ConfigError)) throw new Error(`not a ConfigError: ${String(error)}`, { cause: error });
  expect(error.code).toBe('HOPTRACE_CONFIG_INVALID');
  expect(error.issues.length).toBeGreaterThan(0);
  const doc = parseDocument(text);
  const lineCount = text.split(/\r\n|\r|\n/).length;
  for (const issue of error.issues) {
    expect(typeof issue.path).toBe('string');
    expect(issue.path.length).toBeGreaterThan(0);
    expect(issue.message.length).toBeGreaterThan(0);
    if (issue.line !== undefined) {
      expect(issue.line).toBeGreaterThanOrEqual(1);
      expect(issue.line).toBeLessThanOrEqual(lineCount);
    }
    // The file is a mapping and the problem is in it (not in the YAML itself): it has a line.
    if (issue.path !== '(yaml)' && doc.errors.length === 0 && isCollection(doc.contents)) {
      expect(issue.line, issue.path).toBeTypeOf('number');
    }
  }
}

describe('parseProbeConfig: fuzzing', () => {
  it('reads the base config (the fuzzing starts from a valid one)', async () => {
    await expect(parseProbeConfig(stringify(BASE))).resolves.toMatchObject({ probes: [{}, {}] });
  });

  it(
    'a valid config with one field set to an odd value, removed or added: a config or a ConfigError with paths and lines',
    async () => {
      await fc.assert(
        fc.asyncProperty(mutatedConfig, fc.boolean(), async (config, flow) => {
          await configOrConfigError(stringify(config, { collectionStyle: flow ? 'flow' : 'any' }));
        }),
        fuzzParams(),
      );
    },
    fuzzTimeoutMs(),
  );

  it(
    'arbitrary YAML-looking text: a config or a ConfigError, never another exception',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(yamlish, fc.string({ unit: 'binary', maxLength: 200 })), configOrConfigError),
        fuzzParams(),
      );
    },
    fuzzTimeoutMs(),
  );

  it(
    'valid config text with characters inserted anywhere: a config or a ConfigError',
    async () => {
      const text = stringify(BASE);
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(fc.nat(text.length), yamlish), { minLength: 1, maxLength: 3 }),
          async (edits) => {
            let edited = text;
            for (const [at, insert] of edits) edited = edited.slice(0, at) + insert + edited.slice(at);
            await configOrConfigError(edited);
          },
        ),
        fuzzParams(),
      );
    },
    fuzzTimeoutMs(),
  );
});

describe('parseProbeConfig: YAML aliases (regressions found by fuzzing)', () => {
  it('an alias bomb ("billion laughs") is a ConfigError, refused quickly, not expanded', async () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (const [prev, name] of [...'abcdefgh'].slice(0, -1).map((c, i) => [c, 'bcdefgh'[i]!] as const)) {
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    }
    const started = performance.now();
    const error = await parseProbeConfig(levels.join('\n')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toEqual([{ path: '(yaml)', message: expect.stringMatching(/alias/i) }]);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('an alias used before its anchor is a ConfigError naming it, not a ReferenceError', async () => {
    const error = await parseProbeConfig('a: 1\n<<: *b\n').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues[0]).toMatchObject({ path: '(yaml)', message: expect.stringContaining('b') });
  });
});

describe('parseProbeConfig: empty keys (a regression found by fuzzing)', () => {
  it('a line that is only ":" (an empty key) is reported at path "\\"\\"", not at an empty path', async () => {
    const error = await parseProbeConfig(':').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toContainEqual({
      path: '""',
      message: 'unknown key (check its spelling)',
      line: 1,
    });
  });
});
