/**
 * Throws a `TypeError` that names the option and its rule unless `value` is undefined or a finite
 * number that passes: a zero drain rate or a NaN timeout would otherwise turn into endless or zero waits.
 */
export function checkNumber(name: string, value: unknown, rule: 'positive number' | 'non-negative number' | 'whole number ≥ 1'): void {
  if (value === undefined) return;
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (rule === 'positive number' ? value > 0 : rule === 'non-negative number' ? value >= 0 : Number.isInteger(value) && value >= 1);
  if (!ok) throw new TypeError(`${name} must be a ${rule}, got ${String(value)}`);
}
