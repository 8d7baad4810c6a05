/**
 * A map of Viet Nam for the coverage dashboard that works offline: no tile server, nothing fetched from
 * outside. The country outline is Natural Earth's 1:50m data shipped in the `world-atlas` package (TopoJSON,
 * turned into GeoJSON by `topojson-client`, loaded as a chunk of this application only when the map is
 * shown), drawn as SVG paths with a `d3-geo` Mercator projection.
 *
 * What it shows:
 * - every camera of the scope at its registered position, coloured by status (active, suspended, decommissioned);
 * - coverage by province: no province boundaries after the 2025 merger ship in any package here, so each
 *   province is a marker at its administrative seat (`PROVINCE_SEATS`, approximate), coloured by ward
 *   coverage against its target, sized by the violations detected in the chosen period (violation density);
 * - Hoàng Sa and Trường Sa, labelled: Natural Earth's outline leaves both archipelagos out.
 *
 * Every mark has a <title> with its figures, and the figures are also in the coverage table beside it.
 */
import { useEffect, useState } from 'preact/hooks';
import { geoMercator, geoPath, type GeoPermissibleObjects } from 'd3-geo';
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import type { GeometryCollection, Topology } from 'topojson-specification';
import { html } from '../lib/html.ts';
import { langStore, type Lang } from '../lib/i18n.ts';
import { useStore } from '../lib/store.ts';
import type { GetResponse } from '../lib/api.ts';

type Coverage = GetResponse<'/v1/statistics/cameras'>['data'];

/** Approximate [longitude, latitude] of each province's administrative seat after the 1 July 2025 merger. */
export const PROVINCE_SEATS: Record<string, readonly [number, number]> = {
  '01': [105.854, 21.028], // Hà Nội
  '04': [106.258, 22.666], // Cao Bằng
  '08': [105.214, 21.823], // Tuyên Quang
  '11': [103.023, 21.386], // Điện Biên Phủ
  '12': [103.458, 22.396], // Lai Châu
  '14': [103.914, 21.327], // Sơn La
  '15': [104.87, 21.7], // Lào Cai (seat at Yên Bái)
  '19': [105.848, 21.594], // Thái Nguyên
  '20': [106.761, 21.853], // Lạng Sơn
  '22': [107.08, 20.951], // Hạ Long
  '24': [106.194, 21.273], // Bắc Ninh (seat at Bắc Giang)
  '25': [105.402, 21.322], // Việt Trì
  '31': [106.688, 20.845], // Hải Phòng
  '33': [106.051, 20.646], // Hưng Yên
  '37': [105.975, 20.25], // Ninh Bình
  '38': [105.776, 19.807], // Thanh Hóa
  '40': [105.681, 18.679], // Vinh
  '42': [105.906, 18.343], // Hà Tĩnh
  '44': [106.622, 17.468], // Quảng Trị (seat at Đồng Hới)
  '46': [107.59, 16.463], // Huế
  '48': [108.202, 16.054], // Đà Nẵng
  '51': [108.792, 15.12], // Quảng Ngãi
  '52': [109.219, 13.782], // Gia Lai (seat at Quy Nhơn)
  '56': [109.197, 12.238], // Nha Trang
  '66': [108.038, 12.667], // Buôn Ma Thuột
  '68': [108.458, 11.94], // Đà Lạt
  '75': [106.843, 10.957], // Đồng Nai (Biên Hòa)
  '79': [106.7, 10.776], // TP. Hồ Chí Minh
  '80': [106.413, 10.535], // Tây Ninh (seat at Tân An)
  '82': [106.36, 10.36], // Đồng Tháp (seat at Mỹ Tho)
  '86': [105.972, 10.254], // Vĩnh Long
  '91': [105.081, 10.012], // An Giang (seat at Rạch Giá)
  '92': [105.746, 10.045], // Cần Thơ
  '96': [105.15, 9.176], // Cà Mau
};

const ARCHIPELAGOS = [
  { key: 'paracel', at: [112.0, 16.5] as const },
  { key: 'spratly', at: [114.3, 10.0] as const },
];

/** ISO 3166-1 numeric ids in world-atlas: Viet Nam and the neighbours drawn for context. */
const VIET_NAM = '704';
const NEIGHBOURS = ['156', '418', '116', '764'];

const WIDTH = 480;
const HEIGHT = 560;
/** Mercator fitted to a fixed frame (mainland and both archipelagos), so marks can be drawn before the outline loads. */
const FRAME: GeoPermissibleObjects = {
  type: 'MultiPoint',
  coordinates: [
    [102.1, 23.4],
    [117.0, 8.3],
  ],
};

const STATUS_COLOUR: Record<string, string> = { active: '#15803d', suspended: '#b45309', decommissioned: '#64748b' };

const TEXT = {
  vi: {
    title: 'Bản đồ camera và độ phủ',
    loading: 'Đang tải đường biên…',
    outlineFailed: 'Không tải được đường biên; vẫn hiển thị các điểm.',
    active: 'Camera đang hoạt động',
    suspended: 'Camera tạm dừng',
    decommissioned: 'Camera đã ngừng sử dụng',
    meets: 'Tỉnh đạt mục tiêu phường',
    partial: 'Tỉnh có phủ, chưa đạt',
    none: 'Tỉnh chưa có phường được phủ',
    size: 'Kích thước vòng tròn: số vi phạm phát hiện trong kỳ',
    seats: 'Vòng tròn đặt tại trụ sở tỉnh (không có ranh giới tỉnh ngoại tuyến).',
    wards: 'phường',
    routes: 'tuyến cao tốc',
    violations: 'vi phạm',
    target: 'mục tiêu',
    paracel: 'QĐ. Hoàng Sa',
    spratly: 'QĐ. Trường Sa',
    status: 'trạng thái',
    statusActive: 'đang hoạt động',
    statusSuspended: 'tạm dừng',
    statusDecommissioned: 'ngừng sử dụng',
  },
  en: {
    title: 'Map of cameras and coverage',
    loading: 'Loading the outline…',
    outlineFailed: 'The outline could not be loaded; the marks are still shown.',
    active: 'Active camera',
    suspended: 'Suspended camera',
    decommissioned: 'Decommissioned camera',
    meets: 'Province meets its ward target',
    partial: 'Province partly covered',
    none: 'Province with no ward covered',
    size: 'Circle size: violations detected in the period',
    seats: 'Circles stand at each province seat (no province boundaries offline).',
    wards: 'wards',
    routes: 'expressway routes',
    violations: 'violations',
    target: 'target',
    paracel: 'Hoàng Sa (Paracel) Is.',
    spratly: 'Trường Sa (Spratly) Is.',
    status: 'status',
    statusActive: 'active',
    statusSuspended: 'suspended',
    statusDecommissioned: 'decommissioned',
  },
} as const satisfies Record<Lang, Record<string, string>>;

type Outline = { vietnam: Feature<Geometry>; neighbours: Feature<Geometry>[] };

let outlineOnce: Promise<Outline> | undefined;

/** Loads the outline chunk once per page (the JSON ships in the application's own assets). */
function loadOutline(): Promise<Outline> {
  outlineOnce ??= Promise.all([import('world-atlas/countries-50m.json'), import('topojson-client')]).then(([atlas, topo]) => {
    const topology = (atlas.default ?? atlas) as unknown as Topology<{ countries: GeometryCollection }>;
    const countries = topo.feature(topology, topology.objects.countries) as FeatureCollection;
    const vietnam = countries.features.find((f) => String(f.id) === VIET_NAM);
    if (!vietnam) throw new Error('world-atlas has no Viet Nam');
    return { vietnam, neighbours: countries.features.filter((f) => NEIGHBOURS.includes(String(f.id))) };
  });
  return outlineOnce;
}

function provinceFill(p: Coverage['provinces'][number]): { colour: string; key: 'meets' | 'partial' | 'none' } {
  if (p.centralCommunes.meetsTarget === true) return { colour: '#15803d', key: 'meets' };
  if (p.centralCommunes.covered > 0 || p.expressway.covered > 0) return { colour: '#d97706', key: 'partial' };
  return { colour: '#b91c1c', key: 'none' };
}

export function CoverageMap({ coverage, detections }: { coverage: Coverage | undefined; detections: [string, number][] }) {
  const lang = useStore(langStore);
  const tx = TEXT[lang];
  const [outline, setOutline] = useState<Outline | undefined>();
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    loadOutline().then(setOutline, () => setFailed(true));
  }, []);

  const projection = geoMercator().fitExtent(
    [
      [12, 12],
      [WIDTH - 12, HEIGHT - 12],
    ],
    FRAME,
  );
  const path = geoPath(projection);
  const xy = (lon: number, lat: number) => projection([lon, lat]) ?? [0, 0];
  const detectionsOf = new Map(detections);
  const maxDetections = Math.max(1, ...detections.map(([, v]) => v));
  const radius = (province: string) => 5 + 13 * Math.sqrt((detectionsOf.get(province) ?? 0) / maxDetections);
  const provinces = coverage?.provinces ?? [];
  const positions = coverage?.positions ?? [];
  const statusLabel = (s: string) =>
    s === 'active' ? tx.statusActive : s === 'suspended' ? tx.statusSuspended : s === 'decommissioned' ? tx.statusDecommissioned : s;

  return html`<figure class="chart coverage-map" data-testid="coverage-map" data-outline=${outline ? 'loaded' : failed ? 'failed' : 'loading'}>
    <svg viewBox=${`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label=${tx.title} style="max-height:640px;max-width:560px;display:block;margin:0 auto;background:#eff6ff">
      <title>${tx.title}</title>
      ${outline
        ? html`<g data-testid="map-outline">
            ${outline.neighbours.map((f) => html`<path d=${path(f) ?? ''} fill="#e5e7eb" stroke="#cbd5e1" stroke-width="0.6" />`)}
            <path d=${path(outline.vietnam) ?? ''} fill="#fefce8" stroke="#334155" stroke-width="1" data-testid="map-vietnam" />
          </g>`
        : null}
      ${ARCHIPELAGOS.map(({ key, at }) => {
        const [x, y] = xy(at[0], at[1]);
        return html`<g data-testid="map-archipelago">
          <circle cx=${x} cy=${y} r="2.5" fill="#334155" /><circle cx=${x + 6} cy=${y + 4} r="1.8" fill="#334155" /><circle cx=${x - 5} cy=${y + 6} r="1.5" fill="#334155" />
          <text x=${x} y=${y - 7} text-anchor="middle" font-size="11" fill="#1e293b">${tx[key as 'paracel' | 'spratly']}</text>
        </g>`;
      })}
      ${provinces.map((p) => {
        const seat = PROVINCE_SEATS[p.province];
        if (!seat) return null;
        const [x, y] = xy(seat[0], seat[1]);
        const fill = provinceFill(p);
        const cc = p.centralCommunes;
        const label = `${p.name}: ${tx.wards} ${cc.covered}/${cc.total} (${cc.percent ?? 0}%, ${tx.target} ${cc.targetPercent}%); ${tx.routes} ${p.expressway.covered}/${p.expressway.routes}; ${tx.violations} ${detectionsOf.get(p.province) ?? 0}`;
        return html`<circle data-testid="map-province" data-province=${p.province} data-coverage=${fill.key} cx=${x} cy=${y} r=${radius(p.province)} fill=${fill.colour} fill-opacity="0.35" stroke=${fill.colour} stroke-width="1.5"><title>${label}</title></circle>`;
      })}
      ${positions.map((c) => {
        const [x, y] = xy(c.lonMicro / 1e6, c.latMicro / 1e6);
        const colour = STATUS_COLOUR[c.status] ?? '#64748b';
        return html`<rect data-testid="map-camera" data-status=${c.status} data-camera=${c.cameraId} x=${x - 3.5} y=${y - 3.5} width="7" height="7" fill=${colour} stroke="#ffffff" stroke-width="1" transform=${`rotate(45 ${x} ${y})`}><title>${c.cameraId} · ${tx.status}: ${statusLabel(c.status)}${c.routeCode ? ` · ${c.routeCode}` : ''}</title></rect>`;
      })}
    </svg>
    <figcaption>
      <strong>${tx.title}</strong>
      ${outline ? null : html` <span>${failed ? tx.outlineFailed : tx.loading}</span>`}
      <br />
      ${(['active', 'suspended', 'decommissioned'] as const).map(
        (s) => html`<span class="legend"><span class="swatch" style=${`background:${STATUS_COLOUR[s]}`}></span>${tx[s]}</span> `,
      )}
      <br />
      ${(
        [
          ['meets', '#15803d'],
          ['partial', '#d97706'],
          ['none', '#b91c1c'],
        ] as const
      ).map(([k, colour]) => html`<span class="legend"><span class="swatch" style=${`background:${colour}`}></span>${tx[k]}</span> `)}
      <br /><small>${tx.size}. ${tx.seats}</small>
    </figcaption>
  </figure>`;
}

const SUMMARY = {
  vi: {
    reading: 'Cách hiểu mục tiêu',
    technical: 'Thông xe kỹ thuật',
    reference: 'Dữ liệu tham chiếu',
    national: 'Toàn quốc',
    routes: 'tuyến cao tốc đang khai thác có camera',
    wards: 'phường có camera',
    provincesMeeting: 'tỉnh đạt mục tiêu phường',
  },
  en: {
    reading: 'Reading of the target',
    technical: 'Technical openings',
    reference: 'Reference data',
    national: 'Nationally',
    routes: 'operating expressway routes with a camera',
    wards: 'wards with a camera',
    provincesMeeting: 'provinces meeting the ward target',
  },
} as const satisfies Record<Lang, Record<string, string>>;

/** The reading of "central communes" and technical openings the report used, and the national figures. */
export function CoverageSummary({ coverage }: { coverage: Coverage | undefined }) {
  const lang = useStore(langStore);
  const tx = SUMMARY[lang];
  if (!coverage) return null;
  const r = coverage.reading;
  const n = coverage.national;
  return html`<div data-testid="coverage-reading">
    <p><strong>${tx.reading}:</strong> ${lang === 'en' ? r.statementEn : r.statement}</p>
    <p><strong>${tx.technical}:</strong> ${lang === 'en' ? r.technicalOpeningsEn : r.technicalOpenings}</p>
    ${n
      ? html`<p data-testid="coverage-national">
          <strong>${tx.national}:</strong> ${n.expressway.covered}/${n.expressway.routes} ${tx.routes} · ${n.centralCommunes.covered}/${n.centralCommunes.total}
          ${tx.wards} · ${n.centralCommunes.provincesMeetingTarget}/${coverage.provinces.length} ${tx.provincesMeeting}
        </p>`
      : null}
    <p><small>${tx.reference}: <code>${coverage.referenceVersion ?? '—'}</code></small></p>
  </div>`;
}
