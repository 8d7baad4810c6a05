/**
 * The issuing unit printed on a province's documents: the provincial police's traffic division. Names come
 * from the province table; the address is a placeholder a deployment replaces with its own (no unit directory
 * exists here), and the phone is the configured handling-unit phone (`HANDLING_UNIT_PHONES`).
 */
import type { IssuingUnit } from '../../domain/documents/types.ts';
import { provinceByCode } from '../../domain/provinces/index.ts';

export function issuingUnitFor(province: string, phone?: string): IssuingUnit {
  const p = provinceByCode(province);
  const name = p?.name ?? province;
  const level = p?.kind === 'city' ? 'THÀNH PHỐ' : 'TỈNH';
  const levelInSentence = p?.kind === 'city' ? 'thành phố' : 'tỉnh';
  return {
    superior: `CÔNG AN ${level} ${name.toLocaleUpperCase('vi')}`,
    name: 'PHÒNG CẢNH SÁT GIAO THÔNG',
    address: `Trụ sở Phòng Cảnh sát giao thông Công an ${p?.kind === 'city' ? 'thành phố' : 'tỉnh'} ${name} (địa chỉ minh họa)`,
    ...(phone !== undefined ? { phone } : {}),
    place: name,
    fullName: `Phòng Cảnh sát giao thông Công an ${levelInSentence} ${name}`,
  };
}
