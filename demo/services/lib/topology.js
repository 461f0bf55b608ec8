// The shape of the voicemail platform, in one place: which services exist, in which order the
// launcher gives them ports, and which downstream services each one calls (and through which
// environment variable it learns their URLs). The launcher and the services both read it, so a
// service started by hand finds its neighbours on the same ports the launcher would use.

/**
 * Every service, in port order: the first instance of `gateway` gets the base port. The call edge
 * (SIP in front of the gateway) comes last, so that the other services keep their ports.
 */
export const SERVICES = Object.freeze([
  'gateway',
  'mailbox',
  'recorder',
  'storage',
  'retrieval',
  'notifier',
  'call-edge',
]);

/** The services that also take calls over SIP (UDP), on a port of the same number as their HTTP one. */
export const SIP_SERVICES = Object.freeze(['call-edge']);

/** The launcher's default base port: gateway 7001, mailbox 7002, recorder 7003, ... */
export const DEFAULT_BASE_PORT = 7001;

/** For each service: environment variable → the downstream service whose base URLs it lists. */
export const DOWNSTREAMS = Object.freeze({
  gateway: {
    MAILBOX_URLS: 'mailbox',
    RECORDER_URLS: 'recorder',
    RETRIEVAL_URLS: 'retrieval',
    NOTIFIER_URLS: 'notifier',
  },
  mailbox: {},
  recorder: { STORAGE_URLS: 'storage' },
  storage: {},
  retrieval: { STORAGE_URLS: 'storage' },
  notifier: {},
  'call-edge': { GATEWAY_URLS: 'gateway' },
});

/** Port of a service's first instance when it runs one instance per service from `basePort`. */
export function defaultPort(service, basePort = DEFAULT_BASE_PORT) {
  const index = SERVICES.indexOf(service);
  if (index < 0) throw new Error(`unknown service "${service}"`);
  return basePort + index;
}

/** Base URL of a service's first instance in the default single-instance layout. */
export function defaultUrl(service) {
  return `http://127.0.0.1:${defaultPort(service)}`;
}
