/**
 * Recycled payload buffers for large incoming `chunk` frames. A fresh 1 MiB buffer per frame means page faults on
 * first touch and, as external memory, a V8 garbage collection every few dozen MiB received; a handful of buffers
 * going round costs neither. Whoever is done with such a payload gives it back with `releasePayload` (the transfer,
 * once its bytes are hashed and written); a payload never given back is simply garbage collected.
 */

/** Largest payload served from the pool: the client's chunk frames (client/upload-file.ts) fit. */
export const POOLED_PAYLOAD_BYTES = 1024 * 1024;
/** Free buffers kept (memory held while idle: at most this × POOLED_PAYLOAD_BYTES). */
const MAX_FREE = 16;

const ours = new WeakSet<ArrayBuffer>();
const free: ArrayBuffer[] = [];

/** A buffer of exactly `n` (≤ POOLED_PAYLOAD_BYTES) bytes, contents undefined. */
export function pooledPayload(n: number): Buffer {
  let ab = free.pop();
  if (ab === undefined) {
    ab = new ArrayBuffer(POOLED_PAYLOAD_BYTES);
    ours.add(ab);
  }
  return Buffer.from(ab, 0, n);
}

/** Give a payload back; a no-op unless it came from `pooledPayload`. Its memory must no longer be used by anyone. */
export function releasePayload(buf: Buffer): void {
  const ab = buf.buffer;
  if (!(ab instanceof ArrayBuffer) || buf.byteOffset !== 0 || !ours.has(ab) || free.length >= MAX_FREE || free.includes(ab)) return;
  free.push(ab);
}
