// Draws Ferry's app and tray icons (a small ferry boat inside sync arrows) and writes them as PNGs
// into assets/. No image tools needed: shapes are rasterised with 8×8 supersampling and encoded
// with node:zlib. Run `node scripts/make-icons.mjs` after changing a shape; the PNGs are committed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { join } from 'node:path';

const OUT = new URL('../assets/', import.meta.url).pathname;
const SAMPLES = 8;

// ---- shapes: inside(x, y) with x, y in [0, 1], y pointing down -------------------------------------

const circle = (cx, cy, r) => (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
const rect = (x0, y0, x1, y1) => (x, y) => x >= x0 && x <= x1 && y >= y0 && y <= y1;
const roundRect = (x0, y0, x1, y1, r) => (x, y) => {
  if (x < x0 || x > x1 || y < y0 || y > y1) return false;
  const dx = Math.max(x0 + r - x, 0, x - (x1 - r));
  const dy = Math.max(y0 + r - y, 0, y - (y1 - r));
  return dx * dx + dy * dy <= r * r;
};
const polygon = (pts) => (x, y) => {
  let inside = false;
  for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) {
    const [xi, yi] = pts[i];
    const [xj, yj] = pts[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
};
const union = (...shapes) => (x, y) => shapes.some((s) => s(x, y));
const minus = (a, b) => (x, y) => a(x, y) && !b(x, y);

/** An arc of a ring from angle a0 to a1 (radians, clockwise on screen) with an arrowhead at a1. */
function arcArrow(cx, cy, r, width, a0, a1, head) {
  const ring = (x, y) => {
    const d = Math.hypot(x - cx, y - cy);
    if (Math.abs(d - r) > width / 2) return false;
    let a = Math.atan2(y - cy, x - cx);
    while (a < a0) a += 2 * Math.PI;
    return a <= a1;
  };
  const px = cx + r * Math.cos(a1);
  const py = cy + r * Math.sin(a1);
  const [tx, ty] = [-Math.sin(a1), Math.cos(a1)];
  const [nx, ny] = [Math.cos(a1), Math.sin(a1)];
  const tip = [px + tx * head * 1.1, py + ty * head * 1.1];
  const arrow = polygon([tip, [px + nx * head, py + ny * head], [px - nx * head, py - ny * head]]);
  return union(ring, arrow);
}

/** A wave band: between two sine curves. */
const wave = (y0, amp, thick, periods, x0 = 0, x1 = 1) => (x, y) => {
  if (x < x0 || x > x1) return false;
  const mid = y0 + amp * Math.sin(((x - x0) / (x1 - x0)) * periods * 2 * Math.PI);
  return Math.abs(y - mid) <= thick / 2;
};

/** The ferry: hull, cabin with windows, funnel; scaled into the box (bx, by, size). */
function boat(bx, by, s, withWindows) {
  const p = (x, y) => [bx + x * s, by + y * s];
  const hull = polygon([p(0, 0.52), p(1, 0.52), p(0.84, 0.8), p(0.16, 0.8)]);
  const cabin = roundRect(...p(0.2, 0.28), ...p(0.74, 0.53), 0.04 * s);
  const funnel = polygon([p(0.46, 0.06), p(0.62, 0.06), p(0.6, 0.3), p(0.48, 0.3)]);
  const body = union(hull, cabin, funnel);
  if (!withWindows) return body;
  const windows = union(...[0.28, 0.42, 0.56].map((wx) => roundRect(...p(wx, 0.35), ...p(wx + 0.1, 0.45), 0.02 * s)));
  return minus(body, windows);
}

// ---- raster + PNG -----------------------------------------------------------------------------------

/** Paint layers ([shape, [r,g,b,a]]) bottom to top into an RGBA buffer of size×size. */
function render(size, layers) {
  const px = Buffer.alloc(size * size * 4);
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) {
      let [r, g, b, a] = [0, 0, 0, 0];
      for (const [shape, color] of layers) {
        let hits = 0;
        for (let sy = 0; sy < SAMPLES; sy++) {
          for (let sx = 0; sx < SAMPLES; sx++) {
            if (shape((i + (sx + 0.5) / SAMPLES) / size, (j + (sy + 0.5) / SAMPLES) / size)) hits++;
          }
        }
        if (hits === 0) continue;
        const c = typeof color === 'function' ? color((i + 0.5) / size, (j + 0.5) / size) : color;
        const ca = (c[3] / 255) * (hits / (SAMPLES * SAMPLES));
        // Porter-Duff "over" in straight alpha.
        const outA = ca + a * (1 - ca);
        if (outA > 0) {
          r = (c[0] * ca + r * a * (1 - ca)) / outA;
          g = (c[1] * ca + g * a * (1 - ca)) / outA;
          b = (c[2] * ca + b * a * (1 - ca)) / outA;
        }
        a = outA;
      }
      const o = (j * size + i) * 4;
      px[o] = Math.round(r);
      px[o + 1] = Math.round(g);
      px[o + 2] = Math.round(b);
      px[o + 3] = Math.round(a * 255);
    }
  }
  return px;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
function encodePng(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---- the icons ----------------------------------------------------------------------------------------

const WHITE = [255, 255, 255, 255];
const BLUE = [47, 128, 237, 255];

/** App icon: blue rounded square, white sync arrows around a ferry on waves. */
function appIcon() {
  const gradient = (x, y) => {
    const t = Math.min(1, Math.max(0, (x + y) / 2));
    return [Math.round(66 - 40 * t), Math.round(146 - 60 * t), Math.round(245 - 45 * t), 255];
  };
  const deg = Math.PI / 180;
  return [
    [roundRect(0.06, 0.06, 0.94, 0.94, 0.2), gradient],
    [arcArrow(0.5, 0.5, 0.33, 0.055, 200 * deg, 330 * deg, 0.06), WHITE],
    [arcArrow(0.5, 0.5, 0.33, 0.055, 20 * deg, 150 * deg, 0.06), WHITE],
    [boat(0.3, 0.3, 0.4, true), WHITE],
    [wave(0.66, 0.012, 0.03, 2, 0.3, 0.7), [190, 222, 255, 255]],
  ];
}

const STATES = {
  idle: { color: BLUE, badge: null },
  syncing: { color: BLUE, badge: 'sync' },
  paused: { color: [128, 134, 145, 255], badge: 'pause' },
  error: { color: [229, 72, 77, 255], badge: 'alert' },
  conflict: { color: [232, 150, 20, 255], badge: 'alert' },
};

/** Tray icon: a coloured disc with the white ferry; a white badge names the state when not idle. */
function trayIcon(state) {
  const { color, badge } = STATES[state];
  const layers = [[circle(0.5, 0.5, 0.48), color], [boat(0.17, 0.14, 0.66, false), WHITE]];
  if (badge === null) return layers;
  const [bx, by, br] = [0.76, 0.76, 0.24];
  layers.push([circle(bx, by, br), WHITE]);
  switch (badge) {
    case 'sync':
      layers.push([arcArrow(bx, by, br * 0.55, br * 0.28, -Math.PI * 0.9, Math.PI * 0.45, br * 0.32), color]);
      break;
    case 'pause':
      layers.push([union(rect(bx - br * 0.5, by - br * 0.55, bx - br * 0.15, by + br * 0.55), rect(bx + br * 0.15, by - br * 0.55, bx + br * 0.5, by + br * 0.55)), color]);
      break;
    case 'alert':
      layers.push([union(rect(bx - br * 0.16, by - br * 0.65, bx + br * 0.16, by + br * 0.2), circle(bx, by + br * 0.5, br * 0.17)), color]);
      break;
  }
  return layers;
}

function write(name, size, layers) {
  const file = join(OUT, name);
  writeFileSync(file, encodePng(size, render(size, layers)));
  return file;
}

mkdirSync(join(OUT, 'icons'), { recursive: true });
write('icon.png', 512, appIcon());
write('icon-256.png', 256, appIcon());
// Linux packages take a folder of sizes; the window icon uses the 256 one.
for (const size of [16, 32, 48, 64, 128, 256, 512]) write(`icons/${size}x${size}.png`, size, appIcon());
for (const state of Object.keys(STATES)) {
  // Electron picks name@2x.png on HiDPI screens by itself.
  write(`tray-${state}.png`, 16, trayIcon(state));
  write(`tray-${state}@2x.png`, 32, trayIcon(state));
  write(`tray-${state}-32.png`, 32, trayIcon(state));
  write(`tray-${state}-32@2x.png`, 64, trayIcon(state));
}
console.log(`icons written to ${OUT}`);
