import { AppError } from '../shared/errors.ts';

export class ModelAlreadyRegisteredError extends AppError {
  readonly category = 'conflict' as const;
  readonly code = 'model-already-registered';
}

export class ModelNotRegisteredError extends AppError {
  readonly category = 'not_found' as const;
  readonly code = 'model-not-registered';
}

export class ModelAlreadyApprovedError extends AppError {
  readonly category = 'conflict' as const;
  readonly code = 'model-already-approved';
}

export class ModelAlreadySuspendedError extends AppError {
  readonly category = 'conflict' as const;
  readonly code = 'model-already-suspended';
}
