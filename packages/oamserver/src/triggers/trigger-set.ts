import { z } from 'zod';
import type { TriggerOutcome } from '../classifier/types';
import type { PluginLogger, TriggerCarrier, TriggerPlugin, TriggerRun } from '../plugins/types';

/** What a plugin's `fire` must resolve with (types.ts TriggerResult); anything else is a failed trigger. */
const triggerResultSchema = z.object({
  delivered: z.boolean(),
  ok: z.boolean().optional(),
  status: z.number().int().min(0).max(999).optional(),
  expectedStatus: z.union([z.number().int(), z.literal('2xx')]).optional(),
  messageId: z.string().max(512).optional(),
  detail: z.string().max(2000).optional(),
  error: z.string().max(2000).optional(),
  captured: z.record(z.string().max(64), z.union([z.string().max(4096), z.number(), z.boolean()])).optional(),
});

/** The run as the trigger set needs it: `TriggerRun` without what the set provides itself. */
export type TriggerRunInfo = Omit<TriggerRun, 'signal' | 'log' | 'timeoutMs'>;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The trigger plugins of one Oamserver, by kind. Fires a run through one of them so that the
 * plugin cannot harm the Oamserver: a throw, a rejection, an answer after the deadline or a
 * result of the wrong shape is a failed trigger with its reason, never an exception. A plugin's
 * `open` runs on its first use (again after it failed); `close` when the Oamserver stops.
 */
export class TriggerSet {
  private readonly _plugins = new Map<string, TriggerPlugin>();
  private readonly _states = new Map<string, Promise<unknown>>();
  private readonly _stopping = new AbortController();

  constructor(
    plugins: readonly TriggerPlugin[],
    private readonly _log: (
      level: 'info' | 'warn' | 'error',
      message: string,
      fields: Record<string, unknown>,
    ) => void = () => {},
  ) {
    for (const plugin of plugins) this._plugins.set(plugin.kind, plugin);
  }

  kinds(): string[] {
    return [...this._plugins.keys()];
  }

  private _logger(kind: string): PluginLogger {
    const at =
      (level: 'info' | 'warn' | 'error') =>
      (message: string, fields: Record<string, unknown> = {}): void => {
        try {
          this._log(level, message, { ...fields, plugin: kind });
        } catch {
          // A log line is not worth a failed run.
        }
      };
    return { info: at('info'), warn: at('warn'), error: at('error') };
  }

  private _state(plugin: TriggerPlugin): Promise<unknown> {
    let state = this._states.get(plugin.kind);
    if (!state) {
      state = Promise.resolve().then(() => plugin.open?.({ log: this._logger(plugin.kind) }));
      state.catch(() => this._states.delete(plugin.kind));
      this._states.set(plugin.kind, state);
    }
    return state;
  }

  /** Fires one run through the trigger `kind`; resolves by the deadline at the latest, never rejects. */
  async fire(kind: string, info: TriggerRunInfo, carrier: TriggerCarrier, options: unknown): Promise<TriggerOutcome> {
    const started = performance.now();
    const timeoutMs = Math.max(0, info.deadlineMs - Date.now());
    const outcome = (result: z.output<typeof triggerResultSchema>): TriggerOutcome => ({
      kind,
      ok: result.delivered && (result.ok ?? true),
      delivered: result.delivered,
      ...(result.status !== undefined ? { status: result.status } : {}),
      ...(result.expectedStatus !== undefined ? { expectedStatus: result.expectedStatus } : {}),
      ...(result.messageId !== undefined ? { messageId: result.messageId } : {}),
      ...(result.detail !== undefined ? { detail: result.detail } : {}),
      ...(result.error !== undefined ? { error: result.error } : {}),
      ...(result.captured !== undefined ? { captured: result.captured } : {}),
      durationMs: performance.now() - started,
    });
    const failed = (error: string): TriggerOutcome => outcome({ delivered: false, error });

    const plugin = this._plugins.get(kind);
    if (!plugin) return failed(`no trigger plugin of kind "${kind}" is loaded`);
    const deadline = new AbortController();
    const timer = setTimeout(
      () => deadline.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError')),
      timeoutMs,
    );
    const signal = AbortSignal.any([deadline.signal, this._stopping.signal]);
    const gaveUp = new Promise<never>((_, reject) => {
      signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
    });
    gaveUp.catch(() => undefined);
    try {
      let state: unknown;
      const opening = this._state(plugin);
      try {
        state = await Promise.race([opening, gaveUp]);
      } catch (error) {
        if (!signal.aborted) return failed(`the ${kind} plugin could not start (open failed): ${messageOf(error)}`);
        // An `open` that hangs must not hang every later run: the next one opens again.
        if (this._states.get(kind) === opening) this._states.delete(kind);
        throw error;
      }
      const run: TriggerRun = { ...info, timeoutMs, signal, log: this._logger(kind) };
      const answer: unknown = await Promise.race([
        Promise.resolve().then(() => plugin.fire(run, carrier, options, state)),
        gaveUp,
      ]);
      const result = triggerResultSchema.safeParse(answer);
      if (!result.success) {
        const problem = result.error.issues[0]!;
        return failed(
          `the ${kind} plugin returned an invalid result (${problem.path.join('.') || 'the result'}: ${problem.message})`,
        );
      }
      return outcome(result.data);
    } catch (error) {
      if (signal.aborted) {
        return failed(
          this._stopping.signal.aborted
            ? `the Oamserver stopped before the ${kind} trigger answered`
            : `the ${kind} trigger gave no answer within ${timeoutMs} ms`,
        );
      }
      return failed(`the ${kind} plugin failed: ${messageOf(error)}`);
    } finally {
      clearTimeout(timer);
      deadline.abort();
    }
  }

  /** Aborts triggers in flight, then closes every plugin that was opened. */
  async close(): Promise<void> {
    this._stopping.abort(new Error('the Oamserver is stopping'));
    const opened = [...this._states.entries()];
    this._states.clear();
    await Promise.all(
      opened.map(async ([kind, state]) => {
        try {
          await this._plugins.get(kind)?.close?.(await state);
        } catch (error) {
          this._logger(kind).warn(`closing the ${kind} plugin failed: ${messageOf(error)}`);
        }
      }),
    );
  }
}
