import { ValidationError } from '../platform/errors';
import { decodeEvent, encodeEvent, type UploadEvent } from '../schemas/events';
import { ALL_VALID, T, base } from './support/upload-event-examples';
import { thrown } from './support/thrown-validation-error';

describe('event codec', () => {
  it.each(ALL_VALID.map((e) => [e.type, e] as const))('round-trips %s', (_type, event) => {
    const buf = encodeEvent(event as UploadEvent);
    expect(Buffer.isBuffer(buf)).toBe(true);
    expect(JSON.parse(buf.toString('utf8'))).toEqual(event);
    expect(decodeEvent(buf)).toEqual(event);
  });

  it('writes UTF-8 in schema key order whatever the input order', () => {
    const shuffled = {
      user: { isPrivate: false, fullName: 'Zoë', username: 'zoe', id: '7' },
      occurredAt: T,
      eventId: 'e',
      type: 'user.upserted',
    } as UploadEvent;
    const expected =
      '{"type":"user.upserted","eventId":"e","occurredAt":"2026-01-01T00:00:00Z",' +
      '"user":{"id":"7","username":"zoe","fullName":"Zo\u00eb","isPrivate":false}}';
    expect(encodeEvent(shuffled)).toEqual(Buffer.from(expected, 'utf8'));
    expect(encodeEvent(shuffled).includes(Buffer.from([0xc3, 0xab]))).toBe(true);
  });

  it('refuses to encode an invalid event', () => {
    expect(() => encodeEvent({ ...base('post.deleted'), postId: '01' } as UploadEvent)).toThrow(
      ValidationError,
    );
  });

  it.each([
    ['truncated JSON', Buffer.from('{"type":"post.deleted",'), 'malformed JSON'],
    ['empty buffer', Buffer.alloc(0), 'malformed JSON'],
    ['not JSON at all', Buffer.from('post.deleted 123'), 'malformed JSON'],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0x7d]), 'UTF-8'],
    ['oversized', Buffer.alloc(64 * 1024 + 1, 0x20), 'limit is 65536'],
  ])('decode rejects %s at the root', (_name, buf, reason) => {
    expect(thrown(() => decodeEvent(buf)).issues).toEqual([
      { field: '', reason: expect.stringContaining(reason) },
    ]);
  });

  it('decode reports field issues of well-formed JSON', () => {
    const buf = Buffer.from(JSON.stringify({ ...base('follow.added'), followeeId: '7' }));
    expect(() => decodeEvent(buf)).toThrow(
      expect.objectContaining({
        issues: [{ field: 'followeeId', reason: expect.stringContaining('follow') }],
      }),
    );
  });
});
