import { promises as fs } from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { RoaringBitmap32 } from 'roaring';
import { StorageError } from '../../platform/errors';
import { fsyncDir } from '../../platform/fs/write-file-atomic';
import { DenseIdMap } from './dense-id-map';
import { FrozenPostingsBuilder, type SlotKey } from './frozen-postings';
import { isUniverse, isUniverseKind, PostingIndex, type TermRef } from './posting-index';

/*
 * Layout (little-endian):
 *   "PSNAP001" | u32 metaLen | meta JSON
 *   3 × (u32 len | id map)                       media, user, location
 *   u32 lists | lists × (u8 kind | key | u32 len | portable roaring bytes)
 *   u32 crc32 of everything above | "PEND"
 * A tag key is u16 len + UTF-8; an id key is u32; universes have none.
 */
const MAGIC = Buffer.from('PSNAP001');
const TRAILER = Buffer.from('PEND');
const KINDS = ['live', 'public', 'users', 'tag', 'author', 'loc', 'follows', 'followers'] as const;
const CHUNK = 4 * 1024 * 1024;

export interface SnapshotMeta {
  version: 1;
  /** The event-log position the snapshot covers; the indexer resumes from it. */
  position: unknown;
  createdAt: string;
  lists: number;
}

/** Buffers output in large chunks, with a running CRC, and hands each chunk to the sink once. */
class ChunkWriter {
  private buf = Buffer.allocUnsafe(CHUNK);
  private used = 0;
  crc = 0;
  constructor(private readonly sink: (data: Buffer) => Promise<void>) {}

  /** Space for `n` bytes in the current chunk; flushes first when it would not fit. */
  async reserve(n: number): Promise<Buffer> {
    if (this.used + n > this.buf.length) {
      await this.flush();
      if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
    }
    const slice = this.buf.subarray(this.used, this.used + n);
    this.used += n;
    return slice;
  }

  async bytes(data: Uint8Array): Promise<void> {
    (await this.reserve(data.length)).set(data);
  }

  async u32(n: number): Promise<void> {
    (await this.reserve(4)).writeUInt32LE(n, 0);
  }

  async flush(): Promise<void> {
    if (this.used === 0) return;
    const data = this.buf.subarray(0, this.used);
    this.crc = crc32(data, this.crc);
    await this.sink(data);
    this.used = 0;
  }

  /** The CRC of everything written, then the end marker. */
  trailer(): Buffer {
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(this.crc >>> 0, 0);
    TRAILER.copy(trailer, 4);
    return trailer;
  }
}

/** Streams the image of `index` to `sink`; the caller blocks writers. */
async function encodeInto(
  index: PostingIndex,
  position: unknown,
  sink: (data: Buffer) => Promise<void>,
): Promise<SnapshotMeta> {
  const lists = [...index.entries()];
  const meta: SnapshotMeta = {
    version: 1,
    position,
    createdAt: new Date().toISOString(),
    lists: lists.length,
  };
  const out = new ChunkWriter(sink);
  const metaBytes = Buffer.from(JSON.stringify(meta));
  await out.bytes(MAGIC);
  await out.u32(metaBytes.length);
  await out.bytes(metaBytes);
  for (const map of [index.ids.media, index.ids.user, index.ids.location]) {
    const bytes = map.serialize();
    await out.u32(bytes.length);
    await out.bytes(bytes);
  }
  await out.u32(lists.length);
  for (const [term, bm] of lists) {
    await writeTermKey(out, term);
    const size = bm.getSerializationSizeInBytes('portable');
    await out.u32(size);
    bm.serialize('portable', await out.reserve(size));
  }
  await out.flush();
  await sink(out.trailer());
  return meta;
}

/** The snapshot as one buffer, for blob stores; same format as the file. */
export async function encodeSnapshot(
  index: PostingIndex,
  position: unknown,
): Promise<{ bytes: Buffer; meta: SnapshotMeta }> {
  return index.withWritesBlocked(async () => {
    const parts: Buffer[] = [];
    const meta = await encodeInto(index, position, async (data) => {
      parts.push(Buffer.from(data));
    });
    return { bytes: Buffer.concat(parts), meta };
  });
}

/**
 * Writes a crash-safe snapshot: temp file, fsync, rename, fsync the
 * directory. Writers are blocked meanwhile so the image is one version.
 * Bitmaps serialize into a preallocated chunk rather than allocating a Buffer
 * each, which held native memory until the event loop turned.
 */
export async function writeSnapshot(
  index: PostingIndex,
  file: string,
  position: unknown,
): Promise<SnapshotMeta> {
  return index.withWritesBlocked(async () => {
    const tmp = `${file}.tmp-${process.pid}`;
    await fs.mkdir(path.dirname(file), { recursive: true });
    const handle = await fs.open(tmp, 'w');
    let meta: SnapshotMeta;
    try {
      meta = await encodeInto(index, position, async (data) => {
        await handle.write(data);
      });
      await handle.sync();
    } catch (err) {
      await handle.close().catch(() => undefined);
      await fs.rm(tmp, { force: true });
      throw err;
    }
    await handle.close();
    await fs.rename(tmp, file);
    await fsyncDir(path.dirname(file));
    return meta;
  });
}

async function writeTermKey(out: ChunkWriter, term: TermRef): Promise<void> {
  (await out.reserve(1))[0] = KINDS.indexOf(term.kind);
  if (term.kind === 'tag') {
    const key = Buffer.from(term.tag, 'utf8');
    (await out.reserve(2)).writeUInt16LE(key.length, 0);
    await out.bytes(key);
  } else if ('id' in term) {
    await out.u32(term.id);
  }
}

export interface LoadedSnapshot {
  index: PostingIndex;
  meta: SnapshotMeta;
}

/** Loads and verifies a snapshot; a damaged file is a StorageError, never a partial index. */
export async function readSnapshot(file: string): Promise<LoadedSnapshot> {
  return decodeSnapshot(await fs.readFile(file), file);
}

/** Decodes and verifies a snapshot image; `label` names it in errors. */
export function decodeSnapshot(data: Buffer, label: string): LoadedSnapshot {
  const corrupt = (why: string) =>
    new StorageError('SNAPSHOT_CORRUPT', `snapshot ${label} is damaged: ${why}`);
  if (data.length < MAGIC.length + 12 || !data.subarray(0, MAGIC.length).equals(MAGIC))
    throw corrupt('bad header');
  const body = data.subarray(0, data.length - 8);
  if (!data.subarray(data.length - 4).equals(TRAILER)) throw corrupt('missing trailer (truncated?)');
  if (crc32(body) >>> 0 !== data.readUInt32LE(data.length - 8)) throw corrupt('checksum mismatch');
  let at = MAGIC.length;
  const take = (n: number) => {
    if (at + n > body.length) throw corrupt('section runs past the end');
    const slice = body.subarray(at, at + n);
    at += n;
    return slice;
  };
  const u32 = () => take(4).readUInt32LE(0);
  const meta = JSON.parse(take(u32()).toString('utf8')) as SnapshotMeta;
  if (meta.version !== 1) throw corrupt(`unknown version ${String(meta.version)}`);
  const media = DenseIdMap.deserialize(take(u32()));
  const user = DenseIdMap.deserialize(take(u32()));
  const location = DenseIdMap.deserialize(take(u32()));
  const index = new PostingIndex({ media, user, location });
  // Lists stream straight into the frozen tier, so loading never holds them all as mutable bitmaps.
  const base = new FrozenPostingsBuilder();
  const lists = u32();
  for (let i = 0; i < lists; i++) {
    const kind = KINDS[take(1)[0]!];
    if (!kind) throw corrupt('unknown posting list kind');
    let term: TermRef;
    if (kind === 'tag') term = { kind, tag: take(take(2).readUInt16LE(0)).toString('utf8') };
    else if (isUniverseKind(kind)) term = { kind };
    else term = { kind, id: u32() };
    const bm = RoaringBitmap32.deserialize(take(u32()), 'portable');
    if (isUniverse(term)) {
      index.setBitmap(term, bm);
    } else {
      base.add(term as SlotKey, bm);
      bm.clear();
    }
  }
  if (at !== body.length) throw corrupt('trailing bytes');
  index.loadBase(base.finish());
  return { index, meta };
}
