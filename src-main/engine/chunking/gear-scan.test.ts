import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GEAR } from './fastcdc';
import { SCAN_DATA_BYTES, SCAN_DATA_OFFSET, gearScanModule } from './gear-scan';

interface Exports {
  scan: (j: number, end: number, mask: number) => number;
  mem: { buffer: ArrayBuffer };
  h: { value: number };
}
// This project's TypeScript libs have no WebAssembly types: the little used here, typed by hand.
const { WebAssembly: WA } = globalThis as unknown as {
  WebAssembly: { Module: new (bytes: Uint8Array) => object; Instance: new (m: object) => { exports: Exports } };
};

/** The JS gear loop of fastcdc.ts, plainly: [cut index or -1, hash after]. */
function reference(data: Uint8Array, j: number, end: number, mask: number, h: number): [number, number] {
  while (j < end) {
    h = ((h << 1) + GEAR[data[j++]!]!) | 0;
    if ((h & mask) === 0) return [j, h];
  }
  return [-1, h];
}

describe('gear scan (wasm)', () => {
  const w = new WA.Instance(new WA.Module(gearScanModule())).exports;
  new Int32Array(w.mem.buffer, 0, 256).set(GEAR);
  const data = Buffer.from(w.mem.buffer, SCAN_DATA_OFFSET, SCAN_DATA_BYTES);

  it('has a memory of exactly the gear table page plus the data window', () => {
    expect(w.mem.buffer.byteLength).toBe(SCAN_DATA_OFFSET + SCAN_DATA_BYTES);
  });

  it('cuts where the JS loop cuts and carries the same hash, for any range length and mask', () => {
    randomBytes(1 << 20).copy(data, 0);
    data.fill(0, 1 << 20, (1 << 20) + 70_000); // zeros: a long run without a cut under most masks
    let checked = 0;
    for (const mask of [-1 << 30, -1 << 17, -1 << 13, -1 << 4, -1 << 1]) {
      for (let t = 0; t < 400; t++) {
        const j = (t * 7919) % ((1 << 20) - 200);
        const len = t % 5 === 0 ? t % 40 : (t * 104_729) % 90_000; // many short ranges (below the unroll width) too
        const end = Math.min(j + len, (1 << 20) + 70_000);
        const h0 = (t * 2_654_435_761) | 0;
        const [cut, h] = reference(data, j, end, mask, h0);
        w.h.value = h0;
        const r = w.scan(SCAN_DATA_OFFSET + j, SCAN_DATA_OFFSET + end, mask);
        expect(r < 0 ? -1 : r - SCAN_DATA_OFFSET).toBe(cut);
        if (cut < 0) expect(w.h.value).toBe(h);
        checked++;
      }
    }
    expect(checked).toBe(2000);
  });

  it('reaches the last byte of the data window', () => {
    const end = SCAN_DATA_BYTES;
    randomBytes(4099).copy(data, end - 4099);
    for (const mask of [-1, -1 << 8]) {
      const [cut, h] = reference(data, end - 4099, end, mask, 12345);
      w.h.value = 12345;
      const r = w.scan(SCAN_DATA_OFFSET + end - 4099, SCAN_DATA_OFFSET + end, mask);
      expect(r < 0 ? -1 : r - SCAN_DATA_OFFSET).toBe(cut);
      if (cut < 0) expect(w.h.value).toBe(h);
    }
  });
});
