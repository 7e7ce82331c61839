// Draws the app icons (public/icons/*.png) from the same shapes as icon.svg: a green disc
// with a white tick on the app's dark ink. Run once after changing the design:
//   npx tsx scanner-pwa/scripts/make-icons.ts
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

const INK = [0x10, 0x21, 0x2e];
const GREEN = [0x1b, 0x8a, 0x4a];
const WHITE = [0xff, 0xff, 0xff];

/** Distance from point p to segment a-b. */
function segDist(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax, dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/** Colour at a point of the unit square; `safe` shrinks the drawing into the maskable safe zone. */
function colourAt(x: number, y: number, safe: number): number[] {
  const cx = 0.5, cy = 0.5;
  const s = safe;
  const r = 0.36 * s;
  const u = (x - cx) / s + cx, v = (y - cy) / s + cy;
  const tick = Math.min(segDist(u, v, 0.33, 0.52, 0.45, 0.64), segDist(u, v, 0.45, 0.64, 0.68, 0.38));
  if (tick < 0.045) return WHITE;
  if (Math.hypot(x - cx, y - cy) < r) return GREEN;
  return INK;
}

function draw(size: number, safe: number): Buffer {
  const png = new PNG({ width: size, height: size });
  const ss = 4; // 4x4 supersampling for smooth edges
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const acc = [0, 0, 0];
      for (let j = 0; j < ss; j++) for (let i = 0; i < ss; i++) {
        const c = colourAt((px + (i + 0.5) / ss) / size, (py + (j + 0.5) / ss) / size, safe);
        acc[0] += c[0]; acc[1] += c[1]; acc[2] += c[2];
      }
      const o = (py * size + px) * 4;
      png.data[o] = Math.round(acc[0] / (ss * ss));
      png.data[o + 1] = Math.round(acc[1] / (ss * ss));
      png.data[o + 2] = Math.round(acc[2] / (ss * ss));
      png.data[o + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}

const dir = fileURLToPath(new URL('../public/icons/', import.meta.url));
writeFileSync(dir + 'icon-192.png', draw(192, 1));
writeFileSync(dir + 'icon-512.png', draw(512, 1));
writeFileSync(dir + 'icon-maskable-512.png', draw(512, 0.8));
writeFileSync(dir + 'apple-touch-icon.png', draw(180, 0.9));
