import { readFileSync } from 'node:fs';
import { LineCounter, isNode, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigIssue } from '@hoptrace/core';
import { crossCheckProbeConfig } from './cross-checks';
import { probeConfigSchema, type ProbeConfig } from './probe-config-schema';

type Path = readonly PropertyKey[];

/** 1-based line of the YAML node at `path`, or of its nearest existing parent. */
function lineOf(doc: Document, lines: LineCounter, path: Path): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth) as unknown[], true);
    if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}

function issuesOf(error: z.ZodError, doc: Document, lines: LineCounter): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const issue of error.issues) {
    // An unknown key is reported on its object; point at the key itself, where the typo is.
    const paths: Path[] =
      issue.code === 'unrecognized_keys' ? issue.keys.map((key) => [...issue.path, key]) : [issue.path];
    for (const path of paths) {
      issues.push({
        path: path.length > 0 ? path.map(String).join('.') : '(root)',
        message: issue.code === 'unrecognized_keys' ? 'unknown key (check its spelling)' : issue.message,
        line: lineOf(doc, lines, path),
      });
    }
  }
  return issues;
}

/**
 * Parses and checks a probe config written in YAML. On any problem throws a ConfigError that
 * lists every problem at once, each with its path (e.g. `probes.0.every`) and line.
 */
export function parseProbeConfig(text: string, source = 'probe config'): ProbeConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => ({
        path: '(yaml)',
        message: e.message.split('\n')[0]!,
        line: lines.linePos(e.pos[0]).line,
      })),
      source,
    );
  }
  const raw: unknown = doc.toJS();
  const parsed = probeConfigSchema.safeParse(raw);
  const crossIssues = crossCheckProbeConfig(raw).map((issue) => ({
    ...issue,
    line: lineOf(
      doc,
      lines,
      issue.path.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)),
    ),
  }));
  if (!parsed.success || crossIssues.length > 0) {
    const issues = [...(parsed.success ? [] : issuesOf(parsed.error, doc, lines)), ...crossIssues];
    throw new ConfigError(
      issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)),
      source,
    );
  }
  return Object.freeze(parsed.data);
}

/** Reads a probe config file; see parseProbeConfig. */
export function loadProbeConfig(file: string): ProbeConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw new ConfigError([{ path: '(file)', message: `cannot read ${file}: ${reason}` }], file);
  }
  return parseProbeConfig(text, file);
}
