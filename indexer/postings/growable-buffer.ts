/** An append-only byte buffer that doubles when full; little-endian integers, length-prefixed strings. */
export class GrowableBuffer {
  private buf: Buffer;
  private pos = 0;

  constructor(initialBytes: number) {
    this.buf = Buffer.allocUnsafe(Math.max(16, initialBytes));
  }

  get length(): number {
    return this.pos;
  }

  u8(value: number): void {
    this.reserve(1);
    this.buf[this.pos++] = value;
  }

  u32(value: number): void {
    this.reserve(4);
    this.buf.writeUInt32LE(value, this.pos);
    this.pos += 4;
  }

  /** UTF-8 with a u16 byte length in front; longer strings are refused. */
  string16(value: string): void {
    const max = value.length * 3;
    this.reserve(2 + max);
    const written = this.buf.write(value, this.pos + 2, max, 'utf8');
    if (written > 0xffff) throw new RangeError(`a string of ${written} bytes does not fit a u16 length`);
    this.buf.writeUInt16LE(written, this.pos);
    this.pos += 2 + written;
  }

  /** The bytes written so far (a view: later writes may reallocate, never change them). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  private reserve(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + bytes));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
}
