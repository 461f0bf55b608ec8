// `memo` without preact/compat (which would bring React's whole surface): a component that skips
// re-rendering while its props are shallow-equal. Live updates rely on it: a run of one probe
// redraws that probe's block only.
import { createElement, type Component, type FunctionComponent } from 'preact';

function shallowEqual(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => Object.is(a[k], b[k]));
}

export function memo<P extends object>(component: FunctionComponent<P>): FunctionComponent<P> {
  function Memoed(this: Component<P>, props: P) {
    this.shouldComponentUpdate = function (this: Component<P>, next: P) {
      return !shallowEqual(this.props, next as Record<string, unknown>);
    };
    return createElement(component, props);
  }
  Memoed.displayName = `Memo(${component.displayName ?? component.name})`;
  return Memoed as FunctionComponent<P>;
}
