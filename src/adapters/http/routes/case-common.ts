/**
 * What the case route groups share: who may read, write and export cases, and the correlation id of a request.
 */
import type { Request } from 'express';
import type { Role } from '../../auth/roles.ts';

/** Who may read cases (and download evidence): never devices, analysts or admins. */
export const CASE_READERS: readonly Role[] = ['officer', 'supervisor', 'auditor', 'court'];
/** Who may write to cases: officers and supervisors (the domain checks each officer's roles and authority). */
export const CASE_WRITERS: readonly Role[] = ['officer', 'supervisor'];
/** Who may export a court bundle. */
export const BUNDLE_READERS: readonly Role[] = ['court', 'auditor', 'officer', 'supervisor'];

/** The request id as the records' correlation id, when there is one. */
export function correlation(req: Request): { correlationId?: string } {
  const id = (req as { id?: string }).id;
  return id !== undefined ? { correlationId: id } : {};
}
