/**
 * A map of Viet Nam for the coverage dashboard that works offline: no tile server, nothing fetched from
 * outside. The country outline is Natural Earth's 1:50m data shipped in the `world-atlas` package; the 34
 * provinces after the 2025 merger are Natural Earth's 1:10m pre-merger provinces (vendored in
 * `web/src/data/`, see its README) merged per Resolution 202/2025/QH15 (./province-shapes.ts). Both are
 * TopoJSON turned into GeoJSON by `topojson-client`, loaded as a chunk of this application only when the map
 * is shown, and drawn as SVG paths with a `d3-geo` Mercator projection.
 *
 * What it shows:
 * - coverage by province as a choropleth: each province filled by ward coverage against its target (meets it /
 *   partly covered / no ward covered); provinces outside the caller's scope are drawn blank;
 * - violation density: a circle at each province's seat (`PROVINCE_SEATS`, approximate), sized by the
 *   violations detected in the chosen period;
 * - every camera of the scope at its registered position, coloured by status (active, suspended, decommissioned);
 * - Hoàng Sa and Trường Sa, labelled: Natural Earth leaves both archipelagos out.
 *
 * Every mark has a <title> with its figures, and the figures are also in the coverage table beside it.
 */
import { useEffect, useState } from 'preact/hooks';
import { geoMercator, geoPath, type GeoPermissibleObjects } from 'd3-geo';
import type { Feature, FeatureCollection, Geometry, MultiPolygon } from 'geojson';
import type { GeometryCollection, Topology } from 'topojson-specification';
import { PROVINCES } from '../../../src/domain/provinces/index.ts';
import { html } from '../lib/html.ts';
import { langStore, type Lang } from '../lib/i18n.ts';
import { useStore } from '../lib/store.ts';
import type { GetResponse } from '../lib/api.ts';
import { mergedProvinceShapes, PROVINCE_SEATS } from './province-shapes.ts';

export { PROVINCE_SEATS };

type Coverage = GetResponse<'/v1/statistics/cameras'>['data'];

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
    size: 'Vòng tròn tại trụ sở tỉnh: kích thước theo số vi phạm phát hiện trong kỳ',
    sizeAllTime: 'Vòng tròn tại trụ sở tỉnh: kích thước theo số vi phạm phát hiện trong nhật ký các tỉnh đã sao về trung ương, từ trước đến nay',
    seats: 'Ranh giới 34 tỉnh: 63 tỉnh trước sáp nhập (Natural Earth, tỷ lệ 1:10 triệu, đã giản lược) gộp theo Nghị quyết 202/2025/QH15.',
    density: 'Mật độ vi phạm',
    outside: 'Ngoài phạm vi xem',
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
    size: 'Circles at each province seat, sized by the violations detected in the period',
    sizeAllTime: 'Circles at each province seat, sized by the violations detected in the provincial logs mirrored nationally, all time',
    seats: 'Boundaries of the 34 provinces: the 63 provinces before the merger (Natural Earth, 1:10m, generalised) merged per Resolution 202/2025/QH15.',
    density: 'Violation density',
    outside: 'Outside your scope',
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

type Outline = { vietnam: Feature<Geometry>; neighbours: Feature<Geometry>[]; provinces: Map<string, MultiPolygon> };

let outlineOnce: Promise<Outline> | undefined;

/** Loads the outline and province chunk once per page (the JSON ships in the application's own assets). */
function loadOutline(): Promise<Outline> {
  outlineOnce ??= Promise.all([import('world-atlas/countries-50m.json'), import('../data/vn-provinces-63.topo.json'), import('topojson-client')]).then(([atlas, provinces63, topo]) => {
    const topology = (atlas.default ?? atlas) as unknown as Topology<{ countries: GeometryCollection }>;
    const countries = topo.feature(topology, topology.objects.countries) as FeatureCollection;
    const vietnam = countries.features.find((f) => String(f.id) === VIET_NAM);
    if (!vietnam) throw new Error('world-atlas has no Viet Nam');
    const provinces = mergedProvinceShapes((provinces63.default ?? provinces63) as unknown as Parameters<typeof mergedProvinceShapes>[0], topo.merge);
    return { vietnam, neighbours: countries.features.filter((f) => NEIGHBOURS.includes(String(f.id))), provinces };
  });
  return outlineOnce;
}

const DENSITY_COLOUR = '#1e3a8a';

function provinceFill(p: Coverage['provinces'][number]): { colour: string; key: 'meets' | 'partial' | 'none' } {
  if (p.centralCommunes.meetsTarget === true) return { colour: '#15803d', key: 'meets' };
  if (p.centralCommunes.covered > 0 || p.expressway.covered > 0) return { colour: '#d97706', key: 'partial' };
  return { colour: '#b91c1c', key: 'none' };
}

/**
 * `densityAllTime`: the circles are sized by every detection of the province so far (the national node's
 * mirrored logs, whose statistics have no period), and the legend says so.
 */
export function CoverageMap({ coverage, detections, densityAllTime = false }: { coverage: Coverage | undefined; detections: [string, number][]; densityAllTime?: boolean }) {
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
  const byProvince = new Map(provinces.map((p) => [p.province, p] as const));
  const provinceLabel = (code: string) => PROVINCES.find((p) => p.code === code)?.name ?? code;
  const label = (p: Coverage['provinces'][number]) => {
    const cc = p.centralCommunes;
    return `${p.name}: ${tx.wards} ${cc.covered}/${cc.total} (${cc.percent ?? 0}%, ${tx.target} ${cc.targetPercent}%); ${tx.routes} ${p.expressway.covered}/${p.expressway.routes}; ${tx.violations} ${detectionsOf.get(p.province) ?? 0}`;
  };
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
      ${outline
        ? html`<g data-testid="map-provinces">
            ${[...outline.provinces].map(([code, shape]) => {
              const p = byProvince.get(code);
              if (!p) return html`<path data-testid="map-province-outside" data-province=${code} d=${path(shape) ?? ''} fill="#f8fafc" stroke="#94a3b8" stroke-width="0.5"><title>${provinceLabel(code)}: ${tx.outside}</title></path>`;
              const fill = provinceFill(p);
              return html`<path data-testid="map-province" data-province=${code} data-coverage=${fill.key} d=${path(shape) ?? ''} fill=${fill.colour} fill-opacity="0.55" stroke="#ffffff" stroke-width="0.7"><title>${label(p)}</title></path>`;
            })}
          </g>`
        : null}
      ${provinces.map((p) => {
        const seat = PROVINCE_SEATS[p.province];
        if (!seat) return null;
        const [x, y] = xy(seat[0], seat[1]);
        return html`<circle data-testid="map-density" data-province=${p.province} data-violations=${detectionsOf.get(p.province) ?? 0} cx=${x} cy=${y} r=${radius(p.province)} fill=${DENSITY_COLOUR} fill-opacity="0.2" stroke=${DENSITY_COLOUR} stroke-width="1.2"><title>${label(p)}</title></circle>`;
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
      ).map(([k, colour]) => html`<span class="legend"><span class="swatch" style=${`background:${colour};opacity:0.7`}></span>${tx[k]}</span> `)}
      <span class="legend"><span class="swatch" style="background:#f8fafc;border:1px solid #94a3b8"></span>${tx.outside}</span>
      <br /><span class="legend"><span class="swatch" style=${`background:${DENSITY_COLOUR};opacity:0.35;border-radius:50%`}></span>${tx.density}</span>
      <br /><small>${densityAllTime ? tx.sizeAllTime : tx.size}. ${tx.seats}</small>
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
