import { ConfigError } from '@hoptrace/core';
import { formatDuration } from '../../config/duration';
import { loadProbeConfig } from '../../config/load-probe-config';
import { EXIT } from '../exit-codes';
import { style } from '../style';

/** `hoptrace validate FILE`: checks a probe config; lists every problem with its path and line. */
export function validateCommand(file: string, options: { json?: boolean }): number {
  try {
    const config = loadProbeConfig(file);
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ valid: true, file, probes: config.probes.map((p) => p.name) })}\n`);
    } else {
      process.stdout.write(`${style.green('valid')}: ${file} defines ${config.probes.length} probe(s)\n`);
      for (const p of config.probes) {
        process.stdout.write(
          `  ${p.name.padEnd(24)} every ${formatDuration(p.every).padEnd(5)} path ${p.path.join(' → ')}\n`,
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
