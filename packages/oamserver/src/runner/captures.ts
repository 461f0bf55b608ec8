import type { CapturedValues } from '../plugins/types';
import { CAPTURE_REFERENCE } from '../config/journey-checks';

/** Values captured by a journey's steps so far. */
export type Captured = CapturedValues;

/**
 * A step's trigger options with every `${name}` replaced by the value an earlier step captured.
 * `missing` names the values no step captured (the step is then skipped, not fired with a hole).
 */
export function substituteCaptures(options: unknown, captured: Captured): { value: unknown; missing: string[] } {
  const missing = new Set<string>();
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') {
      return value.replace(CAPTURE_REFERENCE, (whole, name: string) => {
        if (!Object.hasOwn(captured, name)) {
          missing.add(name);
          return whole;
        }
        return String(captured[name]);
      });
    }
    if (Array.isArray(value)) return value.map(walk);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, walk(item)]));
    }
    return value;
  };
  const value = walk(options);
  return { value, missing: [...missing] };
}
