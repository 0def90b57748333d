import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FrameDecoder, encodeFrame } from './frame-codec';
import { POOLED_PAYLOAD_BYTES, releasePayload } from './payload-pool';

/** Feed a frame in 16 KiB pieces (as TLS records arrive), so the decoder fills the payload in place. */
function decodeInPieces(dec: FrameDecoder, header: object, payload: Buffer) {
  const raw = Buffer.concat(encodeFrame({ ...header }, payload));
  const out = [];
  for (let p = 0; p < raw.length; p += 16 * 1024) out.push(...dec.push(raw.subarray(p, p + 16 * 1024)));
  expect(out).toHaveLength(1);
  return out[0]!.payload;
}

describe('payload pool', () => {
  const isChunk = (h: unknown): boolean => (h as { type: string }).type === 'chunk';

  it('serves large chunk payloads from recycled buffers once they are given back, with the right bytes', () => {
    const dec = new FrameDecoder({}, isChunk);
    const a = randomBytes(700 * 1024);
    const first = decodeInPieces(dec, { type: 'chunk', id: 1, transfer: 1, index: 0 }, a);
    expect(first.equals(a)).toBe(true);
    const held = decodeInPieces(dec, { type: 'chunk', id: 2, transfer: 1, index: 1 }, a);
    expect(held.buffer).not.toBe(first.buffer); // not given back: never handed out twice
    releasePayload(first);
    releasePayload(first); // twice is harmless
    const b = randomBytes(POOLED_PAYLOAD_BYTES);
    const second = decodeInPieces(dec, { type: 'chunk', id: 3, transfer: 1, index: 2 }, b);
    expect(second.buffer).toBe(first.buffer);
    expect(second.equals(b)).toBe(true);
    const third = decodeInPieces(dec, { type: 'chunk', id: 4, transfer: 1, index: 3 }, a);
    expect(third.buffer).not.toBe(second.buffer);
    expect(held.equals(a)).toBe(true);
  });

  it('leaves other frames, larger payloads and foreign buffers alone', () => {
    const dec = new FrameDecoder({}, isChunk);
    const put = decodeInPieces(dec, { type: 'put', id: 1, path: 'x' }, randomBytes(300 * 1024));
    releasePayload(put);
    const big = decodeInPieces(dec, { type: 'chunk', id: 2, transfer: 1, index: 0 }, randomBytes(POOLED_PAYLOAD_BYTES + 1));
    releasePayload(big);
    releasePayload(Buffer.alloc(100));
    // A small chunk payload does not take a whole pooled buffer (a slow disk could otherwise make 1 MiB out of every 32 KiB in flight).
    const small = decodeInPieces(dec, { type: 'chunk', id: 3, transfer: 1, index: 1 }, randomBytes(64 * 1024));
    expect(small.buffer.byteLength).toBeLessThan(POOLED_PAYLOAD_BYTES);
    const next = decodeInPieces(dec, { type: 'chunk', id: 4, transfer: 1, index: 2 }, randomBytes(POOLED_PAYLOAD_BYTES / 2 + 1));
    expect([put.buffer, big.buffer]).not.toContain(next.buffer);
    expect(next.buffer.byteLength).toBe(POOLED_PAYLOAD_BYTES);
  });
});
