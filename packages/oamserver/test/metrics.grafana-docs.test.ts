import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { OamMetrics } from '../src/http/metrics';

// The Grafana dashboard and the Prometheus rules in docs/grafana must only query metrics the
// Oamserver serves: a renamed metric would otherwise leave an empty panel or a silent alert.
const DOCS = join(__dirname, '..', '..', '..', 'docs', 'grafana');

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { uid: string };
  targets?: { expr: string; datasource?: { uid: string } }[];
}

const dashboard = JSON.parse(readFileSync(join(DOCS, 'hoptrace-dashboard.json'), 'utf8')) as {
  __inputs: { name: string; pluginId: string }[];
  schemaVersion: number;
  panels: Panel[];
  templating: { list: { name: string; definition: string }[] };
};
const rules = (
  parse(readFileSync(join(DOCS, 'alert-rules.yaml'), 'utf8')) as {
    groups: { rules: { alert: string; expr: string }[] }[];
  }
).groups.flatMap((g) => g.rules);

const served = new Set(
  new OamMetrics({ probes: ['p'], storageUp: () => true }).registry.getMetricsAsArray().map((m) => m.name),
);

/** Metric names an expression reads (a histogram's _bucket, _sum and _count series belong to it). */
function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/\bhoptrace_[a-z_]+\b/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, ''));
}

const queries: [string, string][] = [
  ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t): [string, string] => [`panel "${p.title}"`, t.expr])),
  ...dashboard.templating.list.map((v): [string, string] => [`variable ${v.name}`, v.definition]),
  ...rules.map((r): [string, string] => [`rule ${r.alert}`, r.expr]),
];

describe('docs/grafana', () => {
  it('every query reads at least one metric, and only metrics the Oamserver serves', () => {
    for (const [where, expr] of queries) {
      const names = metricsIn(expr);
      expect(names.length, `${where}: ${expr}`).toBeGreaterThan(0);
      for (const name of names) expect(served.has(name), `${where} reads ${name}, which is not served`).toBe(true);
    }
  });

  it('shows every hoptrace metric somewhere on the dashboard', () => {
    const shown = new Set(queries.flatMap(([, expr]) => metricsIn(expr)));
    const hoptraceMetrics = [...served].filter((name) => !name.startsWith('hoptrace_oamserver_'));
    expect(hoptraceMetrics.filter((name) => !shown.has(name))).toEqual([]);
  });

  it('is an importable dashboard: one Prometheus input used by every panel, unique panel ids', () => {
    expect(dashboard.schemaVersion).toBe(39);
    expect(dashboard.__inputs).toEqual([expect.objectContaining({ name: 'DS_PROMETHEUS', pluginId: 'prometheus' })]);
    const queryPanels = dashboard.panels.filter((p) => p.type !== 'row');
    for (const panel of queryPanels) {
      expect(panel.datasource?.uid, panel.title).toBe('${DS_PROMETHEUS}');
      for (const target of panel.targets ?? []) expect(target.datasource?.uid, panel.title).toBe('${DS_PROMETHEUS}');
    }
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
