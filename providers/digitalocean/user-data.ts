/** DigitalOcean refuses user_data larger than 64 KiB. */
export const USER_DATA_MAX_BYTES = 64 * 1024;

export type { UserDataValues } from '../provider.ts';
export { renderUserData, shellQuote } from '../provider.ts';

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
