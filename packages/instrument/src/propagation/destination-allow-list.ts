import { BlockList, isIP } from 'node:net';

/**
 * What `defaults` stands for (and what applies when nothing is configured), besides single-label
 * host names: loopback, the private address ranges, and names that only resolve inside.
 * Link-local ranges (169.254.0.0/16, fe80::/10) are left out: the cloud metadata service lives
 * there, and it is not a hop of any probe.
 */
export const DEFAULT_PROPAGATE_TO: readonly string[] = [
  'localhost',
  '*.localhost',
  '*.cluster.local',
  '*.internal',
  '127.0.0.0/8',
  '::1',
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  'fc00::/7',
];

/** A parsed allow-list, and the entries that were refused (each message quotes its entry). */
export interface AllowListParse {
  list: DestinationAllowList;
  /** The valid entries, normalized (lower case, no trailing dot), as given to `parse` again. */
  entries: string[];
  issues: string[];
}

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/** A host name as written (lower case, no trailing dot), or undefined when it is not one. */
function hostName(text: string): string | undefined {
  const name = text.endsWith('.') ? text.slice(0, -1) : text;
  if (name.length === 0 || name.length > 253) return undefined;
  const labels = name.split('.');
  if (!labels.every((label) => LABEL.test(label))) return undefined;
  // `10.0.0` or `1.2.3.4.5`: meant as an address, and not one.
  if (/^\d+$/.test(labels[labels.length - 1]!)) return undefined;
  return name;
}

function portOf(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : undefined;
}

/** The host part of a destination as compared: lower case, without brackets or a trailing dot. */
function normalizeHost(host: string): string {
  let text = host.trim().toLowerCase();
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  if (text.endsWith('.')) text = text.slice(0, -1);
  return text;
}

/**
 * Where probe tokens may be sent: host names (exact, any case), `host:port`, wildcard domains
 * (`*.example.internal`: any name below it, not the name itself), IP addresses and CIDR ranges
 * (IPv4 and IPv6, matched with node:net's `BlockList`, which also matches IPv4-mapped IPv6
 * addresses), single-label names (through `defaults`), or everything (`*`). A destination is
 * matched by its host as written in the URL or connection: no DNS lookup is made, so a name is
 * never matched by the address it resolves to.
 */
export class DestinationAllowList {
  private readonly _names = new Map<string, Set<number> | 'any'>();
  private readonly _suffixes: { suffix: string; port: number | undefined }[] = [];
  private readonly _addressPorts: { address: BlockList; port: number }[] = [];
  private readonly _blocks = new BlockList();
  private _singleLabel = false;
  private _everything = false;

  private constructor() {}

  /**
   * Parses `HOPTRACE_PROPAGATE_TO` (entries separated by commas or white space), or a list of
   * entries. Unset, empty, or with no valid entry: the defaults. `defaults` adds them to other
   * entries; `*` allows every destination; `none` (alone) allows none. A bad entry is reported
   * in `issues` and ignored; nothing is thrown.
   */
  static parse(value: string | readonly string[] | undefined): AllowListParse {
    const raw = (typeof value === 'string' ? value.split(/[\s,]+/) : (value ?? [])).map((e) => e.trim());
    const list = new DestinationAllowList();
    const entries: string[] = [];
    const issues: string[] = [];
    let none = false;
    for (const entry of raw) {
      if (entry === '') continue;
      const lower = entry.toLowerCase();
      if (lower === 'none') {
        none = true;
        continue;
      }
      const normalized = list._add(lower);
      if (normalized === undefined) {
        issues.push(
          `"${entry}" is not a host name, host:port, *.domain, IP address or CIDR range (nor defaults, * or none); ignored`,
        );
      } else {
        entries.push(normalized);
      }
    }
    if (none && entries.length > 0) {
      issues.push('"none" cannot be combined with other entries; ignored');
    } else if (none) {
      return { list, entries: ['none'], issues };
    }
    if (entries.length === 0) {
      if (issues.length > 0) issues.push('no valid entry: using the defaults');
      return { list: DestinationAllowList.defaults(), entries: [], issues };
    }
    return { list, entries, issues };
  }

  /** The default list: `defaults`. */
  static defaults(): DestinationAllowList {
    const list = new DestinationAllowList();
    list._add('defaults');
    return list;
  }

  /** Whether a probe token may go to `host` (as written: a name or an IP address) on `port`. */
  allows(host: string, port?: number): boolean {
    if (this._everything) return true;
    const name = normalizeHost(host);
    if (name === '') return false;
    const family = isIP(name);
    if (family !== 0) {
      const type = family === 4 ? 'ipv4' : 'ipv6';
      try {
        if (this._blocks.check(name, type)) return true;
        if (port === undefined) return false;
        return this._addressPorts.some((entry) => entry.port === port && entry.address.check(name, type));
      } catch {
        return false; // an address BlockList cannot read (e.g. with a zone id): not allowed
      }
    }
    const ports = this._names.get(name);
    if (ports === 'any' || (ports !== undefined && port !== undefined && ports.has(port))) return true;
    for (const { suffix, port: only } of this._suffixes) {
      if (name.length > suffix.length && name.endsWith(suffix) && (only === undefined || only === port)) return true;
    }
    return this._singleLabel && !name.includes('.');
  }

  /** Adds one entry (lower case); returns it normalized, or undefined when it is not valid. */
  private _add(entry: string): string | undefined {
    if (entry === '*') {
      this._everything = true;
      return entry;
    }
    if (entry === 'defaults') {
      this._singleLabel = true;
      for (const each of DEFAULT_PROPAGATE_TO) this._add(each);
      return entry;
    }
    if (entry.includes('/')) return this._addRange(entry);
    const family = isIP(entry);
    if (family !== 0) {
      this._blocks.addAddress(entry, family === 4 ? 'ipv4' : 'ipv6');
      return entry;
    }
    // [v6] or [v6]:port
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    if (bracketed) {
      const address = bracketed[1]!;
      if (isIP(address) !== 6) return undefined;
      if (bracketed[2] === undefined) return this._add(address) && entry;
      const port = portOf(bracketed[2]);
      if (port === undefined) return undefined;
      this._addAddressPort(address, 'ipv6', port);
      return entry;
    }
    const colon = entry.indexOf(':');
    if (colon !== entry.lastIndexOf(':')) return undefined; // an IPv6 address that is not one
    const host = colon < 0 ? entry : entry.slice(0, colon);
    const port = colon < 0 ? undefined : portOf(entry.slice(colon + 1));
    if (colon >= 0 && port === undefined) return undefined;
    if (isIP(host) === 4) {
      this._addAddressPort(host, 'ipv4', port!);
      return entry;
    }
    if (host.startsWith('*.')) {
      const domain = hostName(host.slice(2));
      if (domain === undefined) return undefined;
      this._suffixes.push({ suffix: `.${domain}`, port });
      return `*.${domain}${port === undefined ? '' : `:${port}`}`;
    }
    const name = hostName(host);
    if (name === undefined) return undefined;
    const known = this._names.get(name);
    if (port === undefined) this._names.set(name, 'any');
    else if (known === undefined) this._names.set(name, new Set([port]));
    else if (known !== 'any') known.add(port);
    return `${name}${port === undefined ? '' : `:${port}`}`;
  }

  private _addAddressPort(address: string, family: 'ipv4' | 'ipv6', port: number): void {
    const one = new BlockList();
    one.addAddress(address, family);
    this._addressPorts.push({ address: one, port });
  }

  private _addRange(entry: string): string | undefined {
    const [address, bits, ...rest] = entry.split('/');
    const family = isIP(address!);
    if (rest.length > 0 || family === 0 || !/^\d{1,3}$/.test(bits!)) return undefined;
    const prefix = Number(bits);
    if (prefix > (family === 4 ? 32 : 128)) return undefined;
    this._blocks.addSubnet(address!, prefix, family === 4 ? 'ipv4' : 'ipv6');
    return entry;
  }
}
