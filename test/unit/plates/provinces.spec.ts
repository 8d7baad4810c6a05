import { expect } from 'chai';
import {
  NATIONAL,
  PROVINCES,
  isProvinceCode,
  provinceByCode,
  provinceForPlateCode,
} from '../../../src/domain/provinces/index.ts';

/** Plate codes by province name, transcribed from the reference (shared/domain/enforcement-vn.md §3). */
const REFERENCE_PLATE_CODES: Record<string, string[]> = {
  'Hà Nội': ['29', '30', '31', '32', '33', '40'],
  Huế: ['75'],
  'Hải Phòng': ['15', '16', '34'],
  'Đà Nẵng': ['43', '92'],
  'TP. Hồ Chí Minh': ['41', '50', '51', '52', '53', '54', '55', '56', '57', '58', '59', '61', '72'],
  'Cần Thơ': ['65', '83', '95'],
  'Cao Bằng': ['11'],
  'Lạng Sơn': ['12'],
  'Quảng Ninh': ['14'],
  'Lai Châu': ['25'],
  'Sơn La': ['26'],
  'Điện Biên': ['27'],
  'Thanh Hóa': ['36'],
  'Nghệ An': ['37'],
  'Hà Tĩnh': ['38'],
  'Tuyên Quang': ['22', '23'],
  'Lào Cai': ['24', '21'],
  'Thái Nguyên': ['20', '97'],
  'Phú Thọ': ['19', '88', '28'],
  'Bắc Ninh': ['99', '98'],
  'Hưng Yên': ['89', '17'],
  'Ninh Bình': ['35', '90', '18'],
  'Quảng Trị': ['74', '73'],
  'Quảng Ngãi': ['76', '82'],
  'Gia Lai': ['81', '77'],
  'Khánh Hòa': ['79', '85'],
  'Lâm Đồng': ['49', '48', '86'],
  'Đắk Lắk': ['47', '78'],
  'Đồng Nai': ['39', '60', '93'],
  'Tây Ninh': ['70', '62'],
  'Vĩnh Long': ['64', '71', '84'],
  'Đồng Tháp': ['66', '63'],
  'An Giang': ['67', '68'],
  'Cà Mau': ['69', '94'],
};

/** Administrative codes from the task brief. */
const ADMINISTRATIVE_CODES: Record<string, string> = {
  '01': 'Hà Nội',
  '04': 'Cao Bằng',
  '08': 'Tuyên Quang',
  '11': 'Điện Biên',
  '12': 'Lai Châu',
  '14': 'Sơn La',
  '15': 'Lào Cai',
  '19': 'Thái Nguyên',
  '20': 'Lạng Sơn',
  '22': 'Quảng Ninh',
  '24': 'Bắc Ninh',
  '25': 'Phú Thọ',
  '31': 'Hải Phòng',
  '33': 'Hưng Yên',
  '37': 'Ninh Bình',
  '38': 'Thanh Hóa',
  '40': 'Nghệ An',
  '42': 'Hà Tĩnh',
  '44': 'Quảng Trị',
  '46': 'Huế',
  '48': 'Đà Nẵng',
  '51': 'Quảng Ngãi',
  '52': 'Gia Lai',
  '56': 'Khánh Hòa',
  '66': 'Đắk Lắk',
  '68': 'Lâm Đồng',
  '75': 'Đồng Nai',
  '79': 'TP. Hồ Chí Minh',
  '80': 'Tây Ninh',
  '82': 'Đồng Tháp',
  '86': 'Vĩnh Long',
  '91': 'An Giang',
  '92': 'Cần Thơ',
  '96': 'Cà Mau',
};

describe('provinces (Resolution 202/2025)', () => {
  it('lists exactly 34 provinces with unique 2-digit administrative codes', () => {
    expect(PROVINCES).to.have.length(34);
    const codes = PROVINCES.map((p) => p.code);
    expect(new Set(codes).size).to.equal(34);
    for (const code of codes) expect(code).to.match(/^\d{2}$/);
    expect(codes).to.not.include(NATIONAL);
  });

  it('uses the post-merger administrative codes', () => {
    for (const [code, name] of Object.entries(ADMINISTRATIVE_CODES)) {
      expect(provinceByCode(code)?.name, code).to.equal(name);
    }
  });

  it('maps every plate code in the reference to exactly the province the reference names', () => {
    for (const [name, plateCodes] of Object.entries(REFERENCE_PLATE_CODES)) {
      for (const plateCode of plateCodes) {
        expect(provinceForPlateCode(plateCode)?.name, plateCode).to.equal(name);
        expect(
          PROVINCES.filter((p) => p.plateCodes.includes(plateCode)),
          plateCode,
        ).to.have.length(1);
      }
    }
    const all = PROVINCES.flatMap((p) => p.plateCodes);
    expect(new Set(all).size, 'no plate code appears twice').to.equal(all.length);
    const reference = Object.values(REFERENCE_PLATE_CODES).flat();
    expect([...all].sort()).to.deep.equal([...reference].sort());
  });

  it('refuses plate codes no province issues', () => {
    for (const code of [
      '00',
      '10',
      '13',
      '42',
      '44',
      '45',
      '46',
      '80',
      '87',
      '91',
      '96',
      '1',
      '300',
      '',
      'AB',
    ]) {
      expect(provinceForPlateCode(code), code).to.equal(undefined);
    }
  });

  it('marks the 6 centrally run cities as large cities, and only them', () => {
    const cities = PROVINCES.filter((p) => p.largeCity)
      .map((p) => p.name)
      .sort();
    expect(cities).to.deep.equal(
      ['Cần Thơ', 'Huế', 'Hà Nội', 'Hải Phòng', 'TP. Hồ Chí Minh', 'Đà Nẵng'].sort(),
    );
    for (const p of PROVINCES) expect(p.kind === 'city', p.name).to.equal(p.largeCity);
  });

  it('gives every province an ASCII name', () => {
    for (const p of PROVINCES) expect(p.nameAscii, p.name).to.match(/^[A-Za-z .]+$/);
  });

  it('recognises province codes and not the national pseudo-province', () => {
    expect(isProvinceCode('01')).to.equal(true);
    expect(isProvinceCode('96')).to.equal(true);
    expect(isProvinceCode(NATIONAL)).to.equal(false);
    expect(isProvinceCode('02')).to.equal(false);
    expect(isProvinceCode('1')).to.equal(false);
    expect(provinceByCode('02')).to.equal(undefined);
  });

  it('is frozen: callers cannot alter the table', () => {
    expect(Object.isFrozen(PROVINCES)).to.equal(true);
    expect(Object.isFrozen(PROVINCES[0])).to.equal(true);
    expect(Object.isFrozen(PROVINCES[0]!.plateCodes)).to.equal(true);
  });
});
