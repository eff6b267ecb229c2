import { UsageError } from './io.ts';

const unitMs: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `30m`, `2h`, `1h30m`, `7d` → milliseconds; anything else is a UsageError naming the flag. */
export function parseDuration(value: string, flag: string): number {
  const parts = [...value.matchAll(/(\d+)([smhd])/g)];
  const consumed = parts.map((p) => p[0]).join('');
  const ms = parts.reduce((sum, [, n, unit]) => sum + Number(n) * (unitMs[unit ?? ''] ?? 0), 0);
  if (parts.length === 0 || consumed !== value || ms <= 0)
    throw new UsageError(`${flag}: use a duration like 90s, 30m, 2h or 1h30m (got "${value}")`);
  return ms;
}
