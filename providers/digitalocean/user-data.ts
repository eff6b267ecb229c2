/** DigitalOcean refuses user_data larger than 64 KiB. */
export const USER_DATA_MAX_BYTES = 64 * 1024;

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)\s*\}\}/g;

export interface UserDataValues {
  /** The ServerSpec env: SERVER_ID, SERVER_NAME, POOL, REDIS_URL, AUTOSCALER_CLUSTER, BULLMQ_PREFIX, … */
  env: Record<string, string>;
  /** The user's own variables, reachable as {{vars.NAME}}. */
  vars: Record<string, string>;
}

/** A POSIX shell single-quoted word: nothing inside is expanded, so any value is safe. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

function lookup(key: string, values: UserDataValues): string | undefined {
  if (key.startsWith('vars.')) return values.vars[key.slice('vars.'.length)];
  return values.env[key];
}

/**
 * Fills {{NAME}} and {{vars.NAME}} placeholders with shell-quoted values. Unknown placeholders
 * fail rather than render empty, since an empty REDIS_URL boots a server that never works.
 */
export function renderUserData(template: string, values: UserDataValues): string {
  const unknown = new Set<string>();
  const rendered = template.replace(PLACEHOLDER, (match, key: string) => {
    const value = lookup(key, values);
    if (value === undefined) {
      unknown.add(key);
      return match;
    }
    return shellQuote(value);
  });
  if (unknown.size > 0) {
    const known = [...Object.keys(values.env), ...Object.keys(values.vars).map((k) => `vars.${k}`)];
    throw new Error(
      `provider.userDataFile uses unknown placeholder(s) ${[...unknown].map((k) => `{{${k}}}`).join(', ')}: ` +
        `known are ${known.map((k) => `{{${k}}}`).join(' ')} (add missing ones to provider.userDataVars)`,
    );
  }
  return rendered;
}

/** Throws unless the rendered script fits and carries no secret we were trusted with. */
export function checkUserData(userData: string, secrets: { token: string }): void {
  const bytes = Buffer.byteLength(userData, 'utf8');
  if (bytes > USER_DATA_MAX_BYTES) {
    throw new Error(
      `provider.userDataFile renders to ${bytes} bytes, over DigitalOcean's ${USER_DATA_MAX_BYTES}-byte user_data limit: ` +
        'move bulk content into the snapshot and keep user_data to configuration',
    );
  }
  if (secrets.token !== '' && userData.includes(secrets.token)) {
    throw new Error(
      'the rendered user_data contains the DigitalOcean API token: remove it from provider.userDataVars and the template',
    );
  }
}
