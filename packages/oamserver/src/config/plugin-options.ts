import type { z } from 'zod';
import type { StandardSchemaV1 } from '../plugins/types';

function keyOf(segment: PropertyKey | StandardSchemaV1.PathSegment): PropertyKey {
  return typeof segment === 'object' ? segment.key : segment;
}

/**
 * Checks the options written under a plugin kind with that kind's schema (any Standard Schema)
 * and reports each problem on `ctx` at `[kind, ...its path]`, so that a plugin's option errors
 * come out with path and line like built-in ones. `what` names the plugin in a message when its
 * schema itself fails (`the email alert channel's schema failed: ...`).
 */
export async function checkPluginOptions(
  schema: StandardSchemaV1,
  kind: string,
  value: unknown,
  ctx: z.RefinementCtx,
  what: string,
): Promise<{ ok: true; value: unknown } | { ok: false }> {
  let result: StandardSchemaV1.Result<unknown>;
  try {
    result = await schema['~standard'].validate(value);
  } catch (error) {
    ctx.addIssue({
      code: 'custom',
      path: [kind],
      message: `the ${kind} ${what}'s schema failed: ${(error as Error).message}`,
    });
    return { ok: false };
  }
  if (!result.issues) return { ok: true, value: result.value };
  for (const issue of result.issues) {
    const path = [kind, ...(issue.path ?? []).map(keyOf)];
    // zod's own issues come through Standard Schema as they are: name each unknown key.
    const unknownKeys =
      (issue as { code?: string }).code === 'unrecognized_keys'
        ? (issue as unknown as { keys: string[] }).keys
        : undefined;
    if (unknownKeys) {
      for (const key of unknownKeys) {
        ctx.addIssue({ code: 'custom', path: [...path, key], message: 'unknown key (check its spelling)' });
      }
    } else ctx.addIssue({ code: 'custom', path, message: issue.message });
  }
  return { ok: false };
}

/**
 * `{ <kind>: <options> }` (what is left of the object once its common fields are taken out):
 * exactly one kind among `kinds`, and its options checked by that kind's schema. Every problem
 * is reported on `ctx` (an unknown kind names the known ones, plus `hint`); undefined then.
 */
export async function checkKindAndOptions(
  value: Record<string, unknown>,
  kinds: ReadonlyMap<string, StandardSchemaV1>,
  ctx: z.RefinementCtx,
  { what, hint = '' }: { what: 'trigger' | 'alert channel'; hint?: string },
): Promise<{ kind: string; options: unknown } | undefined> {
  const known = [...kinds.keys()].join(', ');
  const given = Object.keys(value);
  if (given.length !== 1) {
    ctx.addIssue({
      code: 'custom',
      ...(given.length > 1 && { path: [given[1]!] }),
      message: `give exactly one ${what} kind (${known})${given.length > 1 ? `, not ${given.join(' and ')}` : ''}`,
    });
    return undefined;
  }
  const kind = given[0]!;
  const schema = kinds.get(kind);
  if (!schema) {
    ctx.addIssue({ code: 'custom', path: [kind], message: `unknown ${what} kind "${kind}" (known: ${known})${hint}` });
    return undefined;
  }
  const options = await checkPluginOptions(schema, kind, value[kind], ctx, what === 'trigger' ? 'plugin' : what);
  return options.ok ? { kind, options: options.value } : undefined;
}
