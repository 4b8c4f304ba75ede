/**
 * Reading what facecluster needs from the boxes of an HEIF / AVIF file (ISO/IEC 23008-12:2017 "High Efficiency Image
 * File Format", on ISO/IEC 14496-12 "ISO base media file format"), without decoding any pixels: the codec of the
 * primary image (HEVC or AV1), its size (`ispe`), its turn and mirror (`irot`, `imir`) and the EXIF orientation.
 *
 * Orientation rule (as libheif and libvips): `irot`/`imir` are the HEIF way to turn an image and decoders apply them;
 * the EXIF Orientation tag is then only informative (iPhones write both, and applying both turns the photo twice). A
 * file with no `irot`/`imir` but an EXIF orientation other than 1 (what `heif-enc` makes from an EXIF-rotated JPEG)
 * is turned by its EXIF orientation, as the camera meant.
 */
import type { Orientation } from './raw.ts';

/** One transform of the primary image, in the order the file lists them. */
export type HeifTransform = { rotateAnticlockwise: 90 | 180 | 270 } | { mirror: 'left-right' | 'top-bottom' };

export interface HeifInfo {
  /** Codec of the primary image (of its tiles for a grid); undefined when neither HEVC nor AV1. */
  codec: 'hevc' | 'av1' | undefined;
  /** Item type of the primary image: `hvc1`, `av01`, `grid`, ... */
  primaryType: string | undefined;
  /** Stored size of the primary image (`ispe`, before transforms), when given. */
  width?: number;
  height?: number;
  /** Bits per sample of the primary image (`pixi`), when given: 8, 10, 12. */
  bitDepth?: number;
  /** `irot` / `imir` of the primary image, in file order (decoders built on libheif apply them). */
  transforms: HeifTransform[];
  /** The EXIF Orientation tag of the primary image's EXIF block, when there is one. */
  exifOrientation?: Orientation;
  /** Set when the file ends inside a top-level box (a truncated file): which box, and how much is missing. */
  truncated?: string;
}

/** Thrown when the box structure cannot be read; `decodeImage` turns it into the user's reason. */
export class HeifBoxError extends Error {
  /** Set when the file is cut short (see {@link HeifInfo.truncated}). */
  truncated?: string;
}

interface Box {
  type: string;
  /** Offset of the payload (after size, type and, for a full box, nothing: callers skip version/flags). */
  start: number;
  end: number;
}

/** Reads the `meta` box of an HEIF/AVIF file (see the module comment). @throws HeifBoxError */
export function readHeifInfo(bytes: Uint8Array): HeifInfo {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u8 = (p: number) => need(p, 1) && v.getUint8(p);
  const u16 = (p: number) => need(p, 2) && v.getUint16(p);
  const u32 = (p: number) => need(p, 4) && v.getUint32(p);
  const uN = (p: number, size: number): number => (size === 0 ? 0 : size === 2 ? u16(p) : size === 4 ? u32(p) : size === 8 ? u32(p) * 2 ** 32 + u32(p + 4) : bad(`field size ${size}`));
  const fourcc = (p: number) => need(p, 4) && String.fromCharCode(bytes[p], bytes[p + 1], bytes[p + 2], bytes[p + 3]);
  function need(p: number, n: number): true {
    if (p < 0 || p + n > bytes.length) {
      const e = new HeifBoxError(`truncated: a box reaches past the end of the file (${bytes.length} bytes)`);
      e.truncated = truncated ?? `a box reaches past the end of the file (${bytes.length} bytes)`;
      throw e;
    }
    return true;
  }
  function bad(what: string): never {
    const e = new HeifBoxError(truncated ? `truncated: ${truncated}` : `unreadable box structure: ${what}`);
    e.truncated = truncated;
    throw e;
  }
  let truncated: string | undefined;
  /** The boxes between start and end; at the top level a last box cut short by the end of the file is kept, noted. */
  const children = (start: number, end: number, top = false): Box[] => {
    const out: Box[] = [];
    let p = start;
    while (p + 8 <= end) {
      let size = u32(p);
      const type = fourcc(p + 4);
      let header = 8;
      if (size === 1) {
        size = uN(p + 8, 8);
        header = 16;
      } else if (size === 0) size = end - p;
      if (top && size >= header && p + size > end) {
        truncated = `the file ends inside its ${JSON.stringify(type)} box (${end - p} of ${size} bytes)`;
        size = end - p;
      }
      if (size < header || p + size > end) bad(`box ${JSON.stringify(type)} of size ${size} at ${p}`);
      out.push({ type, start: p + header, end: p + size });
      p += size;
    }
    return out;
  };

  const meta = children(0, bytes.length, true).find((b) => b.type === 'meta');
  if (!meta) bad('no "meta" box');
  const metaBoxes = children(meta.start + 4, meta.end);
  const find = (type: string) => metaBoxes.find((b) => b.type === type);

  // pitm: the primary item
  const pitm = find('pitm');
  if (!pitm) bad('no primary item ("pitm")');
  const primary = u8(pitm.start) === 0 ? u16(pitm.start + 4) : u32(pitm.start + 4);

  // iinf: item types
  const types = new Map<number, string>();
  const iinf = find('iinf');
  if (iinf) {
    const version = u8(iinf.start);
    for (const infe of children(iinf.start + 4 + (version === 0 ? 2 : 4), iinf.end)) {
      if (infe.type !== 'infe') continue;
      const ver = u8(infe.start);
      if (ver < 2) continue; // versions 0 and 1 carry no item type
      const id = ver === 2 ? u16(infe.start + 4) : u32(infe.start + 4);
      types.set(id, fourcc(infe.start + 4 + (ver === 2 ? 2 : 4) + 2));
    }
  }

  // iref: derived images (a grid's tiles: dimg) and metadata links (cdsc)
  const refs: { type: string; from: number; to: number[] }[] = [];
  const iref = find('iref');
  if (iref) {
    const wide = u8(iref.start) !== 0;
    for (const r of children(iref.start + 4, iref.end)) {
      let p = r.start;
      const from = wide ? u32(p) : u16(p);
      p += wide ? 4 : 2;
      const count = u16(p);
      p += 2;
      const to: number[] = [];
      for (let i = 0; i < count; i++, p += wide ? 4 : 2) to.push(wide ? u32(p) : u16(p));
      refs.push({ type: r.type, from, to });
    }
  }

  // iprp: properties (ipco) and which item has which (ipma)
  const transforms: HeifTransform[] = [];
  let width: number | undefined;
  let height: number | undefined;
  let bitDepth: number | undefined;
  const iprp = find('iprp');
  if (iprp) {
    const parts = children(iprp.start, iprp.end);
    const ipco = parts.find((b) => b.type === 'ipco');
    const properties = ipco ? children(ipco.start, ipco.end) : [];
    for (const ipma of parts.filter((b) => b.type === 'ipma')) {
      const version = u8(ipma.start);
      const flags = u32(ipma.start) & 0xffffff;
      let p = ipma.start + 4;
      const entries = u32(p);
      p += 4;
      for (let e = 0; e < entries; e++) {
        const id = version < 1 ? u16(p) : u32(p);
        p += version < 1 ? 2 : 4;
        const count = u8(p);
        p += 1;
        for (let k = 0; k < count; k++) {
          const index = flags & 1 ? u16(p) & 0x7fff : u8(p) & 0x7f;
          p += flags & 1 ? 2 : 1;
          if (id !== primary || index === 0) continue;
          const prop = properties[index - 1];
          if (!prop) bad(`property index ${index} of ${properties.length}`);
          if (prop.type === 'ispe') {
            width = u32(prop.start + 4);
            height = u32(prop.start + 8);
          } else if (prop.type === 'pixi') {
            if (u8(prop.start + 4) > 0) bitDepth = u8(prop.start + 5);
          } else if (prop.type === 'irot') {
            const angle = (u8(prop.start) & 3) * 90;
            if (angle) transforms.push({ rotateAnticlockwise: angle as 90 | 180 | 270 });
          } else if (prop.type === 'imir') {
            // ISO/IEC 23008-12:2017 6.5.12: axis 0 is a vertical axis (left and right swap), 1 a horizontal one
            transforms.push({ mirror: (u8(prop.start) & 1) === 0 ? 'left-right' : 'top-bottom' });
          }
        }
      }
    }
  }

  const primaryType = types.get(primary);
  const codecOf = (t: string | undefined): HeifInfo['codec'] => (t === 'hvc1' ? 'hevc' : t === 'av01' ? 'av1' : undefined);
  let codec = codecOf(primaryType);
  if (!codec) {
    const tiles = refs.filter((r) => r.type === 'dimg' && r.from === primary).flatMap((r) => r.to);
    codec = tiles.map((t) => codecOf(types.get(t))).find((c) => c !== undefined) ?? [...types.values()].map(codecOf).find((c) => c !== undefined);
  }

  // EXIF: an item of type "Exif" describing (cdsc) the primary image, or the only one
  let exifOrientation: Orientation | undefined;
  const exifItems = [...types].filter(([, t]) => t === 'Exif').map(([id]) => id);
  const exifId = exifItems.find((id) => refs.some((r) => r.type === 'cdsc' && r.from === id && r.to.includes(primary))) ?? exifItems[0];
  const iloc = find('iloc');
  if (exifId !== undefined && iloc) {
    const data = itemData(exifId);
    if (data && data.length > 4) {
      const tiff = 4 + ((data[0] << 24) | (data[1] << 16) | (data[2] << 8) | data[3]);
      const o = tiff < data.length ? exifOrientationOf(data.subarray(tiff)) : undefined;
      if (o !== undefined) exifOrientation = o;
    }
  }
  return { codec, primaryType, width, height, bitDepth, transforms, exifOrientation, ...(truncated ? { truncated } : {}) };

  /** The bytes of item `id` from `iloc` (construction method 0: file offsets; 1: the `idat` box). */
  function itemData(id: number): Uint8Array | undefined {
    const version = u8(iloc!.start);
    let p = iloc!.start + 4;
    const sizes = u16(p);
    p += 2;
    const offsetSize = sizes >> 12;
    const lengthSize = (sizes >> 8) & 15;
    const baseSize = (sizes >> 4) & 15;
    const indexSize = version === 1 || version === 2 ? sizes & 15 : 0;
    const count = version < 2 ? u16(p) : u32(p);
    p += version < 2 ? 2 : 4;
    for (let i = 0; i < count; i++) {
      const itemId = version < 2 ? u16(p) : u32(p);
      p += version < 2 ? 2 : 4;
      let method = 0;
      if (version === 1 || version === 2) {
        method = u16(p) & 15;
        p += 2;
      }
      p += 2; // data_reference_index
      const base = uN(p, baseSize);
      p += baseSize;
      const extents = u16(p);
      p += 2;
      const parts: Uint8Array[] = [];
      for (let e = 0; e < extents; e++) {
        p += indexSize;
        const off = uN(p, offsetSize);
        p += offsetSize;
        const len = uN(p, lengthSize);
        p += lengthSize;
        if (itemId !== id) continue;
        let from: number;
        if (method === 0) from = base + off;
        else if (method === 1) {
          const idat = find('idat');
          if (!idat) return undefined;
          from = idat.start + base + off;
        } else return undefined;
        const to = len === 0 ? bytes.length : from + len;
        need(from, to - from);
        parts.push(bytes.subarray(from, to));
      }
      if (itemId === id) return parts.length === 1 ? parts[0] : Uint8Array.from(parts.flatMap((x) => [...x]));
    }
    return undefined;
  }
}

/** The Orientation tag (0x0112) of IFD0 of a TIFF-structured EXIF block, or undefined. */
export function exifOrientationOf(tiff: Uint8Array): Orientation | undefined {
  if (tiff.length < 8) return undefined;
  const little = tiff[0] === 0x49 && tiff[1] === 0x49;
  if (!little && !(tiff[0] === 0x4d && tiff[1] === 0x4d)) return undefined;
  const v = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  if (v.getUint16(2, little) !== 42) return undefined;
  const ifd = v.getUint32(4, little);
  if (ifd + 2 > tiff.length) return undefined;
  const n = v.getUint16(ifd, little);
  for (let i = 0; i < n; i++) {
    const e = ifd + 2 + i * 12;
    if (e + 12 > tiff.length) return undefined;
    if (v.getUint16(e, little) === 0x0112) {
      const o = v.getUint16(e + 8, little);
      return o >= 1 && o <= 8 ? (o as Orientation) : undefined;
    }
  }
  return undefined;
}

/** The EXIF orientation equivalent to HEIF transforms applied in order (for telling users what was done). */
export function transformsToOrientation(transforms: readonly HeifTransform[]): Orientation {
  // Track where the stored image's top-left corner and x axis end up, as a 2x2 integer matrix.
  let m = [1, 0, 0, 1]; // displayed = M * stored
  for (const t of transforms) {
    let step: number[];
    if ('rotateAnticlockwise' in t) {
      step = t.rotateAnticlockwise === 90 ? [0, 1, -1, 0] : t.rotateAnticlockwise === 180 ? [-1, 0, 0, -1] : [0, -1, 1, 0];
    } else step = t.mirror === 'left-right' ? [-1, 0, 0, 1] : [1, 0, 0, -1];
    m = [step[0] * m[0] + step[1] * m[2], step[0] * m[1] + step[1] * m[3], step[2] * m[0] + step[3] * m[2], step[2] * m[1] + step[3] * m[3]];
  }
  const key = m.join(',');
  const table: Record<string, Orientation> = {
    '1,0,0,1': 1, '-1,0,0,1': 2, '-1,0,0,-1': 3, '1,0,0,-1': 4, '0,1,1,0': 5, '0,-1,1,0': 6, '0,-1,-1,0': 7, '0,1,-1,0': 8,
  };
  return table[key] ?? 1;
}
