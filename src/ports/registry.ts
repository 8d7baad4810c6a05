/**
 * The vehicle registry port: who owns the vehicle with this plate. In production this is the national
 * vehicle registration database (Traffic Police, C08) and the National Population Database; neither can
 * exist here, so `HttpVehicleRegistry` speaks a small HTTP contract and `startStandInRegistry` serves it
 * with seeded synthetic people (src/adapters/registry/stand-in.ts).
 *
 * Personal data (names, addresses, contacts) stays behind this port: records hold only the owner's opaque
 * `ref` and kind; the notice worker asks `ownerContact` at the moment it sends, and never logs the answer.
 */
import { AppError } from '../domain/shared/errors.ts';

export type OwnerKind = 'individual' | 'organisation';

export interface OwnerContact {
  /** Opaque registry reference, e.g. `own-0001`; the only owner datum that enters records. */
  ref: string;
  kind: OwnerKind;
  name: string;
  address: string;
  email?: string;
  /** E.164, e.g. +84912345678. */
  phone?: string;
  /**
   * The two-digit code of the province where the owner resides (the registration's address), when the
   * registry says. A case of another province is then transferred there instead of noticed (Circular
   * 73/2024 Art. 24): the notice worker holds it for an officer's signed transfer.
   */
  residenceProvince?: string;
}

export interface RegisteredVehicle {
  /** Compact plate key (letters and digits), e.g. `30A12345`. */
  plate: string;
  /** Registration certificate number (giấy đăng ký xe), needed by the citizen lookup. */
  registrationNumber: string;
  vehicleClass: string;
  owner: OwnerContact;
}

export interface VehicleRegistry {
  /** Short registry name recorded in `OwnerIdentified.registry`. */
  readonly name: string;
  /** The vehicle registered under this plate (compact key or display form), or undefined when none is. */
  lookupPlate(plate: string): Promise<RegisteredVehicle | undefined>;
  /** The owner's contact details, or undefined when the reference is unknown. */
  ownerContact(ref: string): Promise<OwnerContact | undefined>;
}

/** The registry could not answer (timeout, network, 5xx): retry later. */
export class RegistryUnavailableError extends AppError {
  readonly category = 'unavailable' as const;
  readonly code = 'registry-unavailable';
}

/** The registry answered something that is not the contract (a bug or an attack on the link). */
export class RegistryResponseError extends AppError {
  readonly category = 'internal' as const;
  readonly code = 'registry-bad-response';
}
