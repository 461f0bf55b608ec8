import { ConfigError } from '@hoptrace/core';
import { formatDuration } from '../../config/duration';
import { formatPath } from '../../classifier/expected-path';
import { loadProbeConfig } from '../../config/load-probe-config';
import { EXIT } from '../exit-codes';
import { style } from '../style';

/** `hoptrace validate FILE`: checks a probe config; lists every problem with its path and line. */
export async function validateCommand(file: string, options: { json?: boolean }): Promise<number> {
  try {
    const config = await loadProbeConfig(file);
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ valid: true, file, probes: config.probes.map((p) => p.name) })}\n`);
    } else {
      process.stdout.write(`${style.green('valid')}: ${file} defines ${config.probes.length} probe(s)\n`);
      for (const p of config.probes) {
        const what = p.journey
          ? `journey ${p.steps.map((s) => `${s.name} (${s.trigger.kind})`).join(' → ')}`
          : `${p.steps[0]!.trigger.kind.padEnd(11)} path ${formatPath(p.path)}`;
        process.stdout.write(`  ${p.name.padEnd(24)} every ${formatDuration(p.every).padEnd(5)} ${what}\n`);
      }
      for (const { spec, plugin } of config.plugins) {
        process.stdout.write(
          `  plugin ${spec}: ${plugin.type} ${plugin.kind}${plugin.description ? `, ${plugin.description}` : ''}\n`,
        );
      }
    }
    return EXIT.OK;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ valid: false, file, issues: error.issues })}\n`);
    } else {
      process.stderr.write(`${style.red('invalid')}: ${file} has ${error.issues.length} problem(s):\n`);
      for (const issue of error.issues) {
        process.stderr.write(
          `  ${issue.line ? `line ${issue.line}: ` : ''}${style.bold(issue.path)}: ${issue.message}\n`,
        );
      }
    }
    return EXIT.USAGE;
  }
}
