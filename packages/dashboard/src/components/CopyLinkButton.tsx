import { useEffect, useRef, useState } from 'preact/hooks';

/**
 * Copies the page's address. Uses the Clipboard API when allowed; otherwise selects the address in
 * a text field so the user can copy it by hand.
 */
export function CopyLinkButton({ label = 'Copy link' }: { label?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'manual'>('idle');
  const inputRef = useRef<HTMLInputElement>(null);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  useEffect(() => {
    if (state === 'manual') inputRef.current?.select();
  }, [state]);

  const copy = async () => {
    const url = window.location.href;
    try {
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(url);
      setState('copied');
      clearTimeout(timer.current);
      timer.current = setTimeout(() => setState('idle'), 2500);
    } catch {
      setState('manual');
    }
  };

  return (
    <span class="copy-link">
      <button type="button" class="button" onClick={() => void copy()}>
        {label}
      </button>
      <span role="status" class="copy-status">
        {state === 'copied' && '✓ copied'}
      </span>
      {state === 'manual' && (
        <label class="copy-manual">
          <span class="sr-only">Address of this page (press Ctrl+C to copy)</span>
          <input ref={inputRef} type="text" readOnly value={window.location.href} size={48} />
          <span class="muted small">copy it with Ctrl+C</span>
        </label>
      )}
    </span>
  );
}
