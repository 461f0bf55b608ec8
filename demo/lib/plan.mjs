// The port plan and the environment of every service instance. Ports are handed out in service
// order from the base port, every instance of one service before the next service: with one
// instance each, gateway 7001, mailbox 7002, recorder 7003, storage 7004, retrieval 7005,
// notifier 7006, call-edge 7007. The call edge also takes SIP over UDP, on the UDP port of the
// same number as its HTTP port (127.0.0.1:7007/udp).
import { DOWNSTREAMS, SERVICES, SIP_SERVICES } from '../services/lib/topology.js';

const FAULT_VARIABLES = ['FAULT_LATENCY_MS', 'FAULT_ERROR_RATE', 'FAULT_DROP_RATE', 'FAULT_DROP_CONTEXT'];

/**
 * Every instance to start: `{ service, id, port, url }`, in start order; a service that takes SIP
 * calls also has `sipPort` (UDP) and `sipTarget` (`127.0.0.1:<sipPort>`, what a SIP trigger dials).
 */
export function planInstances({ instances, basePort }) {
  const plan = [];
  for (const service of SERVICES) {
    for (let n = 1; n <= instances; n++) {
      const port = basePort + plan.length;
      const sip = SIP_SERVICES.includes(service) ? { sipPort: port, sipTarget: `127.0.0.1:${port}` } : {};
      plan.push({ service, id: `${service}-${n}`, port, url: `http://127.0.0.1:${port}`, ...sip });
    }
  }
  return plan;
}

/** The prefix of a service's launcher variables: `RECORDER` for recorder, `CALL_EDGE` for call-edge. */
export function variablePrefix(service) {
  return service.toUpperCase().replaceAll('-', '_');
}

/** `OTEL_RESOURCE_ATTRIBUTES` with our `service.instance.id` replacing any the user set. */
function resourceAttributes(existing, instanceId) {
  const kept = (existing ?? '')
    .split(',')
    .map((pair) => pair.trim())
    .filter((pair) => pair && !pair.startsWith('service.instance.id='));
  return [...kept, `service.instance.id=${instanceId}`].join(',');
}

/**
 * Faults for one service from the launcher's environment: `RECORDER_FAULT_LATENCY_MS=400` gives
 * every recorder instance `FAULT_LATENCY_MS=400`. Plain `FAULT_*` variables are not passed on:
 * they describe one service, and six services with the same fault is rarely what was meant.
 */
function faultVariables(env, service) {
  const variables = {};
  for (const name of FAULT_VARIABLES) {
    const value = env[`${variablePrefix(service)}_${name}`];
    if (value !== undefined) variables[name] = value;
  }
  return variables;
}

/** The plain `FAULT_*` variables set in `env`, which the launcher ignores (see faultVariables). */
export function ignoredFaultVariables(env) {
  return FAULT_VARIABLES.filter((name) => env[name] !== undefined);
}

/** The services traced in full in `--mode mixed`: one in two along the deposit flow. */
const FULL_IN_MIXED = new Set(['gateway', 'recorder', 'notifier']);

/** `HOPTRACE_MODE` of a service under the launcher's `--mode` (undefined: the drop-in's default). */
export function serviceMode(service, mode) {
  if (mode === 'mixed') return FULL_IN_MIXED.has(service) ? 'full' : 'probe-only';
  return mode;
}

/** One line saying how the services are traced. */
export function describeModes(mode) {
  if (mode === undefined) {
    return 'tracing: the drop-in default (probe-only; full where OTEL_EXPORTER_OTLP_ENDPOINT is set); --mode chooses';
  }
  if (mode !== 'mixed') return `tracing: ${mode} in every service (--mode ${mode})`;
  const full = SERVICES.filter((s) => serviceMode(s, mode) === 'full');
  const probeOnly = SERVICES.filter((s) => serviceMode(s, mode) === 'probe-only');
  return `tracing: full in ${full.join(', ')}; probe-only in ${probeOnly.join(', ')} (--mode mixed)`;
}

/** The environment of one instance: the launcher's own, plus its identity, port, neighbours, mode and faults. */
export function instanceEnv(instance, plan, { env, redisUrl, secret, verbose, mode, events }) {
  const base = { ...env };
  for (const name of FAULT_VARIABLES) delete base[name];
  const downstreamUrls = Object.fromEntries(
    Object.entries(DOWNSTREAMS[instance.service]).map(([variable, target]) => [
      variable,
      plan
        .filter((other) => other.service === target)
        .map((other) => other.url)
        .join(','),
    ]),
  );
  return {
    ...base,
    OTEL_SERVICE_NAME: instance.service,
    OTEL_RESOURCE_ATTRIBUTES: resourceAttributes(env.OTEL_RESOURCE_ATTRIBUTES, instance.id),
    PORT: String(instance.port),
    HOST: '127.0.0.1',
    REDIS_URL: redisUrl,
    HOPTRACE_SECRET: secret,
    DEMO_VERBOSE: verbose ? '1' : '0',
    ...(mode === undefined ? {} : { HOPTRACE_MODE: serviceMode(instance.service, mode) }),
    ...(events ? { DEMO_EVENTS: events.events, AMQP_URL: events.amqpUrl } : {}),
    ...downstreamUrls,
    ...(instance.sipPort === undefined ? {} : { SIP_PORT: String(instance.sipPort) }),
    ...faultVariables(env, instance.service),
  };
}
