/**
 * Plate colours (background and characters) as the plate rules list them: Circular 79/2024/TT-BCA Art. 37
 * (vehicle registration; its plate-colour clauses carry over those of Circular 58/2020/TT-BCA Art. 37) and
 * Law 36/2024/QH15 Art. 36 (red plates are the army's, issued by the Ministry of National Defence). The
 * official text of Circular 79/2024 was not readable here: the list was checked against reproductions of
 * the clauses (docs/legal-procedure.md, "Unverified"). Normative for `detection/v2` (integrity.md §4): a value
 * is added, never renamed.
 *
 * - `white`: white background, black characters; individuals, enterprises, other domestic owners.
 * - `yellow`: yellow background, black characters; vehicles in commercial transport (kinh doanh vận tải).
 * - `blue`: blue background, white characters; Party and State bodies, public service units, the police ("CD").
 * - `red`: red background, white characters; army vehicles (not issued by the police, but seen on the road).
 * - `yellow-red`: yellow background, red characters; vehicles of special economic-commercial and border-gate
 *   economic zones.
 * - `white-red`: white background, black numbers, a red series (`NG` diplomatic, `QT` international
 *   organisations).
 */
export const PLATE_COLOURS = ['white', 'yellow', 'blue', 'red', 'yellow-red', 'white-red'] as const;
export type PlateColour = (typeof PLATE_COLOURS)[number];

export function isPlateColour(value: unknown): value is PlateColour {
  return typeof value === 'string' && (PLATE_COLOURS as readonly string[]).includes(value);
}
