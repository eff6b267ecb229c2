/**
 * The Redis Cluster hash slot of a key (CRC16/XMODEM of its hash tag, or of the whole key, mod
 * 16384), as the Redis Cluster specification defines it. Computed here rather than taken from
 * ioredis's cluster-key-slot, which is not a dependency of ours and ships no types.
 */
export const hashSlots = 16_384;

const table = crcTable();

export function keySlot(key: string): number {
  const bytes = Buffer.from(hashTagOf(key), 'utf8');
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) ^ (table[((crc >> 8) ^ byte) & 0xff] ?? 0)) & 0xffff;
  return crc % hashSlots;
}

/**
 * The part of a key Redis Cluster hashes: what lies between the first `{` and the next `}` when
 * that is not empty, else the whole key.
 */
export function hashTagOf(key: string): string {
  const open = key.indexOf('{');
  if (open < 0) return key;
  const close = key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

function crcTable(): number[] {
  return Array.from({ length: 256 }, (_, n) => {
    let crc = n << 8;
    for (let bit = 0; bit < 8; bit++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    return crc;
  });
}

/**
 * Queues grouped so each group's keys live in one hash slot: the queues of one script call under
 * Redis Cluster. On one Redis (`cluster` false) every queue is in one group.
 */
export function groupBySlot(queues: readonly string[], prefix: string, cluster: boolean): string[][] {
  if (!cluster) return queues.length > 0 ? [[...queues]] : [];
  const groups = new Map<number, string[]>();
  for (const queue of queues) {
    const slot = keySlot(`${prefix}:${queue}:meta`);
    const group = groups.get(slot);
    if (group) group.push(queue);
    else groups.set(slot, [queue]);
  }
  return [...groups.values()];
}
