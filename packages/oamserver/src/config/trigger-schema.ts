import { z } from 'zod';
import type { StandardSchemaV1 } from '../plugins/types';
import { checkKindAndOptions } from './plugin-options';

/** The options schema of each trigger kind a config may use: built-in ones and those of its plugins. */
export type TriggerKinds = ReadonlyMap<string, StandardSchemaV1>;

/** A checked trigger: its kind and its options as the kind's schema gave them back (defaults filled in). */
export interface TriggerDefinition {
  kind: string;
  options: unknown;
}

/**
 * `trigger: { <kind>: <options> }`: exactly one kind, its options checked by that kind's schema
 * (which may be a plugin's: any Standard Schema). Issues keep their path below the kind, so a
 * plugin's option errors are reported with path and line like built-in ones.
 */
export function triggerSchema(kinds: TriggerKinds, unknownKindHint = '') {
  return z.record(z.string(), z.unknown()).transform(async (value, ctx): Promise<TriggerDefinition> => {
    const chosen = await checkKindAndOptions(value, kinds, ctx, { what: 'trigger', hint: unknownKindHint });
    return chosen ?? z.NEVER;
  });
}
