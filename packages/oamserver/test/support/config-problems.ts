import { ConfigError } from '@hoptrace/core';
import { parseProbeConfig } from '../../src/config/load-probe-config';

/** The ConfigError a config text is refused with (as `probes.yaml`); fails the test when it is accepted. */
export async function problemsOf(text: string): Promise<ConfigError> {
  try {
    await parseProbeConfig(text, 'probes.yaml');
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('the config was accepted');
}
