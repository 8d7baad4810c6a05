import { AppError, DomainRuleError, type ErrorCategory } from '../shared/errors.ts';

export class CameraAlreadyRegisteredError extends AppError {
  readonly category = 'conflict' as const;
  readonly code = 'camera-already-registered';
}

export class CameraNotRegisteredError extends AppError {
  readonly category = 'not_found' as const;
  readonly code = 'camera-not-registered';
}

/** Nothing but a key revocation is accepted once a camera is decommissioned. */
export class CameraDecommissionedError extends AppError {
  readonly category = 'conflict' as const;
  readonly code = 'camera-decommissioned';
}

export class CameraNotActiveError extends AppError {
  readonly category = 'conflict' as const;
  readonly code = 'camera-not-active';
}

export class CameraNotSuspendedError extends AppError {
  readonly category = 'conflict' as const;
  readonly code = 'camera-not-suspended';
}

/** A calibration certificate whose validity period is empty or reversed. */
export class InvalidCalibrationPeriodError extends DomainRuleError {
  override readonly category: ErrorCategory = 'validation';
  readonly code = 'invalid-calibration-period';
}

export class CalibrationAlreadyCertifiedError extends AppError {
  readonly category = 'conflict' as const;
  readonly code = 'calibration-already-certified';
}
