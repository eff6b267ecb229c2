/**
 * The one way to turn anything thrown into text for a log field, an event or an error line.
 * Libraries throw non-Error values too (Kiota throws plain objects), so String() is the fallback.
 */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
