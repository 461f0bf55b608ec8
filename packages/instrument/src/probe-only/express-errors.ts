import {
  InstrumentationBase,
  InstrumentationNodeModuleDefinition,
  InstrumentationNodeModuleFile,
} from '@opentelemetry/instrumentation';
import { probeHopOf } from './probe-hop-state';

type Next = (error?: unknown) => void;
type HandleRequest = (this: unknown, req: unknown, res: unknown, next: Next) => unknown;
interface LayerPrototype {
  handle_request?: HandleRequest;
  handleRequest?: HandleRequest;
}

/** Express's own words for "skip the rest of this route or router": not errors. */
const NOT_ERRORS = new Set<unknown>([undefined, null, 'route', 'router']);

/**
 * Wraps a Layer's request handler so that, for a probe's request only, the first error passed
 * to `next` (a throw, a rejected promise or `next(err)`, which Express's layer all turn into
 * `next(err)`) is kept on the hop and recorded when it ends, as full mode's Express spans would.
 * An ordinary request pays one property read per layer.
 */
function wrapLayer(original: HandleRequest | undefined): HandleRequest | undefined {
  if (typeof original !== 'function') return original;
  return function handleRequest(this: unknown, req, res, next) {
    const hop = probeHopOf(req);
    if (hop === undefined || typeof next !== 'function') return original.call(this, req, res, next);
    return original.call(this, req, res, function noteError(this: unknown, error?: unknown) {
      if (hop.error === undefined && !NOT_ERRORS.has(error)) {
        hop.error = error instanceof Error ? error : String(error);
      }
      // eslint-disable-next-line prefer-rest-params -- Express passes on exactly what it got
      return next.apply(this, arguments as unknown as [unknown]);
    });
  };
}

/**
 * Probe-only mode's one patch: the errors an Express app passes on inside a probe hop (Express
 * 4's `express/lib/router/layer.js`, Express 5's `router/lib/layer.js`). Nothing else of Express
 * is touched; the route comes from what Express leaves on the request.
 */
export class ExpressErrorInstrumentation extends InstrumentationBase {
  constructor() {
    super('@hoptrace/instrument/express-errors', '1.0.0', {});
  }

  protected init() {
    const patchLayer = (name: keyof LayerPrototype) => (Layer: { prototype: LayerPrototype }) => {
      if (typeof Layer.prototype[name] === 'function') this._wrap(Layer.prototype, name, wrapLayer);
      return Layer;
    };
    const unpatchLayer = (name: keyof LayerPrototype) => (Layer?: { prototype: LayerPrototype }) => {
      if (Layer) this._unwrap(Layer.prototype, name);
    };
    return [
      new InstrumentationNodeModuleDefinition('express', ['>=4.0.0 <5'], undefined, undefined, [
        new InstrumentationNodeModuleFile(
          'express/lib/router/layer.js',
          ['>=4.0.0 <5'],
          patchLayer('handle_request'),
          unpatchLayer('handle_request'),
        ),
      ]),
      new InstrumentationNodeModuleDefinition('router', ['>=2.0.0 <3'], undefined, undefined, [
        new InstrumentationNodeModuleFile(
          'router/lib/layer.js',
          ['>=2.0.0 <3'],
          patchLayer('handleRequest'),
          unpatchLayer('handleRequest'),
        ),
      ]),
    ];
  }
}
