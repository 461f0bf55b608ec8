// Types of probe-config.mjs, for the TypeScript tests that build configs from demo/probes.yaml.
export interface ProbeConfigLayout {
  /** demo/, which plugin paths in probes.yaml are relative to. */
  demoDir: string;
  /** Base URL of the first gateway (`http://127.0.0.1:7001` in the default layout). */
  gatewayUrl: string;
  /** `host:port` of the call edge's SIP (`127.0.0.1:7007` in the default layout). */
  sipTarget?: string;
  /** `storage.keyPrefix` of the Oamserver, when not its default. */
  keyPrefix?: string;
}
export function rewriteProbeConfig(text: string, layout: ProbeConfigLayout): string;
export function probeConfigFor(layout: ProbeConfigLayout & { stateDir: string }): string;
