/**
 * A small baseline JPEG codec in plain TypeScript (no Node or DOM APIs), written to reproduce what
 * the training pipeline gets from libjpeg(-turbo) through PIL (`Image.save(format="JPEG",
 * quality=q, subsampling=0 | 2)` then `Image.open`; OpenCV's imencode/imdecode give the same
 * pixels). Every lossy step follows libjpeg's integer arithmetic:
 *
 *  - colour: jccolor.c / jdcolor.c fixed-point RGB <-> YCbCr (16 fractional bits);
 *  - chroma: 4:4:4, or 4:2:0 (libjpeg's default for YCbCr), downsampled by 2x2 averaging with the
 *    alternating 1,2 rounding bias of jcsample.c, upsampled with the "fancy" triangle filter of
 *    jdsample.c (libjpeg's default; 3/4 nearer + 1/4 further sample in each direction);
 *  - DCT: the accurate integer ("islow") forward and inverse DCTs of jfdctint.c / jidctint.c;
 *  - quantisation: the IJG tables (Annex K) scaled by jpeg_quality_scaling (q < 50: 5000 / q,
 *    else 200 - 2q; entries (t * s + 50) / 100 clamped to 1..255, baseline), with libjpeg-turbo's
 *    reciprocal-multiply rounding.
 *
 * The encoder writes a real baseline JFIF stream (standard Huffman tables) that any decoder reads;
 * the decoder reads baseline sequential JPEGs (8-bit, Huffman, 1 or 3 components, sampling
 * 1x1, 2x1 or 2x2 luma with 1x1 chroma, restart markers). Entropy coding is lossless, so the
 * round trip equals libjpeg's pixel for pixel (checked against PIL and OpenCV in degrade.test.ts).
 */

export interface Rgb8 {
  width: number;
  height: number;
  /** width * height * 3 bytes, interleaved RGB. */
  data: Uint8Array;
}

export interface JpegEncodeOptions {
  /** 1..100, as libjpeg's jpeg_set_quality. */
  quality: number;
  /** Chroma subsampling; libjpeg (and so PIL and OpenCV) default to 4:2:0. */
  subsampling?: '4:2:0' | '4:4:4';
}

// ------------------------------------------------------------------------------------------
// tables
// ------------------------------------------------------------------------------------------

/** ZIGZAG[k] = natural (row-major) index of the k-th coefficient in zigzag order. */
const ZIGZAG = (() => {
  const order = new Int32Array(64);
  let i = 0;
  for (let s = 0; s < 15; s++) {
    // anti-diagonal s: even s goes up-right (row decreasing), odd s goes down-left
    const cells: number[] = [];
    for (let r = 0; r < 8; r++) {
      const c = s - r;
      if (c >= 0 && c < 8) cells.push(r * 8 + c);
    }
    if (s % 2 === 0) cells.reverse();
    for (const v of cells) order[i++] = v;
  }
  return order;
})();

// IJG sample tables (ITU-T T.81 Annex K.1), natural order.
const STD_LUMA = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
  18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];
const STD_CHROMA = [
  17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99,
  99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
];

/** libjpeg's jpeg_quality_scaling + jpeg_add_quant_table(force_baseline = TRUE); natural order. */
export function jpegQuantTables(quality: number): { luma: Int32Array; chroma: Int32Array } {
  let q = Math.round(quality);
  if (q <= 0) q = 1;
  if (q > 100) q = 100;
  const scale = q < 50 ? Math.floor(5000 / q) : 200 - q * 2;
  const make = (base: number[]) => Int32Array.from(base, (t) => Math.min(255, Math.max(1, Math.floor((t * scale + 50) / 100))));
  return { luma: make(STD_LUMA), chroma: make(STD_CHROMA) };
}

// Standard Huffman tables (Annex K.3): counts of codes of length 1..16, then the symbols.
const HUFF_DC_LUMA = { bits: [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0], vals: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] };
const HUFF_DC_CHROMA = { bits: [0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0], vals: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] };
const HUFF_AC_LUMA = {
  bits: [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d],
  vals: [
    0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07, 0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xa1,
    0x08, 0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0, 0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0a, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x25, 0x26,
    0x27, 0x28, 0x29, 0x2a, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x53, 0x54, 0x55, 0x56,
    0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x83, 0x84, 0x85,
    0x86, 0x87, 0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa,
    0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6,
    0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9,
    0xfa,
  ],
};
const HUFF_AC_CHROMA = {
  bits: [0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77],
  vals: [
    0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71, 0x13, 0x22, 0x32, 0x81, 0x08, 0x14, 0x42,
    0x91, 0xa1, 0xb1, 0xc1, 0x09, 0x23, 0x33, 0x52, 0xf0, 0x15, 0x62, 0x72, 0xd1, 0x0a, 0x16, 0x24, 0x34, 0xe1, 0x25, 0xf1, 0x17, 0x18, 0x19,
    0x1a, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x53, 0x54, 0x55,
    0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x82, 0x83,
    0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8,
    0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4,
    0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9,
    0xfa,
  ],
};

interface HuffSpec {
  bits: number[];
  vals: number[];
}

/** Canonical codes: symbol -> (code, length). */
function huffmanCodes(spec: HuffSpec): { code: Int32Array; size: Int32Array } {
  const code = new Int32Array(256).fill(-1);
  const size = new Int32Array(256);
  let c = 0;
  let k = 0;
  for (let len = 1; len <= 16; len++) {
    for (let i = 0; i < spec.bits[len - 1]; i++) {
      code[spec.vals[k]] = c++;
      size[spec.vals[k]] = len;
      k++;
    }
    c <<= 1;
  }
  return { code, size };
}

// ------------------------------------------------------------------------------------------
// integer DCTs (jfdctint.c, jidctint.c), CONST_BITS 13, PASS1_BITS 2
// ------------------------------------------------------------------------------------------

const CONST_BITS = 13;
const PASS1_BITS = 2;
const F_0_298 = 2446;
const F_0_390 = 3196;
const F_0_541 = 4433;
const F_0_765 = 6270;
const F_0_899 = 7373;
const F_1_175 = 9633;
const F_1_501 = 12299;
const F_1_847 = 15137;
const F_1_961 = 16069;
const F_2_053 = 16819;
const F_2_562 = 20995;
const F_3_072 = 25172;

/** (x + 2^(n-1)) >> n on exact integers held in doubles (no 32-bit overflow). */
const descale = (x: number, n: number) => Math.floor((x + 2 ** (n - 1)) / 2 ** n);

/** Forward DCT in place on 64 centred samples (row-major); output scaled by 8 as libjpeg's. */
function fdctIslow(d: Float64Array): void {
  for (let pass = 0; pass < 2; pass++) {
    const step = pass === 0 ? 1 : 8; // pass 0: rows, pass 1: columns
    const stride = pass === 0 ? 8 : 1;
    for (let i = 0; i < 8; i++) {
      const o = i * stride;
      const x0 = d[o], x1 = d[o + step], x2 = d[o + 2 * step], x3 = d[o + 3 * step];
      const x4 = d[o + 4 * step], x5 = d[o + 5 * step], x6 = d[o + 6 * step], x7 = d[o + 7 * step];
      const tmp0 = x0 + x7, tmp7 = x0 - x7, tmp1 = x1 + x6, tmp6 = x1 - x6;
      const tmp2 = x2 + x5, tmp5 = x2 - x5, tmp3 = x3 + x4, tmp4 = x3 - x4;
      const tmp10 = tmp0 + tmp3, tmp13 = tmp0 - tmp3, tmp11 = tmp1 + tmp2, tmp12 = tmp1 - tmp2;
      const n = pass === 0 ? CONST_BITS - PASS1_BITS : CONST_BITS + PASS1_BITS;
      if (pass === 0) {
        d[o] = (tmp10 + tmp11) * (1 << PASS1_BITS);
        d[o + 4 * step] = (tmp10 - tmp11) * (1 << PASS1_BITS);
      } else {
        d[o] = descale(tmp10 + tmp11, PASS1_BITS);
        d[o + 4 * step] = descale(tmp10 - tmp11, PASS1_BITS);
      }
      let z1 = (tmp12 + tmp13) * F_0_541;
      d[o + 2 * step] = descale(z1 + tmp13 * F_0_765, n);
      d[o + 6 * step] = descale(z1 - tmp12 * F_1_847, n);
      z1 = tmp4 + tmp7;
      let z2 = tmp5 + tmp6;
      let z3 = tmp4 + tmp6;
      let z4 = tmp5 + tmp7;
      const z5 = (z3 + z4) * F_1_175;
      const t4 = tmp4 * F_0_298, t5 = tmp5 * F_2_053, t6 = tmp6 * F_3_072, t7 = tmp7 * F_1_501;
      z1 *= -F_0_899;
      z2 *= -F_2_562;
      z3 = z3 * -F_1_961 + z5;
      z4 = z4 * -F_0_390 + z5;
      d[o + 7 * step] = descale(t4 + z1 + z3, n);
      d[o + 5 * step] = descale(t5 + z2 + z4, n);
      d[o + 3 * step] = descale(t6 + z2 + z3, n);
      d[o + step] = descale(t7 + z1 + z4, n);
    }
  }
}

/** Inverse DCT of dequantised coefficients (natural order) into 8-bit samples (centre added, clamped). */
function idctIslow(c: Float64Array, out: Uint8Array, outOffset: number, outStride: number, ws: Float64Array): void {
  for (let pass = 0; pass < 2; pass++) {
    const src = pass === 0 ? c : ws;
    const step = pass === 0 ? 8 : 1; // pass 0: columns of the input, pass 1: rows of the workspace
    const stride = pass === 0 ? 1 : 8;
    const n = pass === 0 ? CONST_BITS - PASS1_BITS : CONST_BITS + PASS1_BITS + 3;
    for (let i = 0; i < 8; i++) {
      const o = i * stride;
      const y0 = src[o], y1 = src[o + step], y2 = src[o + 2 * step], y3 = src[o + 3 * step];
      const y4 = src[o + 4 * step], y5 = src[o + 5 * step], y6 = src[o + 6 * step], y7 = src[o + 7 * step];
      let z2 = y2;
      let z3 = y6;
      let z1 = (z2 + z3) * F_0_541;
      const tmp2e = z1 - z3 * F_1_847;
      const tmp3e = z1 + z2 * F_0_765;
      const tmp0e = (y0 + y4) * (1 << CONST_BITS);
      const tmp1e = (y0 - y4) * (1 << CONST_BITS);
      const tmp10 = tmp0e + tmp3e, tmp13 = tmp0e - tmp3e, tmp11 = tmp1e + tmp2e, tmp12 = tmp1e - tmp2e;
      let tmp0 = y7, tmp1 = y5, tmp2 = y3, tmp3 = y1;
      z1 = tmp0 + tmp3;
      z2 = tmp1 + tmp2;
      z3 = tmp0 + tmp2;
      let z4 = tmp1 + tmp3;
      const z5 = (z3 + z4) * F_1_175;
      tmp0 *= F_0_298;
      tmp1 *= F_2_053;
      tmp2 *= F_3_072;
      tmp3 *= F_1_501;
      z1 *= -F_0_899;
      z2 *= -F_2_562;
      z3 = z3 * -F_1_961 + z5;
      z4 = z4 * -F_0_390 + z5;
      tmp0 += z1 + z3;
      tmp1 += z2 + z4;
      tmp2 += z2 + z3;
      tmp3 += z1 + z4;
      const r = [tmp10 + tmp3, tmp11 + tmp2, tmp12 + tmp1, tmp13 + tmp0, tmp13 - tmp0, tmp12 - tmp1, tmp11 - tmp2, tmp10 - tmp3];
      if (pass === 0) {
        for (let k = 0; k < 8; k++) ws[o + k * step] = descale(r[k], n);
      } else {
        const row = outOffset + i * outStride;
        for (let k = 0; k < 8; k++) {
          const v = descale(r[k], n) + 128;
          out[row + k] = v < 0 ? 0 : v > 255 ? 255 : v;
        }
      }
    }
  }
}

/** libjpeg-turbo's quantiser: reciprocal multiply equivalent to rounding |x| / (8 q). */
function makeQuantiser(table: Int32Array): (coef: Float64Array, out: Int32Array) => void {
  const recip = new Float64Array(64);
  const corr = new Float64Array(64);
  const shift = new Float64Array(64);
  for (let i = 0; i < 64; i++) {
    const divisor = table[i] << 3;
    const b = 31 - Math.clz32(divisor); // flss(divisor) - 1
    let r = 16 + b;
    let fq = Math.floor(2 ** r / divisor);
    const fr = 2 ** r % divisor;
    let c = divisor >> 1;
    if (fr === 0) {
      fq = Math.floor(fq / 2);
      r--;
    } else if (fr <= divisor >> 1) c++;
    else fq++;
    recip[i] = fq;
    corr[i] = c;
    shift[i] = 2 ** r;
  }
  return (coef, out) => {
    for (let i = 0; i < 64; i++) {
      const t = coef[i];
      const a = Math.floor(((t < 0 ? -t : t) + corr[i]) * recip[i] / shift[i]);
      out[i] = t < 0 ? -a : a;
    }
  };
}

// ------------------------------------------------------------------------------------------
// colour conversion (jccolor.c, jdcolor.c), SCALEBITS 16
// ------------------------------------------------------------------------------------------

const FIX = (x: number) => Math.floor(x * 65536 + 0.5);
const ONE_HALF = 1 << 15;
const CBCR_OFFSET = 128 << 16;

function rgbToYcc(px: Rgb8): [Uint8Array, Uint8Array, Uint8Array] {
  const n = px.width * px.height;
  const Y = new Uint8Array(n), Cb = new Uint8Array(n), Cr = new Uint8Array(n);
  const ry = FIX(0.299), gy = FIX(0.587), by = FIX(0.114);
  const rcb = FIX(0.16874), gcb = FIX(0.33126), half = FIX(0.5), gcr = FIX(0.41869), bcr = FIX(0.08131);
  for (let i = 0; i < n; i++) {
    const r = px.data[3 * i], g = px.data[3 * i + 1], b = px.data[3 * i + 2];
    Y[i] = (ry * r + gy * g + by * b + ONE_HALF) >> 16;
    Cb[i] = (-rcb * r - gcb * g + half * b + CBCR_OFFSET + ONE_HALF - 1) >> 16;
    Cr[i] = (half * r - gcr * g - bcr * b + CBCR_OFFSET + ONE_HALF - 1) >> 16;
  }
  return [Y, Cb, Cr];
}

const CR_R = new Int32Array(256), CB_B = new Int32Array(256), CR_G = new Int32Array(256), CB_G = new Int32Array(256);
for (let i = 0; i < 256; i++) {
  const x = i - 128;
  CR_R[i] = (FIX(1.402) * x + ONE_HALF) >> 16;
  CB_B[i] = (FIX(1.772) * x + ONE_HALF) >> 16;
  CR_G[i] = -FIX(0.71414) * x;
  CB_G[i] = -FIX(0.34414) * x + ONE_HALF;
}
const clamp8 = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : v);

// ------------------------------------------------------------------------------------------
// encoder
// ------------------------------------------------------------------------------------------

class ByteWriter {
  private buf = new Uint8Array(1 << 16);
  length = 0;
  byte(b: number): void {
    if (this.length === this.buf.length) {
      const next = new Uint8Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = b & 255;
  }
  word(w: number): void {
    this.byte(w >> 8);
    this.byte(w);
  }
  bytes(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** Plane padded to (pw, ph) by replicating the last column and row, as libjpeg does. */
function padPlane(p: Uint8Array, w: number, h: number, pw: number, ph: number): Uint8Array {
  const out = new Uint8Array(pw * ph);
  for (let y = 0; y < ph; y++) {
    const sy = Math.min(y, h - 1);
    for (let x = 0; x < pw; x++) out[y * pw + x] = p[sy * w + Math.min(x, w - 1)];
  }
  return out;
}

/** jcsample.c h2v2_downsample: 2x2 mean with bias 1, 2, 1, 2, ... along each row. */
function downsample2x2(p: Uint8Array, pw: number, ph: number): Uint8Array {
  const ow = pw >> 1, oh = ph >> 1;
  const out = new Uint8Array(ow * oh);
  for (let y = 0; y < oh; y++) {
    let bias = 1;
    const r0 = 2 * y * pw, r1 = r0 + pw;
    for (let x = 0; x < ow; x++) {
      out[y * ow + x] = (p[r0 + 2 * x] + p[r0 + 2 * x + 1] + p[r1 + 2 * x] + p[r1 + 2 * x + 1] + bias) >> 2;
      bias ^= 3;
    }
  }
  return out;
}

/** Encodes interleaved 8-bit RGB as a baseline JFIF JPEG, as libjpeg with jpeg_set_quality(q) would. */
export function encodeJpeg(px: Rgb8, options: JpegEncodeOptions): Uint8Array {
  const { width: W, height: H } = px;
  if (!(W > 0 && H > 0 && W < 65536 && H < 65536)) throw new Error(`encodeJpeg: bad size ${W}x${H}`);
  if (px.data.length !== W * H * 3) throw new Error(`encodeJpeg: ${px.data.length} bytes for ${W}x${H} RGB`);
  const sub = options.subsampling ?? '4:2:0';
  const hs = sub === '4:2:0' ? 2 : 1; // luma sampling factor (both directions)
  const tables = jpegQuantTables(options.quality);
  const [Y, Cb, Cr] = rgbToYcc(px);
  const mcu = 8 * hs;
  const mcusX = Math.ceil(W / mcu), mcusY = Math.ceil(H / mcu);
  const pw = mcusX * mcu, ph = mcusY * mcu;
  const planes = [padPlane(Y, W, H, pw, ph), padPlane(Cb, W, H, pw, ph), padPlane(Cr, W, H, pw, ph)];
  if (hs === 2) {
    planes[1] = downsample2x2(planes[1], pw, ph);
    planes[2] = downsample2x2(planes[2], pw, ph);
  }
  const planeW = [pw, pw / hs, pw / hs];

  const out = new ByteWriter();
  out.word(0xffd8);
  // APP0 JFIF 1.01, no density units, aspect 1:1, no thumbnail
  out.word(0xffe0);
  out.word(16);
  for (const b of [0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]) out.byte(b);
  // DQT
  for (const [id, t] of [[0, tables.luma], [1, tables.chroma]] as const) {
    out.word(0xffdb);
    out.word(67);
    out.byte(id);
    for (let k = 0; k < 64; k++) out.byte(t[ZIGZAG[k]]);
  }
  // SOF0
  out.word(0xffc0);
  out.word(17);
  out.byte(8);
  out.word(H);
  out.word(W);
  out.byte(3);
  for (const [id, samp, tq] of [[1, (hs << 4) | hs, 0], [2, 0x11, 1], [3, 0x11, 1]]) {
    out.byte(id);
    out.byte(samp);
    out.byte(tq);
  }
  // DHT
  for (const [cls, id, spec] of [[0, 0, HUFF_DC_LUMA], [1, 0, HUFF_AC_LUMA], [0, 1, HUFF_DC_CHROMA], [1, 1, HUFF_AC_CHROMA]] as const) {
    out.word(0xffc4);
    out.word(19 + spec.vals.length);
    out.byte((cls << 4) | id);
    for (const b of spec.bits) out.byte(b);
    for (const v of spec.vals) out.byte(v);
  }
  // SOS
  out.word(0xffda);
  out.word(12);
  out.byte(3);
  for (const [id, tables] of [[1, 0x00], [2, 0x11], [3, 0x11]]) {
    out.byte(id);
    out.byte(tables);
  }
  out.byte(0);
  out.byte(63);
  out.byte(0);

  // entropy-coded data
  let bitBuf = 0;
  let bitCount = 0;
  const putBits = (code: number, size: number) => {
    for (let i = size - 1; i >= 0; i--) {
      bitBuf = (bitBuf << 1) | ((code >> i) & 1);
      if (++bitCount === 8) {
        out.byte(bitBuf);
        if (bitBuf === 0xff) out.byte(0);
        bitBuf = 0;
        bitCount = 0;
      }
    }
  };
  const dcCodes = [huffmanCodes(HUFF_DC_LUMA), huffmanCodes(HUFF_DC_CHROMA)];
  const acCodes = [huffmanCodes(HUFF_AC_LUMA), huffmanCodes(HUFF_AC_CHROMA)];
  const quantise = [makeQuantiser(tables.luma), makeQuantiser(tables.chroma)];
  const block = new Float64Array(64);
  const q = new Int32Array(64);
  const pred = [0, 0, 0];
  const magnitude = (v: number) => {
    let a = v < 0 ? -v : v;
    let n = 0;
    while (a) {
      n++;
      a >>= 1;
    }
    return n;
  };
  const emit = (table: { code: Int32Array; size: Int32Array }, sym: number) => {
    if (table.code[sym] < 0) throw new Error(`encodeJpeg: no Huffman code for symbol ${sym}`);
    putBits(table.code[sym], table.size[sym]);
  };
  const encodeBlock = (comp: number, bx: number, by: number) => {
    const plane = planes[comp];
    const w = planeW[comp];
    for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) block[y * 8 + x] = plane[(by * 8 + y) * w + bx * 8 + x] - 128;
    fdctIslow(block);
    const t = comp === 0 ? 0 : 1;
    quantise[t](block, q);
    const diff = q[0] - pred[comp];
    pred[comp] = q[0];
    const s = magnitude(diff);
    emit(dcCodes[t], s);
    if (s) putBits(diff < 0 ? diff + (1 << s) - 1 : diff, s);
    let run = 0;
    for (let k = 1; k < 64; k++) {
      const v = q[ZIGZAG[k]];
      if (v === 0) {
        run++;
        continue;
      }
      while (run > 15) {
        emit(acCodes[t], 0xf0);
        run -= 16;
      }
      const m = magnitude(v);
      emit(acCodes[t], (run << 4) | m);
      putBits(v < 0 ? v + (1 << m) - 1 : v, m);
      run = 0;
    }
    if (run > 0) emit(acCodes[t], 0x00);
  };
  for (let my = 0; my < mcusY; my++) {
    for (let mx = 0; mx < mcusX; mx++) {
      for (let v = 0; v < hs; v++) for (let h = 0; h < hs; h++) encodeBlock(0, mx * hs + h, my * hs + v);
      encodeBlock(1, mx, my);
      encodeBlock(2, mx, my);
    }
  }
  if (bitCount > 0) putBits((1 << (8 - bitCount)) - 1, 8 - bitCount); // pad with ones
  out.word(0xffd9);
  return out.bytes();
}

// ------------------------------------------------------------------------------------------
// decoder
// ------------------------------------------------------------------------------------------

interface DecodeTable {
  maxcode: Int32Array; // per length 1..16 (index len), -1 when none
  valptr: Int32Array;
  mincode: Int32Array;
  vals: Uint8Array;
}

function buildDecodeTable(bits: Uint8Array, vals: Uint8Array): DecodeTable {
  const maxcode = new Int32Array(18).fill(-1);
  const valptr = new Int32Array(17);
  const mincode = new Int32Array(17);
  let code = 0;
  let k = 0;
  for (let len = 1; len <= 16; len++) {
    valptr[len] = k;
    mincode[len] = code;
    code += bits[len - 1];
    k += bits[len - 1];
    maxcode[len] = bits[len - 1] ? code - 1 : -1;
    code <<= 1;
  }
  maxcode[17] = 0x7fffffff;
  return { maxcode, valptr, mincode, vals };
}

interface Component {
  id: number;
  h: number;
  v: number;
  tq: number;
  td: number;
  ta: number;
  /** decoded samples, blocksW * 8 wide */
  plane: Uint8Array;
  planeW: number;
  planeH: number;
  pred: number;
}

/** Decodes a baseline JPEG to interleaved 8-bit RGB (gray images are expanded to RGB). */
export function decodeJpeg(bytes: Uint8Array): Rgb8 {
  let pos = 0;
  const fail = (msg: string): never => {
    throw new Error(`decodeJpeg: ${msg} (at byte ${pos})`);
  };
  const u16 = (p: number) => (bytes[p] << 8) | bytes[p + 1];
  if (bytes.length < 4 || u16(0) !== 0xffd8) fail('not a JPEG (no SOI marker)');
  pos = 2;
  const qt: Int32Array[] = [];
  const dcT: DecodeTable[] = [];
  const acT: DecodeTable[] = [];
  let comps: Component[] = [];
  let W = 0, H = 0, hmax = 1, vmax = 1, restartInterval = 0;
  let done = false;
  while (!done) {
    if (pos + 4 > bytes.length) fail('unexpected end of data');
    if (bytes[pos] !== 0xff) fail('expected a marker');
    const marker = bytes[pos + 1];
    if (marker === 0xff) {
      pos++;
      continue;
    }
    pos += 2;
    if (marker === 0xd9) break;
    const len = u16(pos);
    const seg = pos + 2;
    const end = pos + len;
    switch (marker) {
      case 0xdb: {
        let p = seg;
        while (p < end) {
          const pq = bytes[p] >> 4, id = bytes[p] & 15;
          p++;
          const t = new Int32Array(64);
          for (let k = 0; k < 64; k++) {
            t[ZIGZAG[k]] = pq ? u16(p + 2 * k) : bytes[p + k];
          }
          p += pq ? 128 : 64;
          qt[id] = t;
        }
        break;
      }
      case 0xc4: {
        let p = seg;
        while (p < end) {
          const cls = bytes[p] >> 4, id = bytes[p] & 15;
          const bits = bytes.subarray(p + 1, p + 17);
          const count = bits.reduce((a, b) => a + b, 0);
          const table = buildDecodeTable(bits, bytes.subarray(p + 17, p + 17 + count));
          (cls ? acT : dcT)[id] = table;
          p += 17 + count;
        }
        break;
      }
      case 0xc0:
      case 0xc1: {
        if (bytes[seg] !== 8) fail(`${bytes[seg]}-bit samples are not supported`);
        H = u16(seg + 1);
        W = u16(seg + 3);
        const n = bytes[seg + 5];
        if (H === 0 || W === 0) fail('zero image size (DNL not supported)');
        comps = [];
        for (let i = 0; i < n; i++) {
          const b = seg + 6 + 3 * i;
          comps.push({ id: bytes[b], h: bytes[b + 1] >> 4, v: bytes[b + 1] & 15, tq: bytes[b + 2], td: 0, ta: 0, plane: new Uint8Array(0), planeW: 0, planeH: 0, pred: 0 });
        }
        if (n !== 1 && n !== 3) fail(`${n} components are not supported`);
        hmax = Math.max(...comps.map((c) => c.h));
        vmax = Math.max(...comps.map((c) => c.v));
        break;
      }
      case 0xc2:
      case 0xc3:
      case 0xc5:
      case 0xc6:
      case 0xc7:
      case 0xc9:
      case 0xca:
      case 0xcb:
      case 0xcd:
      case 0xce:
      case 0xcf:
        fail(`SOF${marker - 0xc0} (progressive, lossless or arithmetic coding) is not supported`);
        break;
      case 0xdd:
        restartInterval = u16(seg);
        break;
      case 0xda: {
        if (!comps.length) fail('scan before frame header');
        const ns = bytes[seg];
        if (ns !== comps.length) fail('non-interleaved scans are not supported');
        for (let i = 0; i < ns; i++) {
          const c = comps.find((x) => x.id === bytes[seg + 1 + 2 * i]) ?? fail('scan names an unknown component');
          c.td = bytes[seg + 2 + 2 * i] >> 4;
          c.ta = bytes[seg + 2 + 2 * i] & 15;
        }
        pos = end;
        pos = decodeScan(bytes, pos, comps, W, H, hmax, vmax, qt, dcT, acT, restartInterval, fail);
        done = true;
        continue;
      }
      default:
        break; // APPn, COM and others: skip
    }
    pos = end;
  }
  if (!comps.length || !comps[0].plane.length) fail('no image data');
  return toRgb(comps, W, H, hmax, vmax);
}

function decodeScan(
  bytes: Uint8Array,
  start: number,
  comps: Component[],
  W: number,
  H: number,
  hmax: number,
  vmax: number,
  qt: Int32Array[],
  dcT: DecodeTable[],
  acT: DecodeTable[],
  restartInterval: number,
  fail: (msg: string) => never,
): number {
  const mcusX = Math.ceil(W / (8 * hmax)), mcusY = Math.ceil(H / (8 * vmax));
  for (const c of comps) {
    c.planeW = mcusX * c.h * 8;
    c.planeH = mcusY * c.v * 8;
    c.plane = new Uint8Array(c.planeW * c.planeH);
    c.pred = 0;
    if (!qt[c.tq] || !dcT[c.td] || !acT[c.ta]) fail(`component ${c.id} refers to a missing table`);
  }
  let pos = start;
  let bitBuf = 0;
  let bitCount = 0;
  const readBit = (): number => {
    if (bitCount === 0) {
      let b = bytes[pos];
      if (b === 0xff) {
        const next = bytes[pos + 1];
        if (next === 0) pos += 2;
        else b = 0; // a marker: feed zeros (corrupt or truncated data)
      } else if (pos >= bytes.length) b = 0;
      else pos++;
      bitBuf = b;
      bitCount = 8;
    }
    bitCount--;
    return (bitBuf >> bitCount) & 1;
  };
  const receive = (n: number) => {
    let v = 0;
    for (let i = 0; i < n; i++) v = (v << 1) | readBit();
    return v;
  };
  const extend = (v: number, n: number) => (n && v < 1 << (n - 1) ? v - (1 << n) + 1 : v);
  const decodeSym = (t: DecodeTable) => {
    let code = readBit();
    let len = 1;
    while (code > t.maxcode[len]) {
      code = (code << 1) | readBit();
      if (++len > 16) fail('bad Huffman code');
    }
    return t.vals[t.valptr[len] + code - t.mincode[len]];
  };
  const coef = new Float64Array(64);
  const ws = new Float64Array(64);
  const decodeBlock = (c: Component, bx: number, by: number) => {
    coef.fill(0);
    const q = qt[c.tq];
    const s = decodeSym(dcT[c.td]);
    c.pred += s ? extend(receive(s), s) : 0;
    coef[0] = c.pred * q[0];
    const ac = acT[c.ta];
    for (let k = 1; k < 64; ) {
      const rs = decodeSym(ac);
      const r = rs >> 4, sz = rs & 15;
      if (sz === 0) {
        if (r !== 15) break;
        k += 16;
        continue;
      }
      k += r;
      if (k > 63) fail('coefficient index past 63');
      const z = ZIGZAG[k];
      coef[z] = extend(receive(sz), sz) * q[z];
      k++;
    }
    idctIslow(coef, c.plane, by * 8 * c.planeW + bx * 8, c.planeW, ws);
  };
  let mcuCount = 0;
  for (let my = 0; my < mcusY; my++) {
    for (let mx = 0; mx < mcusX; mx++) {
      if (restartInterval && mcuCount > 0 && mcuCount % restartInterval === 0) {
        // byte-align and skip the RSTn marker
        bitCount = 0;
        while (pos + 1 < bytes.length && !(bytes[pos] === 0xff && bytes[pos + 1] >= 0xd0 && bytes[pos + 1] <= 0xd7)) pos++;
        pos += 2;
        for (const c of comps) c.pred = 0;
      }
      for (const c of comps) {
        for (let v = 0; v < c.v; v++) for (let h = 0; h < c.h; h++) decodeBlock(c, mx * c.h + h, my * c.v + v);
      }
      mcuCount++;
    }
  }
  // skip to the next marker
  while (pos + 1 < bytes.length && !(bytes[pos] === 0xff && bytes[pos + 1] !== 0 && !(bytes[pos + 1] >= 0xd0 && bytes[pos + 1] <= 0xd7))) pos++;
  return pos;
}

/** Upsamples a component to full size the way jdsample.c does by default (fancy upsampling). */
function upsample(c: Component, W: number, H: number, hmax: number, vmax: number): Uint8Array {
  const fx = hmax / c.h, fy = vmax / c.v;
  const dw = Math.ceil((W * c.h) / hmax), dh = Math.ceil((H * c.v) / vmax); // downsampled size
  const at = (x: number, y: number) => c.plane[Math.min(Math.max(y, 0), dh - 1) * c.planeW + x];
  const out = new Uint8Array(W * H);
  if (fx === 1 && fy === 1) {
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) out[y * W + x] = c.plane[y * c.planeW + x];
    return out;
  }
  if (fx === 2 && (fy === 1 || fy === 2) && dw > 2) {
    const row = new Int32Array(dw);
    const full = new Uint8Array(2 * dw);
    for (let oy = 0; oy < (fy === 2 ? 2 * dh : dh); oy++) {
      if (fy === 2) {
        const iy = oy >> 1;
        const ny = oy & 1 ? iy + 1 : iy - 1; // next nearest row: above for even output rows, below for odd
        for (let x = 0; x < dw; x++) row[x] = at(x, iy) * 3 + at(x, ny);
        // h2v2: column sums, 3/4 nearer + 1/4 further, (+8 | +7) >> 4
        full[0] = (row[0] * 4 + 8) >> 4;
        full[1] = (row[0] * 3 + row[1] + 7) >> 4;
        for (let x = 1; x < dw - 1; x++) {
          full[2 * x] = (row[x] * 3 + row[x - 1] + 8) >> 4;
          full[2 * x + 1] = (row[x] * 3 + row[x + 1] + 7) >> 4;
        }
        full[2 * dw - 2] = (row[dw - 1] * 3 + row[dw - 2] + 8) >> 4;
        full[2 * dw - 1] = (row[dw - 1] * 4 + 7) >> 4;
      } else {
        // h2v1: (3 * nearer + further + 1 | + 2) >> 2
        for (let x = 0; x < dw; x++) row[x] = at(x, oy);
        full[0] = row[0];
        full[1] = (row[0] * 3 + row[1] + 2) >> 2;
        for (let x = 1; x < dw - 1; x++) {
          full[2 * x] = (row[x] * 3 + row[x - 1] + 1) >> 2;
          full[2 * x + 1] = (row[x] * 3 + row[x + 1] + 2) >> 2;
        }
        full[2 * dw - 2] = (row[dw - 1] * 3 + row[dw - 2] + 1) >> 2;
        full[2 * dw - 1] = row[dw - 1];
      }
      if (oy < H) out.set(full.subarray(0, W), oy * W);
    }
    return out;
  }
  if (!Number.isInteger(fx) || !Number.isInteger(fy)) throw new Error(`decodeJpeg: sampling ${c.h}x${c.v} of ${hmax}x${vmax} is not supported`);
  // other integer factors: replicate (libjpeg's int_upsample)
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) out[y * W + x] = c.plane[Math.floor(y / fy) * c.planeW + Math.floor(x / fx)];
  return out;
}

function toRgb(comps: Component[], W: number, H: number, hmax: number, vmax: number): Rgb8 {
  const n = W * H;
  const data = new Uint8Array(3 * n);
  if (comps.length === 1) {
    const g = upsample(comps[0], W, H, hmax, vmax);
    for (let i = 0; i < n; i++) data[3 * i] = data[3 * i + 1] = data[3 * i + 2] = g[i];
    return { width: W, height: H, data };
  }
  const [Y, Cb, Cr] = comps.map((c) => upsample(c, W, H, hmax, vmax));
  for (let i = 0; i < n; i++) {
    const y = Y[i], cb = Cb[i], cr = Cr[i];
    data[3 * i] = clamp8(y + CR_R[cr]);
    data[3 * i + 1] = clamp8(y + ((CB_G[cb] + CR_G[cr]) >> 16));
    data[3 * i + 2] = clamp8(y + CB_B[cb]);
  }
  return { width: W, height: H, data };
}
