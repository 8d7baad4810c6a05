/**
 * Catalog data: the camera-detectable violations of Decree 168/2024/NĐ-CP as issued (in force 1 Jan 2025),
 * for individuals. Figures are from the project's reference table (shared/domain/enforcement-vn.md §1),
 * checked against the article text of Decree 168 (gtdb `data/nghi-dinh-168.yaml`): fines from the clause,
 * points from the points clause of the same article (6.16, 7.13, 21.13, 34.7).
 *
 * VERIFY against the consolidated official text before production use: Decree 238/2026/NĐ-CP is reported to
 * amend Decree 168 from 15 Aug 2026. An amendment MUST be added as a new catalog version (see versions.ts),
 * never by editing these entries: cases are judged under the version in force on the violation date.
 */
import type { CatalogEntry, VehicleClass } from './types.ts';

export const DECREE_168_VERSION_ID = 'decree-168-2024@2025-01-01';
export const DECREE_168_EFFECTIVE_FROM = '2025-01-01';

type EntrySpec = Omit<CatalogEntry, 'code' | 'catalogVersion' | 'legalBasis' | 'effectiveFrom'> & {
  article: number;
  clause: number;
  /** The point letter as written in the decree ("đ" stays "đ"); '' when the clause has no points. */
  point: string;
};

const CAR: VehicleClass[] = ['car', 'truck'];
const MOTORBIKE: VehicleClass[] = ['motorbike'];
const TRUCK: VehicleClass[] = ['truck'];

function entry(spec: EntrySpec): CatalogEntry {
  const { article, clause, point, ...rest } = spec;
  const code = point ? `168.${article}.${clause}.${point}` : `168.${article}.${clause}`;
  return {
    code,
    catalogVersion: DECREE_168_VERSION_ID,
    ...rest,
    legalBasis: { decree: '168/2024/NĐ-CP', article, clause, point },
    effectiveFrom: DECREE_168_EFFECTIVE_FROM,
  };
}

const M = 1_000_000;
const K = 1_000;

export const DECREE_168_ENTRIES: readonly CatalogEntry[] = [
  // ── Cars (Art. 6); trucks are cars for these rules ────────────────────────────────────────────────
  entry({
    article: 6,
    clause: 9,
    point: 'b',
    vehicleClasses: CAR,
    fineMinVnd: 18 * M,
    fineMaxVnd: 20 * M,
    points: 4,
    title: { vi: 'Không chấp hành hiệu lệnh của đèn tín hiệu giao thông', en: 'Running a red light' },
  }),
  entry({
    article: 6,
    clause: 3,
    point: 'a',
    vehicleClasses: CAR,
    fineMinVnd: 800 * K,
    fineMaxVnd: 1 * M,
    points: 0,
    title: {
      vi: 'Chạy quá tốc độ quy định từ 05 km/h đến dưới 10 km/h',
      en: 'Speeding by 5 to under 10 km/h',
    },
    measurement: { kind: 'speed-over-limit', minInclusive: 5, maxExclusive: 10 },
  }),
  entry({
    article: 6,
    clause: 5,
    point: 'đ',
    vehicleClasses: CAR,
    fineMinVnd: 4 * M,
    fineMaxVnd: 6 * M,
    points: 2,
    title: { vi: 'Chạy quá tốc độ quy định từ 10 km/h đến 20 km/h', en: 'Speeding by 10 to 20 km/h' },
    measurement: { kind: 'speed-over-limit', minInclusive: 10, maxInclusive: 20 },
  }),
  entry({
    article: 6,
    clause: 6,
    point: 'a',
    vehicleClasses: CAR,
    fineMinVnd: 6 * M,
    fineMaxVnd: 8 * M,
    points: 4,
    title: { vi: 'Chạy quá tốc độ quy định trên 20 km/h đến 35 km/h', en: 'Speeding by over 20 to 35 km/h' },
    measurement: { kind: 'speed-over-limit', minExclusive: 20, maxInclusive: 35 },
  }),
  entry({
    article: 6,
    clause: 7,
    point: 'a',
    vehicleClasses: CAR,
    fineMinVnd: 12 * M,
    fineMaxVnd: 14 * M,
    points: 6,
    title: { vi: 'Chạy quá tốc độ quy định trên 35 km/h', en: 'Speeding by over 35 km/h' },
    measurement: { kind: 'speed-over-limit', minExclusive: 35 },
  }),
  entry({
    article: 6,
    clause: 5,
    point: 'b',
    vehicleClasses: CAR,
    fineMinVnd: 4 * M,
    fineMaxVnd: 6 * M,
    points: 2,
    title: {
      vi: 'Đi không đúng phần đường hoặc làn đường quy định',
      en: 'Driving in the wrong lane or wrong part of the road',
    },
  }),
  entry({
    article: 6,
    clause: 9,
    point: 'd',
    vehicleClasses: CAR,
    fineMinVnd: 18 * M,
    fineMaxVnd: 20 * M,
    points: 4,
    title: {
      vi: 'Đi ngược chiều của đường một chiều, đi ngược chiều trên đường có biển "Cấm đi ngược chiều"',
      en: 'Driving the wrong way on a one-way road or past a "no entry" sign',
    },
  }),
  entry({
    article: 6,
    clause: 11,
    point: 'đ',
    vehicleClasses: CAR,
    fineMinVnd: 30 * M,
    fineMaxVnd: 40 * M,
    points: 10,
    title: {
      vi: 'Đi ngược chiều, lùi xe, quay đầu xe trên đường cao tốc',
      en: 'Wrong way, reversing or U-turn on an expressway',
    },
  }),
  entry({
    article: 6,
    clause: 1,
    point: 'a',
    vehicleClasses: CAR,
    fineMinVnd: 400 * K,
    fineMaxVnd: 600 * K,
    points: 0,
    title: {
      vi: 'Không chấp hành hiệu lệnh, chỉ dẫn của biển báo hiệu, vạch kẻ đường',
      en: 'Disobeying road signs or markings (e.g. crossing a solid line)',
    },
  }),
  entry({
    article: 6,
    clause: 2,
    point: 'a',
    vehicleClasses: CAR,
    fineMinVnd: 600 * K,
    fineMaxVnd: 800 * K,
    points: 0,
    title: { vi: 'Chuyển làn đường không đúng nơi cho phép', en: 'Changing lanes where not allowed' },
  }),
  entry({
    article: 6,
    clause: 5,
    point: 'g',
    vehicleClasses: CAR,
    fineMinVnd: 4 * M,
    fineMaxVnd: 6 * M,
    points: 2,
    title: {
      vi: 'Chuyển làn đường không đúng nơi cho phép khi chạy trên đường cao tốc',
      en: 'Changing lanes where not allowed on an expressway',
    },
  }),
  entry({
    article: 6,
    clause: 7,
    point: 'c',
    vehicleClasses: CAR,
    fineMinVnd: 12 * M,
    fineMaxVnd: 14 * M,
    points: 6,
    title: {
      vi: 'Dừng xe, đỗ xe trên đường cao tốc không đúng nơi quy định',
      en: 'Stopping or parking on an expressway outside permitted places',
    },
  }),
  entry({
    article: 6,
    clause: 5,
    point: 'h',
    vehicleClasses: CAR,
    fineMinVnd: 4 * M,
    fineMaxVnd: 6 * M,
    points: 4,
    title: {
      vi: 'Dùng tay cầm và sử dụng điện thoại khi điều khiển xe đang di chuyển',
      en: 'Using a hand-held phone while the vehicle is moving',
    },
  }),
  entry({
    article: 6,
    clause: 5,
    point: 'd',
    vehicleClasses: CAR,
    fineMinVnd: 4 * M,
    fineMaxVnd: 6 * M,
    points: 2,
    title: {
      vi: 'Chạy ở làn dừng xe khẩn cấp hoặc phần lề đường của đường cao tốc',
      en: 'Driving in the emergency lane or on the shoulder of an expressway',
    },
  }),

  // ── Motorbikes (Art. 7) ──────────────────────────────────────────────────────────────────────────
  entry({
    article: 7,
    clause: 7,
    point: 'c',
    vehicleClasses: MOTORBIKE,
    fineMinVnd: 4 * M,
    fineMaxVnd: 6 * M,
    points: 4,
    title: { vi: 'Không chấp hành hiệu lệnh của đèn tín hiệu giao thông', en: 'Running a red light' },
  }),
  entry({
    article: 7,
    clause: 2,
    point: 'b',
    vehicleClasses: MOTORBIKE,
    fineMinVnd: 400 * K,
    fineMaxVnd: 600 * K,
    points: 0,
    title: {
      vi: 'Chạy quá tốc độ quy định từ 05 km/h đến dưới 10 km/h',
      en: 'Speeding by 5 to under 10 km/h',
    },
    measurement: { kind: 'speed-over-limit', minInclusive: 5, maxExclusive: 10 },
  }),
  entry({
    article: 7,
    clause: 4,
    point: 'a',
    vehicleClasses: MOTORBIKE,
    fineMinVnd: 800 * K,
    fineMaxVnd: 1 * M,
    points: 0,
    title: { vi: 'Chạy quá tốc độ quy định từ 10 km/h đến 20 km/h', en: 'Speeding by 10 to 20 km/h' },
    measurement: { kind: 'speed-over-limit', minInclusive: 10, maxInclusive: 20 },
  }),
  entry({
    article: 7,
    clause: 8,
    point: 'a',
    vehicleClasses: MOTORBIKE,
    fineMinVnd: 6 * M,
    fineMaxVnd: 8 * M,
    points: 4,
    title: { vi: 'Chạy quá tốc độ quy định trên 20 km/h', en: 'Speeding by over 20 km/h' },
    measurement: { kind: 'speed-over-limit', minExclusive: 20 },
  }),
  entry({
    article: 7,
    clause: 3,
    point: 'd',
    vehicleClasses: MOTORBIKE,
    fineMinVnd: 600 * K,
    fineMaxVnd: 800 * K,
    points: 0,
    title: {
      vi: 'Đi không đúng phần đường, làn đường quy định',
      en: 'Riding in the wrong lane or wrong part of the road',
    },
  }),
  entry({
    article: 7,
    clause: 7,
    point: 'a',
    vehicleClasses: MOTORBIKE,
    fineMinVnd: 4 * M,
    fineMaxVnd: 6 * M,
    points: 2,
    title: {
      vi: 'Đi ngược chiều của đường một chiều, đi ngược chiều trên đường có biển "Cấm đi ngược chiều"',
      en: 'Riding the wrong way on a one-way road or past a "no entry" sign',
    },
  }),
  entry({
    article: 7,
    clause: 7,
    point: 'b',
    vehicleClasses: MOTORBIKE,
    fineMinVnd: 4 * M,
    fineMaxVnd: 6 * M,
    points: 6,
    title: { vi: 'Điều khiển xe đi vào đường cao tốc', en: 'Riding on an expressway' },
  }),
  entry({
    article: 7,
    clause: 1,
    point: 'a',
    vehicleClasses: MOTORBIKE,
    fineMinVnd: 200 * K,
    fineMaxVnd: 400 * K,
    points: 0,
    title: {
      vi: 'Không chấp hành hiệu lệnh, chỉ dẫn của biển báo hiệu, vạch kẻ đường',
      en: 'Disobeying road signs or markings (e.g. crossing a solid line)',
    },
  }),
  entry({
    article: 7,
    clause: 1,
    point: 'e',
    vehicleClasses: MOTORBIKE,
    fineMinVnd: 200 * K,
    fineMaxVnd: 400 * K,
    points: 0,
    title: { vi: 'Chuyển làn đường không đúng nơi cho phép', en: 'Changing lanes where not allowed' },
  }),
  entry({
    article: 7,
    clause: 2,
    point: 'h',
    vehicleClasses: MOTORBIKE,
    fineMinVnd: 400 * K,
    fineMaxVnd: 600 * K,
    points: 0,
    title: { vi: 'Người điều khiển không đội mũ bảo hiểm', en: 'Rider without a helmet' },
  }),
  entry({
    article: 7,
    clause: 2,
    point: 'i',
    vehicleClasses: MOTORBIKE,
    fineMinVnd: 400 * K,
    fineMaxVnd: 600 * K,
    points: 0,
    title: {
      vi: 'Chở người ngồi trên xe không đội mũ bảo hiểm',
      en: 'Carrying a passenger without a helmet',
    },
  }),
  entry({
    article: 7,
    clause: 4,
    point: 'đ',
    vehicleClasses: MOTORBIKE,
    fineMinVnd: 800 * K,
    fineMaxVnd: 1 * M,
    points: 4,
    title: {
      vi: 'Dùng tay cầm và sử dụng điện thoại khi điều khiển xe',
      en: 'Using a hand-held phone while riding',
    },
  }),

  // ── Trucks: load vs. the inspection certificate (Art. 21) ───────────────────────────────────────────
  // 21.2.a starts at over 20% (not 10%) for tankers carrying liquids; the band below is the general case.
  entry({
    article: 21,
    clause: 2,
    point: 'a',
    vehicleClasses: TRUCK,
    fineMinVnd: 800 * K,
    fineMaxVnd: 1 * M,
    points: 0,
    title: {
      vi: 'Chở hàng vượt trọng tải cho phép ghi trong giấy chứng nhận kiểm định trên 10% đến 30%',
      en: 'Overloaded by over 10% to 30% of the certified payload',
    },
    measurement: {
      kind: 'overload-percent',
      against: 'inspection-certificate',
      minExclusive: 10,
      maxInclusive: 30,
    },
  }),
  entry({
    article: 21,
    clause: 5,
    point: 'a',
    vehicleClasses: TRUCK,
    fineMinVnd: 3 * M,
    fineMaxVnd: 5 * M,
    points: 2,
    title: {
      vi: 'Chở hàng vượt trọng tải cho phép ghi trong giấy chứng nhận kiểm định trên 30% đến 50%',
      en: 'Overloaded by over 30% to 50% of the certified payload',
    },
    measurement: {
      kind: 'overload-percent',
      against: 'inspection-certificate',
      minExclusive: 30,
      maxInclusive: 50,
    },
  }),
  entry({
    article: 21,
    clause: 6,
    point: 'a',
    vehicleClasses: TRUCK,
    fineMinVnd: 5 * M,
    fineMaxVnd: 7 * M,
    points: 4,
    title: {
      vi: 'Chở hàng vượt trọng tải cho phép ghi trong giấy chứng nhận kiểm định trên 50% đến 100%',
      en: 'Overloaded by over 50% to 100% of the certified payload',
    },
    measurement: {
      kind: 'overload-percent',
      against: 'inspection-certificate',
      minExclusive: 50,
      maxInclusive: 100,
    },
  }),
  entry({
    article: 21,
    clause: 7,
    point: 'a',
    vehicleClasses: TRUCK,
    fineMinVnd: 7 * M,
    fineMaxVnd: 8 * M,
    points: 8,
    title: {
      vi: 'Chở hàng vượt trọng tải cho phép ghi trong giấy chứng nhận kiểm định trên 100% đến 150%',
      en: 'Overloaded by over 100% to 150% of the certified payload',
    },
    measurement: {
      kind: 'overload-percent',
      against: 'inspection-certificate',
      minExclusive: 100,
      maxInclusive: 150,
    },
  }),
  entry({
    article: 21,
    clause: 8,
    point: 'a',
    vehicleClasses: TRUCK,
    fineMinVnd: 8 * M,
    fineMaxVnd: 12 * M,
    points: 10,
    title: {
      vi: 'Chở hàng vượt trọng tải cho phép ghi trong giấy chứng nhận kiểm định trên 150%',
      en: 'Overloaded by over 150% of the certified payload',
    },
    measurement: { kind: 'overload-percent', against: 'inspection-certificate', minExclusive: 150 },
  }),

  // ── Trucks: gross or axle weight vs. the road's limit (Art. 34), without a valid circulation permit ──
  entry({
    article: 34,
    clause: 2,
    point: '',
    vehicleClasses: TRUCK,
    fineMinVnd: 4 * M,
    fineMaxVnd: 6 * M,
    points: 0,
    title: {
      vi: 'Tổng trọng lượng của xe vượt quá tải trọng cho phép của đường bộ trên 10% đến 20%',
      en: "Gross weight over the road's limit by over 10% to 20%",
    },
    measurement: { kind: 'overload-percent', against: 'road-limit', minExclusive: 10, maxInclusive: 20 },
  }),
  entry({
    article: 34,
    clause: 4,
    point: 'a',
    vehicleClasses: TRUCK,
    fineMinVnd: 13 * M,
    fineMaxVnd: 15 * M,
    points: 2,
    title: {
      vi: 'Tổng trọng lượng hoặc tải trọng trục xe vượt quá tải trọng cho phép của đường bộ trên 20% đến 50%',
      en: "Gross or axle weight over the road's limit by over 20% to 50%",
    },
    measurement: { kind: 'overload-percent', against: 'road-limit', minExclusive: 20, maxInclusive: 50 },
  }),
  entry({
    article: 34,
    clause: 5,
    point: 'a',
    vehicleClasses: TRUCK,
    fineMinVnd: 40 * M,
    fineMaxVnd: 50 * M,
    points: 4,
    title: {
      vi: 'Tổng trọng lượng hoặc tải trọng trục xe vượt quá tải trọng cho phép của đường bộ trên 50%',
      en: "Gross or axle weight over the road's limit by over 50%",
    },
    measurement: { kind: 'overload-percent', against: 'road-limit', minExclusive: 50 },
  }),
];
