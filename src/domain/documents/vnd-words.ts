/**
 * Amounts of money in Vietnamese words, as official forms write them beside the digits
 * ("Bằng chữ: Mười tám triệu đồng"). Integer VND only.
 *
 * Reading rules (standard Vietnamese numeral reading):
 * - groups of three digits, named nghìn, triệu, tỷ; above a thousand billion the billions repeat
 *   ("một nghìn tỷ", "năm triệu tỷ");
 * - a group of three zeros is not read; a group after the first that starts with zero hundreds reads
 *   "không trăm" ("một triệu không trăm năm mươi nghìn");
 * - a zero in the tens before a non-zero unit reads "linh" ("một trăm linh năm");
 * - 1 after a tens digit of 2 or more reads "mốt" ("hai mươi mốt"); 5 after any tens digit reads "lăm"
 *   ("mười lăm", "hai mươi lăm"); 10 to 19 read "mười …".
 */
import { ValidationError } from '../shared/errors.ts';

const DIGITS = ['không', 'một', 'hai', 'ba', 'bốn', 'năm', 'sáu', 'bảy', 'tám', 'chín'] as const;
const BILLION = 1_000_000_000;

function digit(d: number): string {
  return DIGITS[d] as string;
}

/** Reads 0 < n < 1000; `full` reads "không trăm" / "linh" as a group after the first does. */
function readGroup(n: number, full: boolean): string[] {
  const h = Math.floor(n / 100);
  const t = Math.floor((n % 100) / 10);
  const u = n % 10;
  const words: string[] = [];
  if (h > 0 || full) words.push(digit(h), 'trăm');
  if (t === 0) {
    if (u > 0 && (h > 0 || full)) words.push('linh');
  } else if (t === 1) {
    words.push('mười');
  } else {
    words.push(digit(t), 'mươi');
  }
  if (u > 0) {
    if (u === 1 && t >= 2) words.push('mốt');
    else if (u === 5 && t >= 1) words.push('lăm');
    else words.push(digit(u));
  }
  return words;
}

/** Reads 0 < n < 10^9; `leading` is false when a larger unit precedes it. */
function readBelowBillion(n: number, leading: boolean): string[] {
  const groups = [Math.floor(n / 1_000_000), Math.floor((n % 1_000_000) / 1000), n % 1000];
  const names = ['triệu', 'nghìn', ''];
  const words: string[] = [];
  let first = leading;
  groups.forEach((g, i) => {
    if (g === 0) return;
    words.push(...readGroup(g, !first));
    if (names[i]) words.push(names[i] as string);
    first = false;
  });
  return words;
}

function readNumber(n: number, leading: boolean): string[] {
  if (n >= BILLION) {
    const high = Math.floor(n / BILLION);
    const low = n % BILLION;
    const words = [...readNumber(high, leading), 'tỷ'];
    if (low > 0) words.push(...readBelowBillion(low, false));
    return words;
  }
  return readBelowBillion(n, leading);
}

/** The number in Vietnamese words, lower case: 18_000_000 → "mười tám triệu". */
export function numberInWords(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new ValidationError('Only whole non-negative amounts are read', {});
  if (n === 0) return 'không';
  return readNumber(n, true).join(' ');
}

/** An amount of money as a form writes it: capitalised, ending in "đồng" (20_000_000 → "Hai mươi triệu đồng"). */
export function vndInWords(amountVnd: number): string {
  const words = `${numberInWords(amountVnd)} đồng`;
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Digits grouped with dots, as Vietnamese forms write them: 18000000 → "18.000.000". */
export function formatVnd(amountVnd: number): string {
  if (!Number.isSafeInteger(amountVnd) || amountVnd < 0) throw new ValidationError('Only whole non-negative amounts', {});
  return String(amountVnd).replace(/\B(?=(\d{3})+(?!\d))/g, '.');
}
