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

/** A commune code that is not in the reference list of commune-level units. */
export class UnknownCommuneError extends DomainRuleError {
  readonly code = 'unknown-commune';
}

/** A commune code of another province than the camera's. */
export class CommuneOutsideProvinceError extends DomainRuleError {
  readonly code = 'commune-outside-province';
}

/** A route code that is not in the reference list of expressway routes. */
export class UnknownExpresswayRouteError extends DomainRuleError {
  readonly code = 'unknown-expressway-route';
}

/** A route that does not pass through the camera's province, or a route code on a camera not on an expressway. */
export class RouteOutsideProvinceError extends DomainRuleError {
  readonly code = 'route-outside-province';
}
