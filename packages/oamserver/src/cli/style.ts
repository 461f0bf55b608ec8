/** ANSI styling for the terminal; plain text when NO_COLOR is set or stdout is not a terminal. */
const enabled = process.stdout.isTTY === true && !process.env.NO_COLOR;

const code = (open: number, close: number) => (text: string) =>
  enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text;

export const style = {
  bold: code(1, 22),
  dim: code(2, 22),
  red: code(31, 39),
  green: code(32, 39),
  yellow: code(33, 39),
  cyan: code(36, 39),
};

/** Pads to a width, counting visible characters only (styles do not count). */
export function pad(text: string, width: number): string {
  // eslint-disable-next-line no-control-regex
  const visible = text.replace(/\u001b\[\d+m/g, '').length;
  return text + ' '.repeat(Math.max(0, width - visible));
}

/** A plain table: header row, then rows; columns sized to fit. */
export function table(header: string[], rows: string[][]): string {
  // eslint-disable-next-line no-control-regex
  const width = (s: string) => s.replace(/\u001b\[\d+m/g, '').length;
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : pad(c, widths[i]!)))
      .join('  ')
      .trimEnd();
  return [style.bold(line(header)), ...rows.map(line)].join('\n');
}
