import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAX_HEADER_BYTES, MAX_PAYLOAD_BYTES } from '../../../src-shared/protocol/limits';
import { FrameDecoder, FrameError, encodeFrame, type Frame } from './frame-codec';

function wire(frames: { header: object; payload?: Buffer }[]): Buffer {
  return Buffer.concat(frames.flatMap((f) => encodeFrame({ ...f.header }, f.payload)));
}

function decodeAll(dec: FrameDecoder, parts: Buffer[]): Frame[] {
  return parts.flatMap((p) => dec.push(p));
}

function rawFrame(headerText: string, extra: Buffer = Buffer.alloc(0)): Buffer {
  const h = Buffer.from(headerText);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(h.length);
  return Buffer.concat([len, h, extra]);
}

function errorOf(fn: () => unknown): FrameError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(FrameError);
    return err as FrameError;
  }
  throw new Error('expected a FrameError');
}

const sample = [
  { header: { type: 'ping', id: 1 } },
  { header: { type: 'put', id: 2, path: 'a/ü.txt' }, payload: Buffer.from('hello world') },
  { header: { type: 'list', id: 3 } },
  { header: { type: 'chunk', id: 4, transfer: 2, index: 0 }, payload: Buffer.from([0, 1, 2, 3, 255]) },
  { header: { type: 'put', id: 5, path: 'empty' }, payload: Buffer.alloc(0) },
];

describe('encodeFrame', () => {
  it('sets payloadLength and returns the payload buffer itself, uncopied', () => {
    const payload = Buffer.from('abc');
    const header: Record<string, unknown> = { type: 'put', id: 9 };
    const bufs = encodeFrame(header, payload);
    expect(bufs).toHaveLength(2);
    expect(bufs[1]).toBe(payload);
    expect(header.payloadLength).toBe(3);
    const len = bufs[0]!.readUInt32BE(0);
    expect(len).toBe(bufs[0]!.length - 4);
    expect(JSON.parse(bufs[0]!.subarray(4).toString())).toEqual({ type: 'put', id: 9, payloadLength: 3 });
  });

  it('writes an empty payload as payloadLength 0 and one buffer', () => {
    const header: Record<string, unknown> = { type: 'put', id: 1 };
    expect(encodeFrame(header, Buffer.alloc(0))).toHaveLength(1);
    expect(header.payloadLength).toBe(0);
  });

  it('counts header length in UTF-8 bytes, not characters', () => {
    const [head] = encodeFrame({ type: 'mkdir', id: 1, path: 'ñ/€/😀' });
    expect(head!.readUInt32BE(0)).toBe(head!.length - 4);
    expect(new FrameDecoder().push(head!)[0]!.header).toEqual({ type: 'mkdir', id: 1, path: 'ñ/€/😀' });
  });

  it('refuses a header that announces a payload it does not have', () => {
    expect(() => encodeFrame({ type: 'put', id: 1, payloadLength: 5 })).toThrow(/payload/);
  });
});

describe('FrameDecoder', () => {
  const stream = wire(sample);
  const expected = sample.map((f) => ({
    header: f.payload ? { ...f.header, payloadLength: f.payload.length } : f.header,
    payload: f.payload ?? Buffer.alloc(0),
  }));

  it('decodes a stream pushed whole', () => {
    expect(new FrameDecoder().push(stream)).toEqual(expected);
  });

  it('decodes the stream split at every byte boundary', () => {
    for (let i = 0; i <= stream.length; i++) {
      const dec = new FrameDecoder();
      expect(decodeAll(dec, [stream.subarray(0, i), stream.subarray(i)]), `split at ${i}`).toEqual(expected);
      expect(dec.buffered).toBe(0);
    }
  });

  it('decodes the stream split into three at every pair of boundaries', () => {
    for (let i = 0; i <= stream.length; i += 3) {
      for (let j = i; j <= stream.length; j += 5) {
        const dec = new FrameDecoder();
        expect(decodeAll(dec, [stream.subarray(0, i), stream.subarray(i, j), stream.subarray(j)])).toEqual(expected);
      }
    }
  });

  it('decodes the stream fed one byte at a time', () => {
    const dec = new FrameDecoder();
    const bytes = [...stream].map((b) => Buffer.from([b]));
    expect(decodeAll(dec, bytes)).toEqual(expected);
  });

  it('round-trips a 5 MiB payload in 16 KiB chunks and in irregular chunks', () => {
    const payload = randomBytes(5 * 1024 * 1024);
    const s = wire([{ header: { type: 'chunk', id: 7, transfer: 1, index: 3 }, payload }, { header: { type: 'ping', id: 8 } }]);
    for (const sizes of [[16384], [1, 7, 65536, 3, 100_000, 13]]) {
      const dec = new FrameDecoder();
      const parts: Buffer[] = [];
      for (let off = 0, k = 0; off < s.length; k++) {
        const n = sizes[k % sizes.length]!;
        parts.push(s.subarray(off, off + n));
        off += n;
      }
      const frames = decodeAll(dec, parts);
      expect(frames).toHaveLength(2);
      expect(frames[0]!.header).toEqual({ type: 'chunk', id: 7, transfer: 1, index: 3, payloadLength: payload.length });
      expect(frames[0]!.payload.equals(payload)).toBe(true);
      expect(frames[1]!.header).toEqual({ type: 'ping', id: 8 });
    }
  });

  it('copies a large payload into place as it arrives and resumes framing inside the completing chunk', () => {
    const big = randomBytes(200_000);
    const s = wire([
      { header: { type: 'ping', id: 1 } },
      { header: { type: 'chunk', id: 2, transfer: 1, index: 0 }, payload: big },
      { header: { type: 'ping', id: 3 } },
      { header: { type: 'chunk', id: 4, transfer: 1, index: 1 }, payload: big.subarray(0, 40_000) },
      { header: { type: 'ping', id: 5 } },
    ]);
    for (const cut of [60, 100, 1000, 150_000, 200_050]) {
      const dec = new FrameDecoder();
      const first = dec.push(s.subarray(0, cut));
      expect(first.map((f) => (f.header as { id: number }).id)).toEqual([1]);
      expect(dec.buffered).toBeGreaterThan(0);
      const rest = dec.push(s.subarray(cut));
      expect(rest.map((f) => (f.header as { id: number }).id)).toEqual([2, 3, 4, 5]);
      expect(rest[0]!.payload.equals(big)).toBe(true);
      expect(rest[2]!.payload.equals(big.subarray(0, 40_000))).toBe(true);
      expect(dec.buffered).toBe(0);
    }
  });

  it('allocates a large payload only once half of it has arrived', () => {
    const dec = new FrameDecoder();
    const s = wire([{ header: { type: 'chunk', id: 1, transfer: 1, index: 0 }, payload: Buffer.alloc(10 * 1024 * 1024) }]);
    const fill = () => (dec as unknown as { fill: Buffer | null }).fill;
    dec.push(s.subarray(0, 100));
    expect(fill()).toBeNull();
    dec.push(s.subarray(100, 4 * 1024 * 1024));
    expect(fill()).toBeNull();
    dec.push(s.subarray(4 * 1024 * 1024, 6 * 1024 * 1024));
    expect(fill()?.length).toBe(10 * 1024 * 1024);
    expect(dec.push(s.subarray(6 * 1024 * 1024))).toHaveLength(1);
    expect(fill()).toBeNull();
  });

  it('hands out payloads that lie in one chunk as views, without copying', () => {
    const payload = Buffer.from('0123456789');
    const s = wire([{ header: { type: 'put', id: 1 }, payload }]);
    const [f] = new FrameDecoder().push(s);
    expect(f!.payload.buffer).toBe(s.buffer);
  });

  it('does not keep consumed chunks while a stream keeps ending mid-frame', () => {
    const one = wire([{ header: { type: 'ping', id: 1 } }]);
    const dec = new FrameDecoder();
    let count = 0;
    // Each push completes the previous frame and starts the next one.
    dec.push(one.subarray(0, 5));
    for (let i = 0; i < 2000; i++) {
      count += dec.push(Buffer.concat([one.subarray(5), one.subarray(0, 5)])).length;
      expect(dec.buffered).toBe(1); // the length prefix is already consumed
    }
    expect(count).toBe(2000);
    expect((dec as unknown as { bufs: Buffer[] }).bufs.length).toBeLessThanOrEqual(1);
  });

  it('rejects an oversize header length from the 4-byte prefix alone, before buffering', () => {
    const dec = new FrameDecoder();
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32BE(MAX_HEADER_BYTES + 1);
    const err = errorOf(() => dec.push(prefix));
    expect(err.code).toBe('FRAME_TOO_LARGE');
    expect(err.frameId).toBe(0);
    expect(dec.buffered).toBe(0);
    // Poisoned: later input keeps failing instead of being misparsed.
    expect(() => dec.push(Buffer.from('{}'))).toThrow(FrameError);
  });

  it('honours smaller custom limits', () => {
    const s = wire([{ header: { type: 'put', id: 4 }, payload: Buffer.alloc(11) }]);
    expect(errorOf(() => new FrameDecoder({ maxPayload: 10 }).push(s)).code).toBe('FRAME_TOO_LARGE');
    expect(errorOf(() => new FrameDecoder({ maxHeader: 10 }).push(s)).code).toBe('FRAME_TOO_LARGE');
    expect(new FrameDecoder({ maxPayload: 11 }).push(s)).toHaveLength(1);
  });

  it('rejects an oversize payloadLength as soon as the header is read, with the frame id', () => {
    const dec = new FrameDecoder();
    const err = errorOf(() => dec.push(rawFrame(JSON.stringify({ type: 'chunk', id: 42, payloadLength: MAX_PAYLOAD_BYTES + 1 }))));
    expect(err.code).toBe('FRAME_TOO_LARGE');
    expect(err.frameId).toBe(42);
    expect(err.message).toMatch(/chunk/);
  });

  it('accepts a payload of exactly the limit (header only, nothing buffered yet)', () => {
    const dec = new FrameDecoder();
    expect(dec.push(rawFrame(JSON.stringify({ type: 'chunk', id: 1, payloadLength: MAX_PAYLOAD_BYTES })))).toEqual([]);
  });

  it.each([
    ['not JSON', '{type: ping', 0],
    ['empty header', '', 0],
    ['a JSON array', '["ping"]', 0],
    ['a JSON number', '42', 0],
    ['JSON null', 'null', 0],
    ['no type', '{"id":3}', 3],
    ['a numeric type', '{"type":5,"id":3}', 3],
    ['a negative payloadLength', '{"type":"put","id":3,"payloadLength":-1}', 3],
    ['a fractional payloadLength', '{"type":"put","id":3,"payloadLength":1.5}', 3],
    ['a string payloadLength', '{"type":"put","id":3,"payloadLength":"3"}', 3],
    ['an unreadable id', '{"id":"x"}', 0],
  ])('rejects a header that is %s as BAD_FRAME', (_what, text, id) => {
    const err = errorOf(() => new FrameDecoder().push(rawFrame(text)));
    expect(err.code).toBe('BAD_FRAME');
    expect(err.frameId).toBe(id);
  });

  it('returns frames decoded before a bad one only if they came in an earlier push', () => {
    const dec = new FrameDecoder();
    expect(dec.push(wire([{ header: { type: 'ping', id: 1 } }]))).toHaveLength(1);
    expect(() => dec.push(rawFrame('nope'))).toThrow(/JSON/);
  });
});

describe('FrameDecoder.setLimits', () => {
  it('one frame at a time: limits changed between frames apply to the next frame of the same chunk', () => {
    const dec = new FrameDecoder();
    dec.setLimits({ maxHeader: 100, maxPayload: 0, oneFrame: true, payloadError: { code: 'NOT_AUTHENTICATED', why: ' before hello' } });
    const both = wire([{ header: { type: 'hello', id: 1 } }, { header: { type: 'put', id: 2 }, payload: Buffer.alloc(5000, 1) }]);
    const first = dec.push(both);
    expect(first.map((f) => (f.header as { id: number }).id)).toEqual([1]);
    dec.setLimits({}); // lifted
    const second = dec.push(Buffer.alloc(0));
    expect(second).toHaveLength(1);
    expect(second[0]!.payload.length).toBe(5000);
    expect(dec.push(Buffer.alloc(0))).toEqual([]);
  });

  it('a payload over the pre-authentication limit fails with the configured code, at the header', () => {
    const dec = new FrameDecoder();
    dec.setLimits({ maxHeader: 100, maxPayload: 0, oneFrame: true, payloadError: { code: 'NOT_AUTHENTICATED', why: ' before hello' } });
    const err = errorOf(() => dec.push(encodeFrame({ type: 'put', id: 7 }, Buffer.alloc(10))[0]!));
    expect(err.code).toBe('NOT_AUTHENTICATED');
    expect(err.frameId).toBe(7);
  });
});
