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
import type { GeometryCollection, GeometryObject, Topology } from 'topojson-specification';

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

type Provinces63 = Topology<{ vnm: GeometryCollection<{ name: string | null }> }>;
type Merge = (topology: Topology, objects: GeometryObject[]) => MultiPolygon;

/**
 * Each new province's shape. Throws when a name of the mapping is missing from the source or a named source
 * province is left unmapped: a silently missing province would draw as a hole in the country.
 */
export function mergedProvinceShapes(topology: Provinces63, merge: Merge): Map<string, MultiPolygon> {
  const byName = new Map<string, GeometryObject>();
  for (const g of topology.objects.vnm.geometries) {
    const name = g.properties?.name;
    if (name) byName.set(name, g);
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
