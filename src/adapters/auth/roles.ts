/** Who may call the API. Tokens carry exactly one role and a province ("00" for national staff). */
export const ROLES = ['device', 'officer', 'supervisor', 'auditor', 'court', 'analyst', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  /** Token subject: officer id, camera id, auditor id, … */
  subject: string;
  role: Role;
  /** Two-digit province code; "00" = national scope. */
  province: string;
  tokenId: string | undefined;
}

export const NATIONAL_SCOPE = '00';

export function seesProvince(principal: Principal, province: string): boolean {
  return principal.province === NATIONAL_SCOPE || principal.province === province;
}
