/**
 * VietQR payloads: the national interbank QR standard (NAPAS, on EMVCo QR Code Specification for Payment
 * Systems, Merchant-Presented Mode). A payload is a list of ID–length–value fields, ending in a CRC.
 *
 *   00 "01"                 payload format indicator
 *   01 "12"                 point of initiation: 12 = dynamic (amount and reference fixed), 11 = static
 *   38 …                    merchant account information, VietQR:
 *        00 "A000000727"    NAPAS global unique identifier
 *        01 …               beneficiary organisation: 00 acquirer BIN (6 digits), 01 account number
 *        02 "QRIBFTTA"      service: transfer to an account
 *   53 "704"                currency, VND
 *   54 amount               integer VND
 *   58 "VN"                 country
 *   62 … 08 reference       additional data: purpose of transaction (the transfer's message)
 *   63 CRC                  CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) over everything before it,
 *                           "6304" included, as four upper-case hex digits
 *
 * Pure: no I/O. `parseVietQr` reads a payload back (tests, the verifier) and checks its CRC.
 */
import { ValidationError } from '../shared/errors.ts';

export const NAPAS_GUID = 'A000000727';
export const VIETQR_TRANSFER_SERVICE = 'QRIBFTTA';

export interface VietQrTransfer {
  /** The beneficiary bank's 6-digit NAPAS BIN (acquirer id). */
  bankBin: string;
  accountNumber: string;
  /** Integer VND; a positive amount makes the QR dynamic. */
  amountVnd?: number;
  /** The transfer message: ASCII letters, digits, space and - . / only, at most 25 characters. */
  reference?: string;
}

/** The QR payload is malformed, its CRC does not match, or a field cannot be encoded. */
export class VietQrError extends ValidationError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message, details, 'vietqr-invalid');
  }
}

function field(id: string, value: string): string {
  if (value.length > 99) throw new VietQrError('A QR field is longer than 99 characters', { id });
  return `${id}${String(value.length).padStart(2, '0')}${value}`;
}

/** CRC-16/CCITT-FALSE of the UTF-8 bytes of `text`, four upper-case hex digits. */
export function crc16Ccitt(text: string): string {
  let crc = 0xffff;
  for (const byte of new TextEncoder().encode(text)) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc.toString(16).toUpperCase().padStart(4, '0');
}

const REFERENCE = /^[A-Za-z0-9 ./-]{1,25}$/;

/** The VietQR payload for a transfer to `bankBin`/`accountNumber`. */
export function vietQrPayload(transfer: VietQrTransfer): string {
  if (!/^\d{6}$/.test(transfer.bankBin)) throw new VietQrError('The bank BIN must be 6 digits');
  if (!/^[A-Za-z0-9]{1,19}$/.test(transfer.accountNumber)) throw new VietQrError('The account number must be 1-19 letters or digits');
  const amount = transfer.amountVnd;
  if (amount !== undefined && (!Number.isSafeInteger(amount) || amount <= 0 || String(amount).length > 13))
    throw new VietQrError('The amount must be a positive whole number of VND');
  if (transfer.reference !== undefined && !REFERENCE.test(transfer.reference))
    throw new VietQrError('The reference must be 1-25 ASCII letters, digits, spaces or - . /');
  const beneficiary = field('00', transfer.bankBin) + field('01', transfer.accountNumber);
  const merchant = field('00', NAPAS_GUID) + field('01', beneficiary) + field('02', VIETQR_TRANSFER_SERVICE);
  let payload =
    field('00', '01') +
    field('01', amount === undefined ? '11' : '12') +
    field('38', merchant) +
    field('53', '704') +
    (amount === undefined ? '' : field('54', String(amount))) +
    field('58', 'VN') +
    (transfer.reference === undefined ? '' : field('62', field('08', transfer.reference)));
  payload += '6304';
  return payload + crc16Ccitt(payload);
}

function parseFields(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  while (i < text.length) {
    const id = text.slice(i, i + 2);
    const len = Number(text.slice(i + 2, i + 4));
    if (!/^\d{2}$/.test(id) || !/^\d{2}$/.test(text.slice(i + 2, i + 4)) || i + 4 + len > text.length)
      throw new VietQrError('Malformed QR field', { at: i });
    out.set(id, text.slice(i + 4, i + 4 + len));
    i += 4 + len;
  }
  return out;
}

/** Reads a VietQR transfer payload back; refuses a wrong CRC or a payload that is not a VietQR transfer. */
export function parseVietQr(payload: string): VietQrTransfer & { fields: Map<string, string> } {
  if (payload.length < 8 || payload.slice(-8, -4) !== '6304') throw new VietQrError('The payload does not end in a CRC field');
  if (crc16Ccitt(payload.slice(0, -4)) !== payload.slice(-4).toUpperCase()) throw new VietQrError('The CRC does not match');
  const fields = parseFields(payload.slice(0, -8));
  const merchant = parseFields(fields.get('38') ?? '');
  if (merchant.get('00') !== NAPAS_GUID) throw new VietQrError('Not a VietQR payload');
  const beneficiary = parseFields(merchant.get('01') ?? '');
  const amount = fields.get('54');
  const reference = fields.has('62') ? parseFields(fields.get('62') as string).get('08') : undefined;
  return {
    bankBin: beneficiary.get('00') ?? '',
    accountNumber: beneficiary.get('01') ?? '',
    ...(amount !== undefined ? { amountVnd: Number(amount) } : {}),
    ...(reference !== undefined ? { reference } : {}),
    fields,
  };
}
