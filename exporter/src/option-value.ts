import { HoptraceError } from '@hoptrace/core';

/**
 * An option's value, or `fallback` when it is not given. Refuses (HOPTRACE_CONFIG_INVALID, naming
 * the field) anything that is not a positive number, a whole one when `whole` is set; 0 passes
 * only with `zeroAllowed`.
 */
export function optionValue(
  value: number | undefined,
  field: string,
  fallback: number,
  { whole = false, zeroAllowed = false }: { whole?: boolean; zeroAllowed?: boolean } = {},
): number {
  if (value === undefined) return fallback;
  const valid =
    Number.isFinite(value) && (whole ? Number.isInteger(value) : true) && (zeroAllowed ? value >= 0 : value > 0);
  if (!valid) {
    throw new HoptraceError(
      'HOPTRACE_CONFIG_INVALID',
      `${field} must be a positive ${whole ? 'whole ' : ''}number, got ${value}`,
    );
  }
  return value;
}
