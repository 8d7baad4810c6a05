/**
 * Axis-aligned boxes in upright image pixels (after EXIF orientation), integers only (integrity.md §1).
 * A box partly outside the image is clamped to it; a box entirely outside, empty, or not made of integers is
 * refused with `InvalidBoxError`: a derived copy never silently shows something other than what was asked.
 */
import { InvalidBoxError } from './errors.ts';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Coordinates beyond this are nonsense for any camera and would risk overflow in area maths. */
const MAX_COORDINATE = 1_000_000;

export function assertBox(value: unknown, what = 'box'): Box {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InvalidBoxError(`The ${what} is not an object`);
  const { x, y, width, height } = value as Record<string, unknown>;
  for (const [name, n] of [
    ['x', x],
    ['y', y],
    ['width', width],
    ['height', height],
  ] as const) {
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || Math.abs(n) > MAX_COORDINATE)
      throw new InvalidBoxError(`The ${what} ${name} must be an integer within ±${MAX_COORDINATE}`, {
        field: name,
      });
  }
  const box = { x: x as number, y: y as number, width: width as number, height: height as number };
  if (box.width <= 0 || box.height <= 0)
    throw new InvalidBoxError(`The ${what} must have a positive width and height`);
  return box;
}

/** Grows a box by `padding` on every side (before clamping). */
export function padBox(box: Box, padding: number): Box {
  return {
    x: box.x - padding,
    y: box.y - padding,
    width: box.width + 2 * padding,
    height: box.height + 2 * padding,
  };
}

/** The part of `box` inside a `width × height` image; refused when nothing of it is inside. */
export function clampBox(box: Box, width: number, height: number, what = 'box'): Box {
  const x0 = Math.max(0, box.x);
  const y0 = Math.max(0, box.y);
  const x1 = Math.min(width, box.x + box.width);
  const y1 = Math.min(height, box.y + box.height);
  if (x1 <= x0 || y1 <= y0)
    throw new InvalidBoxError(`The ${what} lies outside the ${width}×${height} image`, {
      box: formatBox(box),
    });
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/** `x,y,width,height`, the form boxes take in derivation parameters (flat strings and integers only). */
export function formatBox(box: Box): string {
  return `${box.x},${box.y},${box.width},${box.height}`;
}
