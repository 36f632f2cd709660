import { open } from 'node:fs/promises';

const CHUNK_BYTES = 256 * 1024;

/** The last `lines` lines of a file, or '' when it does not exist. Reads only the end of big logs. */
export async function tailFile(file: string, lines: number): Promise<string> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, CHUNK_BYTES);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    const text = buffer.toString('utf8').replace(/\n$/, '');
    const all = text.split('\n');
    // The first line of a partial chunk is cut, so drop it unless the whole file fit.
    const complete = length < size ? all.slice(1) : all;
    return complete.slice(-lines).join('\n');
  } finally {
    await handle.close();
  }
}
