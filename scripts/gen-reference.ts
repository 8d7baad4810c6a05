/**
 * `node --import tsx scripts/gen-reference.ts [--check]`: turns the reference data shipped in `reference/`
 * (communes-vn-2025.csv, expressways-vn.csv; see reference/README.md) into
 *
 * - src/domain/reference/vn-2025.gen.ts: the same rows as typed constants, which camera registration
 *   validates commune and route codes against (pure data, like the province table);
 * - migrations/1795479600000-reference-vn-2025.ts: the frozen migration that loads the same rows into the
 *   versioned reference tables (`ref_commune`, `ref_expressway_section`) and makes that version current.
 *
 * Both come from the CSVs only, so they cannot disagree. `--check` exits 1 when either file is out of date
 * (test/unit/reference/reference-data.spec.ts runs it). A newer official list is a new CSV, a new version
 * name, a new migration (a new timestamp) and a regenerated domain module; never edit the rows by hand.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PROVINCES } from '../src/domain/provinces/index.ts';

const ROOT = new URL('../', import.meta.url);
export const COMMUNES_CSV = fileURLToPath(new URL('reference/communes-vn-2025.csv', ROOT));
export const EXPRESSWAYS_CSV = fileURLToPath(new URL('reference/expressways-vn.csv', ROOT));
export const DOMAIN_FILE = fileURLToPath(new URL('src/domain/reference/vn-2025.gen.ts', ROOT));
export const MIGRATION_FILE = fileURLToPath(new URL('migrations/1795479600000-reference-vn-2025.ts', ROOT));

export const REFERENCE_VERSION = 'vn-2025-gso-2026.2.3+expressways-2026-03-09';
const REFERENCE_NOTE =
  'Communes: General Statistics Office codes after the 1 July 2025 reorganisation (VietnamProvinces 2026.2.3). ' +
  'Expressways: operating sections compiled from public news and reference pages, as of 9 March 2026; ' +
  "re-check against the Ministry of Construction's official list before production use (reference/README.md).";

/**
 * Routes the sources give no master-plan code for get a project-local code, `L.` + an abbreviation of the
 * name (never a real CT.xx code), so cameras can still name them. `official_code` is false for these.
 */
export const LOCAL_ROUTE_CODES: Record<string, string> = {
  'Đường cao tốc Tuyên Quang – Phú Thọ': 'L.TQ-PT',
  'Đường cao tốc Hòa Lạc – Hòa Bình': 'L.HL-HB',
  'Đại lộ Thăng Long': 'L.THANG-LONG',
  'Đường cao tốc Biên Hòa – Vũng Tàu': 'L.BH-VT',
  'Đường cao tốc Khánh Hòa – Buôn Ma Thuột': 'L.KH-BMT',
  'Đường cao tốc Châu Đốc – Cần Thơ – Sóc Trăng': 'L.CD-CT-ST',
};

const COMMUNE_TYPES = ['phường', 'xã', 'đặc khu'] as const;

/** RFC 4180 CSV (quoted fields, CRLF or LF), first line = header. */
export function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let field = '';
  let row: string[] = [];
  let quoted = false;
  const endField = () => {
    row.push(field);
    field = '';
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') endField();
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endField();
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
    } else field += ch;
  }
  if (field !== '' || row.length > 0) {
    endField();
    rows.push(row);
  }
  const [header, ...body] = rows;
  if (!header) throw new Error('empty CSV');
  return body.map((cells, n) => {
    if (cells.length !== header.length)
      throw new Error(`CSV line ${n + 2}: ${cells.length} cells, header has ${header.length}`);
    return Object.fromEntries(header.map((h, i) => [h.normalize('NFC'), cells[i]!.normalize('NFC').trim()]));
  });
}

export type CommuneTuple = readonly [
  province: string,
  code: string,
  name: string,
  type: (typeof COMMUNE_TYPES)[number],
];

export interface SectionRow {
  routeCode: string;
  officialCode: boolean;
  nameVi: string;
  nameEn: string;
  section: string;
  lengthKm: number | null;
  provinces: string[];
  opened: string;
  technicalOpening: boolean;
}

export function readCommunes(): CommuneTuple[] {
  const out = parseCsv(readFileSync(COMMUNES_CSV, 'utf8')).map((r): CommuneTuple => {
    const type = r.commune_type as CommuneTuple[3];
    if (!COMMUNE_TYPES.includes(type))
      throw new Error(`commune ${r.commune_code}: unknown type ${r.commune_type}`);
    if (!/^\d{2}$/.test(r.province_code!) || !PROVINCES.some((p) => p.code === r.province_code)) {
      throw new Error(`commune ${r.commune_code}: unknown province ${r.province_code}`);
    }
    if (!/^\d{5}$/.test(r.commune_code!)) throw new Error(`commune code ${r.commune_code} is not 5 digits`);
    return [r.province_code!, r.commune_code!, r.commune_name!, type];
  });
  if (new Set(out.map((c) => c[1])).size !== out.length) throw new Error('duplicate commune code');
  return out;
}

export function readSections(): SectionRow[] {
  const byName = new Map(PROVINCES.map((p) => [p.name.normalize('NFC'), p.code] as const));
  return parseCsv(readFileSync(EXPRESSWAYS_CSV, 'utf8')).map((r, n) => {
    const local = LOCAL_ROUTE_CODES[r.name_vi!];
    const routeCode = r.route_code || local;
    if (!routeCode)
      throw new Error(`expressway row ${n + 2} (${r.name_vi}) has no route code and no local code`);
    const provinces = r.provinces_after_2025!.split('|').map((name) => {
      const code = byName.get(name.trim());
      if (!code) throw new Error(`expressway row ${n + 2}: unknown province ${name}`);
      return code;
    });
    const length = r.length_km === '' ? null : Number(r.length_km);
    if (length !== null && !(length > 0))
      throw new Error(`expressway row ${n + 2}: bad length ${r.length_km}`);
    return {
      routeCode,
      officialCode: r.route_code !== '',
      nameVi: r.name_vi!,
      nameEn: r.name_en!,
      section: r.section!,
      lengthKm: length,
      provinces,
      opened: r.opened!,
      technicalOpening: r.opened!.includes('technical opening'),
    };
  });
}

const DOMAIN_HEADER = `/**
 * GENERATED by \`node --import tsx scripts/gen-reference.ts\` from reference/communes-vn-2025.csv and
 * reference/expressways-vn.csv (sources and as-of dates: reference/README.md); do not edit.
 * migrations/1795479600000-reference-vn-2025.ts loads the same rows into the reference tables.
 */
`;

export function domainModule(communes: CommuneTuple[], sections: SectionRow[]): string {
  return `${DOMAIN_HEADER}
export const REFERENCE_VERSION = ${JSON.stringify(REFERENCE_VERSION)};

/** [province code, commune code, name, type], in the list's order. */
export const COMMUNE_ROWS: readonly (readonly [string, string, string, 'phường' | 'xã' | 'đặc khu'])[] = [
${communes.map((c) => `  ${JSON.stringify(c)},`).join('\n')}
];

/** One row per expressway section that opened on its own date; \`provinces\` are codes. */
export const EXPRESSWAY_SECTION_ROWS: readonly {
  routeCode: string;
  officialCode: boolean;
  nameVi: string;
  nameEn: string;
  section: string;
  lengthKm: number | null;
  provinces: readonly string[];
  opened: string;
  technicalOpening: boolean;
}[] = [
${sections.map((s) => `  ${JSON.stringify(s)},`).join('\n')}
];
`;
}

export function migrationModule(communes: CommuneTuple[], sections: SectionRow[]): string {
  const communeLines = communes.map(
    ([province, code, name, type]) => `  ${JSON.stringify({ province, code, name, type })},`,
  );
  const sectionLines = sections.map((s, seq) => `  ${JSON.stringify({ seq: seq + 1, ...s })},`);
  const q = (s: string) => JSON.stringify(s);
  return `/**
 * GENERATED by \`node --import tsx scripts/gen-reference.ts\` from reference/*.csv; frozen once released.
 * The official reference data for camera coverage (reference/README.md): 3,321 commune-level units after
 * the 2025 reorganisation and the operating expressway sections. Adds the version ${REFERENCE_VERSION},
 * not illustrative, and makes it current (the illustrative version stays, no longer current).
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';

const VERSION = ${q(REFERENCE_VERSION)};
const NOTE = ${q(REFERENCE_NOTE)};
const COMMUNES: unknown[] = [
${communeLines.join('\n')}
];
const SECTIONS: unknown[] = [
${sectionLines.join('\n')}
];

const SCHEMA_SQL = \`
CREATE TABLE ref_commune (
  version text NOT NULL REFERENCES ref_coverage_version (version),
  province text NOT NULL,
  commune_code text NOT NULL,
  name text NOT NULL,
  type text NOT NULL CHECK (type IN ('phường', 'xã', 'đặc khu')),
  PRIMARY KEY (version, commune_code)
);
CREATE INDEX ref_commune_province_idx ON ref_commune (version, province, type);
CREATE TABLE ref_expressway_section (
  version text NOT NULL REFERENCES ref_coverage_version (version),
  seq integer NOT NULL,
  route_code text NOT NULL,
  official_code boolean NOT NULL,
  name_vi text NOT NULL,
  name_en text NOT NULL,
  section text NOT NULL,
  length_km numeric(8, 2),
  provinces text[] NOT NULL,
  opened text NOT NULL,
  technical_opening boolean NOT NULL,
  PRIMARY KEY (version, seq)
);
CREATE INDEX ref_expressway_section_route_idx ON ref_expressway_section (version, route_code);
\`;

export class ReferenceVn20251795479600000 implements MigrationInterface {
  name = 'ReferenceVn20251795479600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(SCHEMA_SQL);
    await queryRunner.query(\`UPDATE ref_coverage_version SET current = false WHERE current\`);
    await queryRunner.query(
      \`INSERT INTO ref_coverage_version (version, illustrative, note, current) VALUES ($1, false, $2, true)\`,
      [VERSION, NOTE],
    );
    await queryRunner.query(
      \`INSERT INTO ref_commune (version, province, commune_code, name, type)
       SELECT $1, province, code, name, type FROM jsonb_to_recordset($2::jsonb)
           AS c(province text, code text, name text, type text)\`,
      [VERSION, JSON.stringify(COMMUNES)],
    );
    await queryRunner.query(
      \`INSERT INTO ref_expressway_section (version, seq, route_code, official_code, name_vi, name_en, section,
              length_km, provinces, opened, technical_opening)
       SELECT $1, s.seq, s."routeCode", s."officialCode", s."nameVi", s."nameEn", s.section, s."lengthKm",
              ARRAY(SELECT jsonb_array_elements_text(s.provinces)), s.opened, s."technicalOpening"
         FROM jsonb_to_recordset($2::jsonb) AS s(seq integer, "routeCode" text, "officialCode" boolean,
              "nameVi" text, "nameEn" text, section text, "lengthKm" numeric, provinces jsonb, opened text,
              "technicalOpening" boolean)\`,
      [VERSION, JSON.stringify(SECTIONS)],
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(\`DROP TABLE IF EXISTS ref_expressway_section, ref_commune\`);
    await queryRunner.query(\`DELETE FROM ref_coverage_version WHERE version = $1\`, [VERSION]);
    await queryRunner.query(\`UPDATE ref_coverage_version SET current = true WHERE version = 'illustrative-2026-11'\`);
  }
}
`;
}

export function generated(): { domain: string; migration: string } {
  const communes = readCommunes();
  const sections = readSections();
  return { domain: domainModule(communes, sections), migration: migrationModule(communes, sections) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { domain, migration } = generated();
  const files: [string, string][] = [
    [DOMAIN_FILE, domain],
    [MIGRATION_FILE, migration],
  ];
  if (process.argv.includes('--check')) {
    const stale = files.filter(([file, text]) => {
      try {
        return readFileSync(file, 'utf8') !== text;
      } catch {
        return true;
      }
    });
    for (const [file] of stale)
      console.error(`gen-reference: ${file} is out of date; run node --import tsx scripts/gen-reference.ts`);
    process.exit(stale.length === 0 ? 0 : 1);
  }
  for (const [file, text] of files) writeFileSync(file, text);
  console.log(`gen-reference: wrote ${files.map(([f]) => f).join(', ')}`);
}
