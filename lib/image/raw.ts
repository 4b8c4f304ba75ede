/**
 * What the decoders that sharp does not cover (PNM, BMP, HEIC via libheif-js, AVIF via libavif) hand back to
 * `decodeImage`: 8-bit interleaved pixels, as stored (not yet turned upright), plus what was converted.
 */
export interface RawPixels {
  /** Interleaved samples, 8 bits each, row after row from the top: width x height x channels bytes. */
  data: Uint8Array;
  width: number;
  height: number;
  /** 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA. */
  channels: 1 | 2 | 3 | 4;
  /** What decoding changed, e.g. `16-bit->8-bit`, `palette->rgb` (as in `DecodedImage.conversions`). */
  conversions: string[];
}

/**
 * An image's turn and mirror, as EXIF Orientation numbers them (1 upright ... 8), to be applied to stored pixels:
 * 2 mirror left-right, 3 turn 180°, 4 mirror top-bottom, 5 transpose, 6 turn 90° clockwise, 7 transverse,
 * 8 turn 90° anticlockwise.
 */
export type Orientation = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

/**
 * The pixels turned upright according to EXIF `orientation` (JEITA CP-3451 "Exif 2.3", tag 0x0112): the displayed
 * pixel (x, y) is taken from the stored one given by the table below. Returns `raw` itself for orientation 1.
 */
export function orientPixels(raw: RawPixels, orientation: Orientation): RawPixels {
  if (orientation === 1) return raw;
  const { width: w, height: h, channels: c, data } = raw;
  const turned = orientation >= 5;
  const W = turned ? h : w;
  const H = turned ? w : h;
  const out = new Uint8Array(W * H * c);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let sx: number;
      let sy: number;
      switch (orientation) {
        case 2: sx = w - 1 - x; sy = y; break;
        case 3: sx = w - 1 - x; sy = h - 1 - y; break;
        case 4: sx = x; sy = h - 1 - y; break;
        case 5: sx = y; sy = x; break;
        case 6: sx = y; sy = h - 1 - x; break;
        case 7: sx = w - 1 - y; sy = h - 1 - x; break;
        default: sx = w - 1 - y; sy = x; break; // 8
      }
      const si = (sy * w + sx) * c;
      const di = (y * W + x) * c;
      for (let k = 0; k < c; k++) out[di + k] = data[si + k];
    }
  }
  return { data: out, width: W, height: H, channels: c, conversions: raw.conversions };
}

/** Scales a sample of `maxval` levels to 0..255, rounding (65535 -> 255, 1023 -> 255, 511 -> 255). */
export function to8bit(value: number, maxval: number): number {
  return maxval === 255 ? value : Math.round((Math.min(value, maxval) * 255) / maxval);
}
