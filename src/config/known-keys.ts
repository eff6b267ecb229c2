import type { z } from 'zod';

/**
 * The option names a schema accepts at a field path, so an unknown key can be answered with the
 * closest real one. Walks zod's own definitions: objects, defaults/optionals, arrays, unions.
 */
export function knownKeysAt(schema: z.core.$ZodType, path: readonly PropertyKey[]): string[] {
  const keys = new Set<string>();
  for (const object of objectsAt(schema, path)) for (const key of Object.keys(object.shape)) keys.add(key);
  return [...keys];
}

function objectsAt(schema: z.core.$ZodType, path: readonly PropertyKey[]): z.core.$ZodObjectDef[] {
  const def = schema._zod.def;
  switch (def.type) {
    case 'default':
    case 'optional':
    case 'nullable':
    case 'prefault':
      return objectsAt((def as z.core.$ZodDefaultDef).innerType, path);
    case 'pipe':
      return objectsAt((def as z.core.$ZodPipeDef).in, path);
    case 'union':
      return (def as z.core.$ZodUnionDef).options.flatMap((option) => objectsAt(option, path));
    case 'array': {
      const [head, ...rest] = path;
      return typeof head === 'number' ? objectsAt((def as z.core.$ZodArrayDef).element, rest) : [];
    }
    case 'object': {
      const object = def as z.core.$ZodObjectDef;
      const [head, ...rest] = path;
      if (head === undefined) return [object];
      const field = object.shape[String(head)];
      return field === undefined ? [] : objectsAt(field, rest);
    }
    default:
      return [];
  }
}
