const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL: Record<string, number> = { inf: Infinity, '+inf': Infinity, infinity: Infinity, '+infinity': Infinity, '-inf': -Infinity, '-infinity': -Infinity, nan: NaN };

/**
 * A sample value or `le` bound as the exposition format writes it (Go's ParseFloat: decimals, `+Inf`,
 * `-Inf`, `NaN`, in any case), or undefined. Not Number(): it also takes "", " 1" and "0x10".
 */
export function prometheusFloat(text: string): number | undefined {
  if (DECIMAL.test(text)) return Number(text);
  const special = text.toLowerCase();
  return Object.hasOwn(SPECIAL, special) ? SPECIAL[special] : undefined;
}
