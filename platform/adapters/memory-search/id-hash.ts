/**
 * A 32-bit FNV-1a hash of an id's UTF-16 code units, finished with a
 * murmur-style mix. Slots keep their id's hash, so id tables compare and grow
 * on integers and read an id string only to confirm a hash match.
 */
export function hashId(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}
