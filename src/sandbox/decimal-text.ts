const DECIMAL = /^\s*(-?)(\d+)(?:\.(\d+))?\s*$/;

/**
 * A value as the decimal number a portal's database would read, in one spelling (`" 007.50"` →
 * `"7.5"`), or undefined when it is not decimal text or a finite number. A portal's PHP and MySQL
 * read `"0x1"`, `"1e3"` and `true` as something else than JavaScript's `Number` does, so ids and
 * amounts compare by this text, never through `Number`.
 */
export function decimalText(value: unknown): string | undefined {
  const spelled = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : typeof value === 'string' ? value : '';
  const parts = DECIMAL.exec(spelled);
  if (!parts) return undefined;
  const whole = parts[2]!.replace(/^0+(?=\d)/, '');
  const fraction = (parts[3] ?? '').replace(/0+$/, '');
  const sign = whole === '0' && fraction === '' ? '' : parts[1]!;
  return `${sign}${whole}${fraction === '' ? '' : `.${fraction}`}`;
}

function compareMagnitude(a: string, b: string): number {
  const [aWhole, aFraction = ''] = a.split('.') as [string, string?];
  const [bWhole, bFraction = ''] = b.split('.') as [string, string?];
  if (aWhole.length !== bWhole.length) return aWhole.length < bWhole.length ? -1 : 1;
  if (aWhole !== bWhole) return aWhole < bWhole ? -1 : 1;
  const width = Math.max(aFraction.length, bFraction.length);
  const x = aFraction.padEnd(width, '0');
  const y = bFraction.padEnd(width, '0');
  return x === y ? 0 : x < y ? -1 : 1;
}

/** Orders two results of `decimalText` exactly (no rounding through floating point): -1, 0 or 1. */
export function compareDecimal(a: string, b: string): number {
  const aNegative = a.startsWith('-');
  const bNegative = b.startsWith('-');
  if (aNegative !== bNegative) return aNegative ? -1 : 1;
  const order = compareMagnitude(aNegative ? a.slice(1) : a, bNegative ? b.slice(1) : b);
  return aNegative ? -order : order;
}
