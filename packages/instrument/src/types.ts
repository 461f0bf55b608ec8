import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { Sampler } from '@opentelemetry/api';
import type { ProbeKeyRing } from '@hoptrace/core';
import type { HoptraceMode } from './mode';
import type { TokensWithheld } from './propagation';
import type {
  HopExportStatsSnapshot,
  HopRedisClient,
  HopSpanProcessorOptions,
  RedisHopExporterOptions,
  SpanProcessor,
} from '@hoptrace/redis-exporter';
import type { SdkLineInfo } from './sdk-line';

/** Where and how spans go to an OTLP endpoint (Jaeger, a collector). */
export interface OtlpOptions {
  /** Full traces URL, e.g. `http://127.0.0.1:4318/v1/traces`. Default: from `OTEL_EXPORTER_OTLP_*`. */
  url?: string;
  /** `http/protobuf` (default) or `http/json`. */
  protocol?: 'http/protobuf' | 'http/json';
  /** Extra HTTP headers (e.g. auth). Default: from `OTEL_EXPORTER_OTLP_*HEADERS`. */
  headers?: Record<string, string>;
}

/** Options of `startInstrumentation`. Every field is optional; see the README for defaults. */
export interface InstrumentationOptions {
  /**
   * `full` traces every request (OpenTelemetry's instrumentations); `probe-only` traces probe
   * requests only and leaves ordinary traffic alone. Default: `HOPTRACE_MODE`, else `full` when
   * an OTLP endpoint or span processors of your own are set, else `probe-only`.
   */
  mode?: HoptraceMode;
  /** `service.name`. Default: `OTEL_SERVICE_NAME`, else OpenTelemetry's `unknown_service:<process>`. */
  serviceName?: string;
  /** Extra resource attributes, e.g. `{ 'service.instance.id': 'recorder-2' }`. */
  resourceAttributes?: Record<string, string>;
  /**
   * Probe token key(s), as `HOPTRACE_SECRET` takes them, or a parsed key ring. Without a key no
   * request is a probe: tracing continues, nothing is written to Redis.
   */
  secret?: string | ProbeKeyRing;
  /** Sampler for ordinary traffic in full mode; probes are always sampled. Default: from `OTEL_TRACES_SAMPLER`. */
  sampler?: Sampler;
  /** Your own span processors; they run before hoptrace's and see every recording span. */
  spanProcessors?: SpanProcessor[];
  /** Send every sampled span (probe or not) to OTLP. Default: on when an `OTEL_EXPORTER_OTLP_*ENDPOINT` is set. */
  otlp?: OtlpOptions | false;
  /** Redis for hop records: a client (yours, never closed by us), else `redisUrl`. */
  redis?: HopRedisClient;
  /** Redis URL or cluster seed list. Default: `REDIS_URL`, else `redis://127.0.0.1:6379`. */
  redisUrl?: string;
  /** Options of the Redis hop exporter (key prefix, TTL, timeouts, caps). */
  exporter?: Omit<RedisHopExporterOptions, 'redis' | 'redisUrl' | 'stats' | 'onWarning'>;
  /** Options of the hop queue in front of the exporter. */
  hopQueue?: Omit<HopSpanProcessorOptions, 'stats'>;
  /** Grace after a probe token's expiry for clock differences. Default 30 000 ms. */
  clockSkewMs?: number;
  /**
   * Where the probe token may be sent on, as `HOPTRACE_PROPAGATE_TO` takes it (a string, or its
   * entries): host names, `host:port`, `*.domain`, IP addresses, CIDR ranges, `defaults`, `*`,
   * `none`. To any other destination the probe's `baggage` member (and message field) is left
   * out. Default: `HOPTRACE_PROPAGATE_TO`, else the defaults (loopback, private ranges,
   * single-label and cluster-local names). Bad entries are reported through `diag` and ignored.
   */
  propagateTo?: string | readonly string[];
  /**
   * Instrumentations to enable. Full mode's default: http, express, undici (global fetch) and
   * ioredis. In probe-only mode these are added to its own tracing of http and fetch (give none
   * of those: they would trace every request again).
   */
  instrumentations?: Instrumentation[];
  /** Receives hoptrace's own warnings (hop drops, Redis connection problems), rate-limited. Default `diag.warn`. */
  onWarning?: (message: string) => void;
  /** Read `OTEL_*`, `HOPTRACE_*` and `REDIS_URL` from this environment for options not given. Default `process.env`; `false` to ignore the environment. */
  env?: Record<string, string | undefined> | false;
}

/** What `startInstrumentation` hands back. */
export interface HoptraceInstrumentation {
  /** How this service is traced (`full` or `probe-only`). */
  readonly mode: HoptraceMode;
  /** Whether probe detection is on (a secret was given). */
  readonly probesEnabled: boolean;
  /** The OpenTelemetry trace SDK that makes the spans: the drop-in's own 2.x, or the service's 3.x. */
  readonly sdk: SdkLineInfo;
  /** Counters of the hop path: hops written, duplicates, dropped by reason, tokens refused by reason. */
  stats(): HoptraceStats;
  /** Exports everything queued (hops and OTLP spans) and waits. */
  forceFlush(): Promise<void>;
  /** Flushes, stops the instrumentations and the tracer provider, closes the exporter's own Redis client. Idempotent. */
  shutdown(): Promise<void>;
}

/** Counters of the hop path. */
export interface HoptraceStats extends HopExportStatsSnapshot {
  /** Hops waiting in the queue now. */
  queued: number;
  /** Probe tokens refused, by reason (each refusal made a request ordinary traffic). */
  rejectedTokens: Record<string, number>;
  /**
   * Probe-only mode: incoming requests whose `baggage` named the probe key, and so were traced
   * as far as the token check (every other request was not looked at beyond that header). Each
   * valid token among them made a hop. Always 0 in full mode, where every request is traced.
   */
  probeCandidates: number;
  /**
   * Probe tokens held back from destinations outside `HOPTRACE_PROPAGATE_TO`, by kind of call:
   * `request` (http, https, fetch), `message` (RabbitMQ, NATS, `injectMessageContext`). Each is
   * one outgoing call or message that went without the probe's baggage member.
   */
  tokensWithheld: TokensWithheld;
}

/** A verified probe, as business code sees it. */
export interface ProbeInfo {
  /** Probe name, e.g. `deposit-voicemail`. */
  name: string;
  /** Id of this run. */
  runId: string;
}
