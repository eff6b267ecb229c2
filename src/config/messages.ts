import type { z } from 'zod';
import { redactUrlsIn } from '../base/redact.ts';

/**
 * Operator-facing wording for zod's default messages: what the field must be and what it got.
 * Messages a schema sets itself (regexes, refinements) win over these.
 */
export function friendlyMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'too_small':
      return bound(issue.origin, issue.inclusive ? '≥' : '>', issue.minimum, issue.input, 'at least');
    case 'too_big':
      return bound(issue.origin, issue.inclusive ? '≤' : '<', issue.maximum, issue.input, 'at most');
    case 'invalid_type':
      return invalidType(issue.expected, issue.input);
    case 'invalid_value':
      return `must be ${oneOf(issue.values)} (got ${shown(issue.input)})`;
    case 'invalid_format':
      // The value itself is not echoed: a malformed URL may still carry a token.
      return issue.format === 'regex' ? undefined : `must be a valid ${issue.format.toUpperCase()}`;
    default:
      return undefined;
  }
}

function oneOf(values: readonly unknown[]): string {
  const listed = values.map((v) => JSON.stringify(v));
  return listed.length === 1 ? (listed[0] ?? '') : `one of ${listed.join(', ')}`;
}

function bound(
  origin: string,
  relation: string,
  limit: number | bigint,
  input: unknown,
  words: string,
): string {
  if (origin === 'array') return `needs ${words} ${limit} item${limit === 1 ? '' : 's'}`;
  if (origin === 'string')
    return limit === 1 && words === 'at least' ? 'must not be empty' : `needs ${words} ${limit} characters`;
  return `must be ${relation} ${limit} (got ${shown(input)})`;
}

function invalidType(expected: string, input: unknown): string {
  if (input === undefined) return `required: give ${article(expected)}`;
  if (expected === 'int') return `must be a whole number (got ${shown(input)})`;
  return `must be ${article(expected)} (got ${shown(input)})`;
}

function article(expected: string): string {
  const names: Record<string, string> = {
    int: 'a whole number',
    number: 'a number',
    string: 'a string',
    boolean: 'true or false',
    object: 'an object',
    array: 'a list',
  };
  return names[expected] ?? expected;
}

/** A short, secret-free rendering of what the config said. */
function shown(input: unknown): string {
  if (Array.isArray(input)) return 'a list';
  if (input === null) return 'null';
  if (typeof input === 'object') return 'an object';
  const text = typeof input === 'string' ? JSON.stringify(redactUrlsIn(input)) : String(input);
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}
