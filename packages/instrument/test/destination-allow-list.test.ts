import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DestinationAllowList } from '../src/propagation';

const allows = (value: string | undefined, host: string, port?: number) =>
  DestinationAllowList.parse(value).list.allows(host, port);

describe('DestinationAllowList defaults (HOPTRACE_PROPAGATE_TO unset)', () => {
  it.each([
    ['127.0.0.1'],
    ['127.1.2.3'],
    ['::1'],
    ['[::1]'],
    ['10.4.0.7'],
    ['172.16.0.1'],
    ['172.31.255.254'],
    ['192.168.1.20'],
    ['fd12:3456::1'],
    ['fc00::9'],
    ['::ffff:10.1.2.3'],
    ['::ffff:a01:203'],
    ['localhost'],
    ['api.localhost'],
    ['gateway'],
    ['Recorder'],
    ['gateway.'],
    ['payments.billing.svc.cluster.local'],
    ['redis.cache.cluster.local'],
    ['db.europe-west1-b.c.project.internal'],
  ])('allow %s', (host) => {
    expect(allows(undefined, host, 8080)).toBe(true);
    expect(allows('', host)).toBe(true);
  });

  it.each([
    ['8.8.8.8'],
    ['172.32.0.1'],
    ['192.169.0.1'],
    ['169.254.169.254'],
    ['fe80::1'],
    ['100.64.0.1'],
    ['2001:db8::1'],
    ['::ffff:8.8.8.8'],
    ['api.stripe.com'],
    ['payments.billing'],
    ['cluster.local'],
    ['internal.example.com'],
    ['evil.cluster.local.example.com'],
    ['localhost.example.com'],
    ['0x7f.1'],
    ['127.1'],
    [''],
  ])('withhold from %s', (host) => {
    expect(allows(undefined, host, 443)).toBe(false);
  });
});

describe('DestinationAllowList.parse', () => {
  it('replaces the defaults with the entries given', () => {
    const { list, entries, issues } = DestinationAllowList.parse('127.0.0.1, payments.example.com');
    expect(issues).toEqual([]);
    expect(entries).toEqual(['127.0.0.1', 'payments.example.com']);
    expect(list.allows('127.0.0.1')).toBe(true);
    expect(list.allows('127.0.0.2')).toBe(false);
    expect(list.allows('gateway')).toBe(false);
    expect(list.allows('10.0.0.1')).toBe(false);
    expect(list.allows('PAYMENTS.example.com.', 443)).toBe(true);
    expect(list.allows('api.payments.example.com')).toBe(false);
  });

  it('keeps the defaults with `defaults`, separated by commas or white space', () => {
    const { list, issues } = DestinationAllowList.parse(' defaults\t*.partner.example  203.0.113.0/24 ');
    expect(issues).toEqual([]);
    expect(list.allows('gateway')).toBe(true);
    expect(list.allows('10.1.1.1')).toBe(true);
    expect(list.allows('api.partner.example')).toBe(true);
    expect(list.allows('a.b.partner.example')).toBe(true);
    expect(list.allows('partner.example')).toBe(false);
    expect(list.allows('203.0.113.77')).toBe(true);
    expect(list.allows('203.0.114.1')).toBe(false);
    expect(list.allows('api.stripe.com')).toBe(false);
  });

  it('matches host:port only on that port, and a host without a port on any', () => {
    const { list, issues } = DestinationAllowList.parse(
      'billing:8443,billing:9443,*.mesh.example:15001,10.9.9.9:80,[2001:db8::5]:8080',
    );
    expect(issues).toEqual([]);
    expect(list.allows('billing', 8443)).toBe(true);
    expect(list.allows('billing', 9443)).toBe(true);
    expect(list.allows('billing', 443)).toBe(false);
    expect(list.allows('billing')).toBe(false);
    expect(list.allows('a.mesh.example', 15001)).toBe(true);
    expect(list.allows('a.mesh.example', 80)).toBe(false);
    expect(list.allows('10.9.9.9', 80)).toBe(true);
    expect(list.allows('10.9.9.9', 81)).toBe(false);
    expect(list.allows('2001:db8::5', 8080)).toBe(true);
    expect(list.allows('2001:db8:0::5', 8080)).toBe(true);
    expect(list.allows('[2001:db8::5]', 8081)).toBe(false);
  });

  it('reads IPv6 addresses and ranges, and IPv4-mapped addresses against IPv4 ranges', () => {
    const { list, issues } = DestinationAllowList.parse('2001:db8::/32,[2001:db9::1],198.51.100.0/24');
    expect(issues).toEqual([]);
    expect(list.allows('2001:db8:1::1')).toBe(true);
    expect(list.allows('2001:db9::1')).toBe(true);
    expect(list.allows('2001:db9::2')).toBe(false);
    expect(list.allows('::ffff:198.51.100.9')).toBe(true);
  });

  it('allows every destination with *, and none with none', () => {
    expect(allows('*', 'api.stripe.com', 443)).toBe(true);
    expect(allows('*', '8.8.8.8')).toBe(true);
    const none = DestinationAllowList.parse('none');
    expect(none.issues).toEqual([]);
    expect(none.entries).toEqual(['none']);
    expect(none.list.allows('127.0.0.1')).toBe(false);
    expect(none.list.allows('gateway')).toBe(false);
  });

  it.each([
    'exa!mple.com',
    'http://billing',
    'billing:0',
    'billing:70000',
    'billing:http',
    '10.0.0.0/33',
    '10.0.0/8',
    'fd00::/129',
    '::g',
    '[10.0.0.1]',
  ])('reports %j, ignores it and keeps the valid entries', (bad) => {
    const { list, entries, issues } = DestinationAllowList.parse(`${bad},billing`);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toContain(bad);
    expect(entries).toEqual(['billing']);
    expect(list.allows('billing')).toBe(true);
  });

  it.each(['a.*.example', '*example.com', '*.', '-bad.example', '10.0.0', '1.2.3.4.5'])('reports %j', (bad) => {
    expect(DestinationAllowList.parse(bad).issues[0]).toContain(bad);
  });

  it('uses the defaults when no entry is valid, and says so', () => {
    const { list, entries, issues } = DestinationAllowList.parse('not?a list!');
    expect(entries).toEqual([]);
    expect(issues).toHaveLength(3);
    expect(issues.at(-1)).toContain('using the defaults');
    expect(list.allows('gateway')).toBe(true);
    expect(list.allows('api.stripe.com')).toBe(false);
  });

  it('refuses none next to other entries', () => {
    const { list, issues } = DestinationAllowList.parse('none,billing');
    expect(issues).toEqual(['"none" cannot be combined with other entries; ignored']);
    expect(list.allows('billing')).toBe(true);
  });

  it('gives entries that parse to the same list again', () => {
    const first = DestinationAllowList.parse('Defaults,BILLING:8443,*.Partner.Example.,10.0.0.0/8');
    expect(first.entries).toEqual(['defaults', 'billing:8443', '*.partner.example', '10.0.0.0/8']);
    expect(DestinationAllowList.parse(first.entries).entries).toEqual(first.entries);
  });

  it('never throws, whatever the value or the destination', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.option(fc.integer()), (value, host, port) => {
        const { list } = DestinationAllowList.parse(value);
        expect(typeof list.allows(host, port ?? undefined)).toBe('boolean');
      }),
    );
  });
});
