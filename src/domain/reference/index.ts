/**
 * The reference data camera registration and coverage rest on (reference/README.md): Viet Nam's 3,321
 * commune-level units after the 1 July 2025 reorganisation with their official codes, and the expressway
 * sections open to traffic. Pure, immutable data generated from the CSVs in `reference/`
 * (scripts/gen-reference.ts); the migration of the same version loads the same rows into the reference
 * tables the coverage report reads.
 *
 * Also the ONE setting that says how the coverage target's "central commune-level units" and "large
 * cities" are read (`CENTRAL_COMMUNE_READING`): change it there, and the report states what it uses.
 */
import { COMMUNE_ROWS, EXPRESSWAY_SECTION_ROWS, REFERENCE_VERSION } from './vn-2025.gen.ts';

export { REFERENCE_VERSION };

export type CommuneType = 'phường' | 'xã' | 'đặc khu';

export interface Commune {
  /** 5-digit official code (General Statistics Office), e.g. "00004". */
  code: string;
  /** 2-digit province code after the 2025 merger. */
  province: string;
  name: string;
  type: CommuneType;
}

export interface ExpresswaySection {
  /** Master-plan code (CT.xx), or a project-local `L.…` code where the sources give none. */
  routeCode: string;
  officialCode: boolean;
  nameVi: string;
  nameEn: string;
  /** Empty where the whole route opened at once. */
  section: string;
  lengthKm: number | null;
  provinces: readonly string[];
  opened: string;
  /** Only a technical opening (thông xe kỹ thuật): no source confirms public traffic by the as-of date. */
  technicalOpening: boolean;
}

export interface ExpresswayRoute {
  code: string;
  officialCode: boolean;
  nameVi: string;
  nameEn: string;
  /** Every province any listed section passes through (technical openings included). */
  provinces: readonly string[];
  /** The provinces where a section is open to public traffic. */
  publicProvinces: readonly string[];
  sections: readonly ExpresswaySection[];
}

const communes = new Map<string, Commune>(
  COMMUNE_ROWS.map(([province, code, name, type]) => [code, Object.freeze({ code, province, name, type })]),
);

export const EXPRESSWAY_SECTIONS: readonly ExpresswaySection[] = Object.freeze(
  EXPRESSWAY_SECTION_ROWS.map((s) => Object.freeze({ ...s })),
);

const routes = new Map<string, ExpresswayRoute>();
for (const s of EXPRESSWAY_SECTIONS) {
  const route = routes.get(s.routeCode) ?? {
    code: s.routeCode,
    officialCode: s.officialCode,
    nameVi: s.nameVi,
    nameEn: s.nameEn,
    provinces: [],
    publicProvinces: [],
    sections: [],
  };
  const add = (list: readonly string[], more: readonly string[]) => [...new Set([...list, ...more])];
  routes.set(s.routeCode, {
    ...route,
    provinces: add(route.provinces, s.provinces),
    publicProvinces: s.technicalOpening ? route.publicProvinces : add(route.publicProvinces, s.provinces),
    sections: [...route.sections, s],
  });
}

/** The commune-level unit with this official code, or undefined. */
export function communeByCode(code: string): Commune | undefined {
  return communes.get(code);
}

/** The expressway route with this code (CT.xx or a local `L.…` code), or undefined. */
export function expresswayRoute(code: string): ExpresswayRoute | undefined {
  return routes.get(code);
}

export function expresswayRoutes(): ExpresswayRoute[] {
  return [...routes.values()];
}

export function communeCount(): number {
  return communes.size;
}

/**
 * How the Decision's camera target is read (reference/README.md): "central commune-level units" are the
 * communes of `centralTypes` (the wards, phường); "large cities" are the centrally-run cities in
 * `largeCities`; targets are percentages of those central communes with at least one active camera.
 * Change it here, in one place, if the Ministry defines "central" otherwise; the coverage report states it.
 */
export const CENTRAL_COMMUNE_READING = Object.freeze({
  centralTypes: Object.freeze(['phường']) as readonly CommuneType[],
  largeCities: Object.freeze(['01', '31', '46', '48', '79', '92']) as readonly string[],
  largeCityTargetPercent: 50,
  otherTargetPercent: 30,
  statement:
    'Xã/phường trung tâm = các phường; thành phố lớn = 6 thành phố trực thuộc trung ương (01, 31, 46, 48, 79, 92): mục tiêu ≥ 50% số phường, các tỉnh khác ≥ 30%.',
  statementEn:
    'Central commune-level units = the wards (phường); large cities = the 6 centrally-run cities (01, 31, 46, 48, 79, 92): target ≥ 50% of wards, other provinces ≥ 30%.',
});

/** How the coverage report counts sections with only a technical opening (thông xe kỹ thuật). */
export const TECHNICAL_OPENINGS_READING = Object.freeze({
  vi: 'Tuyến cao tốc đang khai thác = có ít nhất một đoạn thông xe cho giao thông công cộng trong tỉnh; đoạn chỉ thông xe kỹ thuật không được tính vào mẫu số (liệt kê riêng).',
  en: 'Operating expressway route = at least one section open to public traffic in the province; sections with only a technical opening are not counted in the denominator (listed separately).',
});
