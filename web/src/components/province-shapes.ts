/**
 * The 34 provinces after the 1 July 2025 merger, as shapes: Natural Earth's 63 pre-merger provinces (shipped in
 * `web/src/data/vn-provinces-63.topo.json`, see its README) merged with topojson-client's `merge` following
 * Resolution 202/2025/QH15. The resolution merged whole provinces, so each union is exact at the source's
 * resolution (1:10m, generalised).
 *
 * The source's geometries are matched by the name the file gives them, verbatim (three carry a region's name,
 * some lack diacritics); the unnamed geometry of coastal islets belongs to no province and is left out.
 */
import type { MultiPolygon } from 'geojson';
import type { GeometryCollection, MultiPolygon as TopoMultiPolygon, Polygon as TopoPolygon, Topology } from 'topojson-specification';

type Shape = TopoPolygon | TopoMultiPolygon;

/** New province code → the pre-merger provinces it joined, by the name each has in the source file. */
export const MERGED_PROVINCES: Record<string, readonly string[]> = {
  '01': ['Ha Noi'],
  '04': ['Cao Bằng'],
  '08': ['Tuyên Quang', 'Hà Giang'],
  '11': ['Điện Biên'],
  '12': ['Lai Chau'],
  '14': ['Son La'],
  '15': ['Lào Cai', 'Yên Bái'],
  '19': ['Thái Nguyên', 'Đông Bắc' /* Bắc Kạn */],
  '20': ['Lạng Sơn'],
  '22': ['Quảng Ninh'],
  '24': ['Bắc Ninh', 'Bắc Giang'],
  '25': ['Phú Thọ', 'Vĩnh Phúc', 'Hòa Bình'],
  '31': ['Hải Phòng', 'Hải Dương'],
  '33': ['Đồng Bằng Sông Hồng' /* Hưng Yên */, 'Thái Bình'],
  '37': ['Ninh Bình', 'Hà Nam', 'Nam Định'],
  '38': ['Thanh Hóa'],
  '40': ['Nghệ An'],
  '42': ['Ha Tinh'],
  '44': ['Quảng Trị', 'Quảng Bình'],
  '46': ['Thừa Thiên - Huế'],
  '48': ['Đà Nẵng', 'Quàng Nam' /* Quảng Nam */],
  '51': ['Quảng Ngãi', 'Kon Tum'],
  '52': ['Gia Lai', 'Bình Định'],
  '56': ['Khánh Hòa', 'Ninh Thuận'],
  '66': ['Dak Lak', 'Phú Yên'],
  '68': ['Lâm Đồng', 'Đắk Nông', 'Bình Thuận'],
  '75': ['Đông Nam Bộ' /* Đồng Nai */, 'Bình Phước'],
  '79': ['Hồ Chí Minh city', 'Bình Dương', 'Bà Rịa - Vũng Tàu'],
  '80': ['Tây Ninh', 'Long An'],
  '82': ['Ð?ng Tháp' /* Đồng Tháp */, 'Tiền Giang'],
  '86': ['Vĩnh Long', 'Bến Tre', 'Trà Vinh'],
  '91': ['An Giang', 'Kiên Giang'],
  '92': ['Can Tho', 'Sóc Trăng', 'Hau Giang'],
  '96': ['Cà Mau', 'Bạc Liêu'],
};

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

type Provinces63 = Topology<{ vnm: GeometryCollection }>;
type Merge = (topology: Topology, objects: Shape[]) => MultiPolygon;

/**
 * Each new province's shape. Throws when a name of the mapping is missing from the source or a named source
 * province is left unmapped: a silently missing province would draw as a hole in the country.
 */
export function mergedProvinceShapes(topology: Provinces63, merge: Merge): Map<string, MultiPolygon> {
  const byName = new Map<string, Shape>();
  for (const g of topology.objects.vnm.geometries) {
    const name = (g.properties as { name?: unknown } | undefined)?.name;
    if (typeof name === 'string' && (g.type === 'Polygon' || g.type === 'MultiPolygon')) byName.set(name, g);
  }
  const used = new Set<string>();
  const shapes = new Map<string, MultiPolygon>();
  for (const [code, names] of Object.entries(MERGED_PROVINCES)) {
    const parts = names.map((n) => {
      const g = byName.get(n);
      if (!g) throw new Error(`The province map has no "${n}" (for ${code})`);
      used.add(n);
      return g;
    });
    shapes.set(code, merge(topology, parts));
  }
  const unmapped = [...byName.keys()].filter((n) => !used.has(n));
  if (unmapped.length > 0) throw new Error(`Provinces of the map not assigned to a 2025 province: ${unmapped.join(', ')}`);
  return shapes;
}
