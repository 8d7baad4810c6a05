/**
 * Synthetic Vietnamese licence plates for the recognition tests and benchmark. Deterministic: the same seed
 * gives the same plate text, geometry and pixels (on the same sharp/libvips build).
 *
 * Plates are drawn from SVG with one font (DejaVu Sans, via fontconfig in librsvg), in the plate colours of
 * docs/legal-procedure.md ("Plates": black on white or yellow for random plates; blue, red, yellow-red on
 * request; the `NG`/`QT` series always white with a red series), with a border: cars one row (`30A-123.45`,
 * `T30A-123.45`, `41-291-NG-01`), motorbikes two rows (`29-HA` over `002.33`, `T30` over `123.45`, `41-291`
 * over `NG-01`). Scenes are
 * 1280×720: a sky/building/road backdrop, a vehicle-ish body carrying the plate, clutter text that is not a
 * plate (shop signs, phone numbers, Vietnamese words), noise, blur, a small rotation, varied position and scale.
 * Limits: one font, daylight only, no glare, no motion blur, no perspective. Real photos are harder.
 */
import sharp, { type Sharp } from 'sharp';
import { PROVINCES } from '../domain/provinces/index.ts';
import { SERIES_LETTERS, parsePlate, type Plate, type PlateColour, type VehicleKind } from '../domain/plates/index.ts';
import { seededRandom } from './seeded-random.ts';

// Re-exported: specs seed their plates through this module (test/support/synthetic-plates.ts).
export { seededRandom };

/** The plate's colour scheme (src/domain/plates/colours.ts): background, characters and, for `white-red`, the red series. */
export type PlateBackground = PlateColour;

export interface PixelBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface SyntheticPlate {
  /** JPEG bytes. */
  image: Buffer;
  truth: {
    /** Canonical text, as `parsePlate(...).text` gives it. */
    text: string;
    compact: string;
    kind: VehicleKind;
    background: PlateBackground;
    /** Axis-aligned bounds of the plate in `image`, integer pixels. */
    box: PixelBox;
  };
}

export interface SyntheticOptions {
  kind?: VehicleKind;
  background?: PlateBackground;
  /** Plate width in pixels (scenes: car 130–260, motorbike 90–150 by default). */
  plateWidth?: number;
  /**
   * Crops only: draw this plate (canonical text, e.g. a special series `51RM-012.34`) instead of a random
   * ordinary one; `kind` should be given with it.
   */
  text?: string;
}

type Rng = () => number;
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const between = (rng: Rng, lo: number, hi: number): number => lo + (hi - lo) * rng();
const digits = (rng: Rng, n: number): string => Array.from({ length: n }, () => String(Math.floor(rng() * 10))).join('');

const LOCALITY_CODES = PROVINCES.flatMap((p) => p.plateCodes);
const FONT = 'DejaVu Sans';

/** A random valid plate of `kind`, in canonical form. */
export function randomPlateText(rng: Rng, kind: VehicleKind): string {
  for (;;) {
    const locality = pick(rng, LOCALITY_CODES);
    const serial = rng() < 0.85 ? digits(rng, 5) : digits(rng, 4);
    let candidate: string;
    if (kind === 'car') {
      const series = rng() < 0.85 ? pick(rng, [...SERIES_LETTERS]) : pick(rng, [...SERIES_LETTERS]) + pick(rng, [...SERIES_LETTERS]);
      candidate = `${locality}${series}-${serial}`;
    } else {
      const series =
        rng() < 0.6 ? pick(rng, [...SERIES_LETTERS]) + String(1 + Math.floor(rng() * 9)) : pick(rng, [...SERIES_LETTERS]) + pick(rng, [...SERIES_LETTERS]);
      candidate = `${locality}-${series} ${serial}`;
    }
    try {
      const plate = parsePlate(candidate, kind);
      if (plate.kind === kind && !plate.special) return plate.text;
    } catch {
      // all-zero serials and the like: draw again
    }
  }
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const RED_INK = '#c4161c';

/** Background, characters and series ink of each plate colour (docs/legal-procedure.md, "Plates"). */
function plateColours(background: PlateBackground): { fill: string; ink: string; seriesInk: string } {
  switch (background) {
    case 'white':
      return { fill: '#f4f4f0', ink: '#111111', seriesInk: '#111111' };
    case 'yellow':
      return { fill: '#f2c230', ink: '#141414', seriesInk: '#141414' };
    case 'blue':
      return { fill: '#1d4f9c', ink: '#f4f4f4', seriesInk: '#f4f4f4' };
    case 'red':
      return { fill: '#b71c1c', ink: '#f4f4f4', seriesInk: '#f4f4f4' };
    case 'yellow-red':
      return { fill: '#f2c230', ink: RED_INK, seriesInk: RED_INK };
    case 'white-red':
      return { fill: '#f4f4f0', ink: '#111111', seriesInk: RED_INK };
    default: {
      const unknown: never = background;
      throw new Error(`No colours for plate background ${String(unknown)}`);
    }
  }
}

/** The series drawn in red on a white plate: diplomatic `NG` and international organisations' `QT`. */
const RED_SERIES = new Set(['NG', 'QT']);

/** The colour a plate must have, if its series fixes one: `NG` and `QT` plates are white with a red series. */
export function requiredColour(plate: Plate): PlateBackground | undefined {
  return plate.special !== undefined && RED_SERIES.has(plate.special) ? 'white-red' : undefined;
}

/** A run of characters drawn in one ink. */
interface Segment {
  text: string;
  series: boolean;
}

/**
 * The printed rows of a plate, each as runs of characters, the series marked (it is red on a `white-red`
 * plate). Cars print one row, motorbikes two: `29-HA` / `002.33`, `T30A` / `123.45`, `41-291` / `NG-01`.
 */
export function plateRows(plate: Plate): Segment[][] {
  const { localityCode, series, serial, kind } = plate;
  const formatted = serial.length === 5 ? `${serial.slice(0, 3)}.${serial.slice(3)}` : serial;
  const seg = (text: string, isSeries = false): Segment => ({ text, series: isSeries });
  if (plate.country !== undefined) {
    return kind === 'car'
      ? [[seg(`${localityCode}-${plate.country}-`), seg(series, true), seg(`-${serial}`)]]
      : [[seg(`${localityCode}-${plate.country}`)], [seg(series, true), seg(`-${serial}`)]];
  }
  if (plate.special === 'T') {
    return kind === 'car' ? [[seg(`${plate.text}`)]] : [[seg(plate.text.slice(0, plate.text.indexOf('-')))], [seg(formatted)]];
  }
  return kind === 'car'
    ? [[seg(localityCode), seg(series, true), seg(`-${formatted}`)]]
    : [[seg(`${localityCode}-`), seg(series, true)], [seg(formatted)]];
}

/** A row's `<text>` attributes and content: one fill when the row has one ink (the ordinary plates' SVG as before), else a tspan per run. */
function rowSvg(row: readonly Segment[], colours: { ink: string; seriesInk: string }): string {
  const inkOf = (s: Segment) => (s.series ? colours.seriesInk : colours.ink);
  const runs: { text: string; ink: string }[] = [];
  for (const s of row) {
    const last = runs[runs.length - 1];
    if (last && last.ink === inkOf(s)) last.text += s.text;
    else runs.push({ text: s.text, ink: inkOf(s) });
  }
  if (runs.length === 1) return ` fill="${runs[0]!.ink}">${escapeXml(runs[0]!.text)}`;
  return `>${runs.map((r) => `<tspan fill="${r.ink}">${escapeXml(r.text)}</tspan>`).join('')}`;
}

/** A font size that fits `text` into `width` units: DejaVu Sans Bold advances are about 0.7 em (dots and dashes less). */
function fontSizeFor(text: string, width: number, max: number): number {
  const ems = [...text].reduce((sum, ch) => sum + (ch === '.' ? 0.38 : ch === '-' ? 0.42 : 0.72), 0);
  return Math.min(max, Math.floor(width / ems));
}

/** Plate artwork at a nominal size (car 520×110, motorbike 190×140, as in millimetres), scaled to `width`. */
function plateSvg(plate: Plate, background: PlateBackground, width: number): { svg: string; width: number; height: number } {
  const colours = plateColours(background);
  const { fill, ink } = colours;
  const rows = plateRows(plate);
  const rowText = (row: readonly Segment[]) => row.map((s) => s.text).join('');
  if (plate.kind === 'car') {
    const w = 520;
    const h = 110;
    const scale = width / w;
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${Math.round(w * scale)}" height="${Math.round(h * scale)}" viewBox="0 0 ${w} ${h}">
<rect x="3" y="3" width="${w - 6}" height="${h - 6}" rx="10" fill="${fill}" stroke="${ink}" stroke-width="6"/>
<text x="${w / 2}" y="${h / 2 + 27}" font-family="${FONT}" font-weight="bold" font-size="${fontSizeFor(rowText(rows[0]!), 470, 76)}" text-anchor="middle"${rowSvg(rows[0]!, colours)}</text>
</svg>`;
    return { svg, width: Math.round(w * scale), height: Math.round(h * scale) };
  }
  const [top, bottom] = rows as [Segment[], Segment[]];
  const w = 190;
  const h = 140;
  const scale = width / w;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${Math.round(w * scale)}" height="${Math.round(h * scale)}" viewBox="0 0 ${w} ${h}">
<rect x="3" y="3" width="${w - 6}" height="${h - 6}" rx="8" fill="${fill}" stroke="${ink}" stroke-width="5"/>
<text x="${w / 2}" y="60" font-family="${FONT}" font-weight="bold" font-size="${fontSizeFor(rowText(top), 160, 50)}" text-anchor="middle"${rowSvg(top, colours)}</text>
<text x="${w / 2}" y="120" font-family="${FONT}" font-weight="bold" font-size="${fontSizeFor(rowText(bottom), 168, 50)}" text-anchor="middle"${rowSvg(bottom, colours)}</text>
</svg>`;
  return { svg, width: Math.round(w * scale), height: Math.round(h * scale) };
}

async function renderPlate(plate: Plate, background: PlateBackground, width: number): Promise<{ png: Buffer; width: number; height: number }> {
  const art = plateSvg(plate, background, width);
  const png = await sharp(Buffer.from(art.svg)).png().toBuffer();
  return { png, width: art.width, height: art.height };
}

/** Adds zero-mean noise of amplitude `amount` (0–255) to a raw RGB image in place. */
function addNoise(pixels: Buffer, rng: Rng, amount: number): void {
  for (let i = 0; i < pixels.length; i++) {
    const v = pixels[i]! + (rng() + rng() - 1) * amount;
    pixels[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
}

async function degrade(image: Sharp, rng: Rng, noise: number, blur: number, quality: number): Promise<Buffer> {
  const { data, info } = await image.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  addNoise(data, rng, noise);
  let out = sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } });
  if (blur >= 0.3) out = out.blur(blur);
  return out.jpeg({ quality: Math.round(quality) }).toBuffer();
}

function kindFor(rng: Rng, options: SyntheticOptions | undefined): VehicleKind {
  return options?.kind ?? (rng() < 0.5 ? 'car' : 'motorbike');
}
function backgroundFor(rng: Rng, options: SyntheticOptions | undefined): PlateBackground {
  return options?.background ?? (rng() < 0.7 ? 'white' : 'yellow');
}

/**
 * The colour the plate is drawn in: the requested or drawn one, except that a series with a colour of its own
 * (`NG`, `QT`: white-red) takes it. Asking for another colour for such a plate is a mistake in the caller.
 */
function colourFor(plate: Plate, drawn: PlateBackground, options: SyntheticOptions | undefined): PlateBackground {
  const required = requiredColour(plate);
  if (required === undefined) return drawn;
  if (options?.background !== undefined && options.background !== required)
    throw new Error(`A ${plate.special ?? ''} plate is ${required}, not ${options.background}`);
  return required;
}

/**
 * A plate crop as a camera's plate finder would deliver it: the plate with a small margin of surroundings,
 * a slight rotation (±3°), noise, blur and JPEG artefacts.
 */
export async function syntheticPlateCrop(seed: number, options?: SyntheticOptions): Promise<SyntheticPlate> {
  const rng = seededRandom(seed * 7919 + 17);
  const kind = kindFor(rng, options);
  const drawnBackground = backgroundFor(rng, options);
  const random = randomPlateText(rng, kind);
  const parsed = parsePlate(options?.text ?? random, kind);
  const background = colourFor(parsed, drawnBackground, options);
  const drawnWidth = Math.round(kind === 'car' ? between(rng, 180, 420) : between(rng, 110, 240));
  const plateWidth = options?.plateWidth ?? drawnWidth;
  const plate = await renderPlate(parsed, background, plateWidth);
  const angle = between(rng, -3, 3);
  const rotated = await sharp(plate.png).rotate(angle, { background: { r: 0, g: 0, b: 0, alpha: 0 } }).png().toBuffer({ resolveWithObject: true });
  const margin = Math.round(between(rng, 0.04, 0.12) * plate.width);
  const grey = Math.round(between(rng, 40, 160));
  const canvasW = rotated.info.width + 2 * margin;
  const canvasH = rotated.info.height + 2 * margin;
  const composed = sharp({ create: { width: canvasW, height: canvasH, channels: 3, background: { r: grey, g: grey, b: grey + 10 } } }).composite([
    { input: rotated.data, left: margin, top: margin },
  ]);
  const flat = await composed.png().toBuffer();
  const image = await degrade(sharp(flat), rng, between(rng, 4, 18), between(rng, 0, 1.0), between(rng, 60, 92));
  return {
    image,
    truth: { text: parsed.text, compact: parsed.compact, kind, background, box: { x: margin, y: margin, width: rotated.info.width, height: rotated.info.height } },
  };
}

const CLUTTER = [
  'PHỞ BÒ GIA TRUYỀN',
  'CẤM ĐỖ XE',
  'NHÀ THUỐC',
  'CAFE SÁNG',
  'HOTLINE 0912 345 678',
  'SALE 50%',
  'KHÁCH SẠN HOA MAI',
  'ĐI CHẬM',
  'BÁNH MÌ',
  'SỬA XE',
  'GARA Ô TÔ',
  'TRƯỜNG HỌC',
  'TIỆM VÀNG KIM THÀNH',
  'ĐT: 028 3822 1234',
  'GIẢM TỐC ĐỘ',
];

function clutterSvg(rng: Rng, width: number, height: number, avoid: PixelBox): string {
  const parts: string[] = [];
  const count = 2 + Math.floor(rng() * 3);
  for (let i = 0; i < count; i++) {
    const text = pick(rng, CLUTTER);
    const size = Math.round(between(rng, 22, 44));
    const textWidth = text.length * size * 0.62;
    let x = 0;
    let y = 0;
    for (let attempt = 0; attempt < 20; attempt++) {
      x = between(rng, 10, Math.max(11, width - textWidth - 10));
      y = between(rng, size + 10, height * 0.45);
      const overlaps = x < avoid.x + avoid.width + 40 && x + textWidth > avoid.x - 40 && y > avoid.y - 40 && y - size < avoid.y + avoid.height + 40;
      if (!overlaps) break;
    }
    const boardFill = pick(rng, ['#1f4e9a', '#b3261e', '#ffffff', '#2e7d32', '#f9a825', '#4a148c']);
    const ink = boardFill === '#ffffff' || boardFill === '#f9a825' ? '#202020' : '#ffffff';
    parts.push(
      `<rect x="${(x - 12).toFixed(1)}" y="${(y - size - 8).toFixed(1)}" width="${(textWidth + 24).toFixed(1)}" height="${(size * 1.5).toFixed(1)}" fill="${boardFill}"/>`,
      `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" font-family="${FONT}" font-weight="bold" font-size="${size}" fill="${ink}">${escapeXml(text)}</text>`,
    );
  }
  return parts.join('\n');
}

export const SCENE_WIDTH = 1280;
export const SCENE_HEIGHT = 720;

/**
 * A 1280×720 street scene holding one plate on a vehicle, with clutter text, noise, blur and a small rotation.
 * Plate widths: cars 130–260 px, motorbikes 90–150 px (large enough for detection at 960 px; see the notes).
 */
export async function syntheticScene(seed: number, options?: SyntheticOptions): Promise<SyntheticPlate> {
  const rng = seededRandom(seed * 104729 + 3);
  const kind = kindFor(rng, options);
  const background = backgroundFor(rng, options);
  const text = randomPlateText(rng, kind);
  const W = SCENE_WIDTH;
  const H = SCENE_HEIGHT;

  const drawnWidth = Math.round(kind === 'car' ? between(rng, 130, 260) : between(rng, 90, 150));
  const plateWidth = options?.plateWidth ?? drawnWidth;
  const parsed = parsePlate(text, kind);
  const plate = await renderPlate(parsed, background, plateWidth);
  const angle = between(rng, -4, 4);
  const rotated = await sharp(plate.png).rotate(angle, { background: { r: 0, g: 0, b: 0, alpha: 0 } }).png().toBuffer({ resolveWithObject: true });

  // The vehicle body: a rounded rectangle a few plate-widths wide, plate near its lower middle.
  const bodyW = Math.round(plateWidth * (kind === 'car' ? between(rng, 3.2, 4.2) : between(rng, 2.2, 3)));
  const bodyH = Math.round(bodyW * (kind === 'car' ? between(rng, 0.55, 0.75) : between(rng, 1.1, 1.4)));
  const bodyX = Math.round(between(rng, 20, Math.max(21, W - bodyW - 20)));
  const bodyY = Math.round(between(rng, H * 0.3, Math.max(H * 0.3 + 1, H - bodyH - 10)));
  const plateX = Math.round(bodyX + bodyW / 2 - rotated.info.width / 2 + between(rng, -0.1, 0.1) * bodyW);
  const plateY = Math.round(Math.min(H - rotated.info.height - 4, bodyY + bodyH * between(rng, 0.6, 0.75)));
  const box: PixelBox = { x: plateX, y: plateY, width: rotated.info.width, height: rotated.info.height };

  const sky = pick(rng, ['#9fb8d0', '#c7d3dc', '#b0bec5', '#d7ccc8']);
  const road = pick(rng, ['#5b5b5b', '#6d6a66', '#4e5254']);
  const body = pick(rng, ['#c62828', '#1565c0', '#eeeeee', '#212121', '#9e9e9e', '#2e7d32', '#6d4c41']);
  const buildings = Array.from({ length: 6 }, () => {
    const bw = between(rng, 120, 320);
    const bx = between(rng, -50, W);
    const bh = between(rng, 150, 330);
    const shade = pick(rng, ['#8d8d8d', '#a1887f', '#bcaaa4', '#90a4ae', '#cfd8dc', '#795548']);
    return `<rect x="${bx.toFixed(1)}" y="${(H * 0.5 - bh).toFixed(1)}" width="${bw.toFixed(1)}" height="${bh.toFixed(1)}" fill="${shade}"/>`;
  }).join('\n');
  const backdrop = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">
<rect width="${W}" height="${H}" fill="${sky}"/>
${buildings}
<rect y="${H * 0.5}" width="${W}" height="${H * 0.5}" fill="${road}"/>
<rect x="0" y="${H * 0.72}" width="${W}" height="6" fill="#e0e0e0"/>
${clutterSvg(rng, W, H, box)}
<rect x="${bodyX}" y="${bodyY}" width="${bodyW}" height="${bodyH}" rx="${Math.round(bodyW * 0.08)}" fill="${body}"/>
<rect x="${bodyX + bodyW * 0.12}" y="${bodyY + bodyH * 0.08}" width="${bodyW * 0.76}" height="${bodyH * 0.35}" rx="8" fill="#37474f"/>
<circle cx="${bodyX + bodyW * 0.15}" cy="${bodyY + bodyH * 0.62}" r="${bodyW * 0.05}" fill="#fff59d"/>
<circle cx="${bodyX + bodyW * 0.85}" cy="${bodyY + bodyH * 0.62}" r="${bodyW * 0.05}" fill="#fff59d"/>
</svg>`;
  const composed = await sharp(Buffer.from(backdrop))
    .composite([{ input: rotated.data, left: plateX, top: plateY }])
    .removeAlpha()
    .png()
    .toBuffer();
  const image = await degrade(sharp(composed), rng, between(rng, 4, 14), between(rng, 0, 0.9), between(rng, 70, 92));
  return { image, truth: { text: parsed.text, compact: parsed.compact, kind, background, box } };
}
