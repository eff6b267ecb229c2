/** EC2 takes at most 16 KB of user_data, counted before base64 encoding. */
export const USER_DATA_MAX_BYTES = 16 * 1024;

/** The rendered script, base64-encoded for RunInstances, or an error naming the limit. */
export function encodeUserData(userData: string): string {
  const bytes = Buffer.byteLength(userData, 'utf8');
  if (bytes > USER_DATA_MAX_BYTES) {
    throw new Error(
      `provider.userDataFile renders to ${bytes} bytes, over EC2's ${USER_DATA_MAX_BYTES}-byte user_data limit: ` +
        'bake bulk content into the AMI and keep user_data to configuration',
    );
  }
  return Buffer.from(userData, 'utf8').toString('base64');
}
