/**
 * The 34 provinces and centrally run cities of Viet Nam after the 2025 merger (Resolution 202/2025/QH15,
 * in force 1 Jul 2025), with their administrative codes and licence-plate locality codes.
 *
 * VERIFY AGAINST THE OFFICIAL DECISION. The administrative codes follow the post-merger numbering; the plate
 * codes were assembled from the pre-merger codes (TT 51/2025 Annex 02 keeps every old code, a merged province
 * uses the union of its predecessors' codes). Only Đồng Tháp = 63, 66 was confirmed directly from the annex.
 * See docs/legal-catalog.md. Correct this table as data; never reuse a code for a different province.
 *
 * Callers MAY rely on: exactly 34 entries, unique administrative codes, and every plate code belonging to
 * exactly one province.
 */
export interface Province {
  /** 2-digit administrative code after the 2025 merger, e.g. "01" Hà Nội. */
  code: string;
  name: string;
  /** The name without diacritics, for search and ASCII-only channels. */
  nameAscii: string;
  /** 2-digit licence-plate locality codes issued in this province. */
  plateCodes: string[];
  kind: 'city' | 'province';
  /** One of the 6 centrally run cities (camera coverage target 50% instead of 30%). */
  largeCity: boolean;
}

/** The pseudo-province code of the national tier (national records, national staff). */
export const NATIONAL = '00';

function city(code: string, name: string, nameAscii: string, plateCodes: string[]): Province {
  return Object.freeze({
    code,
    name,
    nameAscii,
    plateCodes: Object.freeze([...plateCodes]) as string[],
    kind: 'city',
    largeCity: true,
  });
}

function province(code: string, name: string, nameAscii: string, plateCodes: string[]): Province {
  return Object.freeze({
    code,
    name,
    nameAscii,
    plateCodes: Object.freeze([...plateCodes]) as string[],
    kind: 'province',
    largeCity: false,
  });
}

function range(from: number, to: number): string[] {
  const codes: string[] = [];
  for (let n = from; n <= to; n++) codes.push(String(n).padStart(2, '0'));
  return codes;
}

/** verify against the official decision (Resolution 202/2025/QH15; TT 51/2025 Annex 02 for plate codes). */
export const PROVINCES: readonly Province[] = Object.freeze([
  city('01', 'Hà Nội', 'Ha Noi', [...range(29, 33), '40']),
  province('04', 'Cao Bằng', 'Cao Bang', ['11']),
  province('08', 'Tuyên Quang', 'Tuyen Quang', ['22', '23']), // + Hà Giang
  province('11', 'Điện Biên', 'Dien Bien', ['27']),
  province('12', 'Lai Châu', 'Lai Chau', ['25']),
  province('14', 'Sơn La', 'Son La', ['26']),
  province('15', 'Lào Cai', 'Lao Cai', ['24', '21']), // + Yên Bái
  province('19', 'Thái Nguyên', 'Thai Nguyen', ['20', '97']), // + Bắc Kạn
  province('20', 'Lạng Sơn', 'Lang Son', ['12']),
  province('22', 'Quảng Ninh', 'Quang Ninh', ['14']),
  province('24', 'Bắc Ninh', 'Bac Ninh', ['99', '98']), // + Bắc Giang
  province('25', 'Phú Thọ', 'Phu Tho', ['19', '88', '28']), // + Vĩnh Phúc, Hòa Bình
  city('31', 'Hải Phòng', 'Hai Phong', ['15', '16', '34']), // + Hải Dương
  province('33', 'Hưng Yên', 'Hung Yen', ['89', '17']), // + Thái Bình
  province('37', 'Ninh Bình', 'Ninh Binh', ['35', '90', '18']), // + Hà Nam, Nam Định
  province('38', 'Thanh Hóa', 'Thanh Hoa', ['36']),
  province('40', 'Nghệ An', 'Nghe An', ['37']),
  province('42', 'Hà Tĩnh', 'Ha Tinh', ['38']),
  province('44', 'Quảng Trị', 'Quang Tri', ['74', '73']), // + Quảng Bình
  city('46', 'Huế', 'Hue', ['75']),
  city('48', 'Đà Nẵng', 'Da Nang', ['43', '92']), // + Quảng Nam
  province('51', 'Quảng Ngãi', 'Quang Ngai', ['76', '82']), // + Kon Tum
  province('52', 'Gia Lai', 'Gia Lai', ['81', '77']), // + Bình Định
  province('56', 'Khánh Hòa', 'Khanh Hoa', ['79', '85']), // + Ninh Thuận
  province('66', 'Đắk Lắk', 'Dak Lak', ['47', '78']), // + Phú Yên
  province('68', 'Lâm Đồng', 'Lam Dong', ['49', '48', '86']), // + Đắk Nông, Bình Thuận
  province('75', 'Đồng Nai', 'Dong Nai', ['39', '60', '93']), // + Bình Phước
  city('79', 'TP. Hồ Chí Minh', 'TP. Ho Chi Minh', ['41', ...range(50, 59), '61', '72']), // + Bình Dương, Bà Rịa–Vũng Tàu
  province('80', 'Tây Ninh', 'Tay Ninh', ['70', '62']), // + Long An
  province('82', 'Đồng Tháp', 'Dong Thap', ['66', '63']), // + Tiền Giang (confirmed from Annex 02)
  province('86', 'Vĩnh Long', 'Vinh Long', ['64', '71', '84']), // + Bến Tre, Trà Vinh
  province('91', 'An Giang', 'An Giang', ['67', '68']), // + Kiên Giang
  city('92', 'Cần Thơ', 'Can Tho', ['65', '83', '95']), // + Sóc Trăng, Hậu Giang
  province('96', 'Cà Mau', 'Ca Mau', ['69', '94']), // + Bạc Liêu
]);

const byCode = new Map(PROVINCES.map((p) => [p.code, p] as const));
const byPlateCode = new Map(
  PROVINCES.flatMap((p) => p.plateCodes.map((plateCode) => [plateCode, p] as const)),
);

/** The province with this administrative code, or undefined. `NATIONAL` is not a province. */
export function provinceByCode(code: string): Province | undefined {
  return byCode.get(code);
}

/** The province that issues plates with this 2-digit locality code, or undefined if none does. */
export function provinceForPlateCode(localityCode: string): Province | undefined {
  return byPlateCode.get(localityCode);
}

/** True for the 34 administrative codes; false for `NATIONAL` and anything else. */
export function isProvinceCode(code: string): boolean {
  return byCode.has(code);
}
