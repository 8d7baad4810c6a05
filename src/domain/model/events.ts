/**
 * AI model version events (stream `model-<modelId>`, one stream per model version, province "00").
 * A version is usable as evidence only once a human officer approved it and while it is not suspended.
 */
import { z } from 'zod';
import { eventParser, type EventsOf } from '../decider.ts';
import {
  IdentifierSchema,
  Sha256HexSchema,
  ShortTextSchema,
  TextSchema,
  UtcTimestampSchema,
} from '../signoff/primitives.ts';

export const ModelFileSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'must be a file name'),
  /** Lowercase hex SHA-256 of the file's bytes. */
  sha256: Sha256HexSchema,
});
export type ModelFile = z.infer<typeof ModelFileSchema>;

export const ModelEventSchemas = {
  ModelVersionRegistered: z.strictObject({
    modelId: IdentifierSchema,
    name: ShortTextSchema,
    version: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/, 'must be a version'),
    files: z.array(ModelFileSchema).min(1).max(32),
    registeredAt: UtcTimestampSchema,
  }),
  ModelVersionApproved: z.strictObject({
    modelId: IdentifierSchema,
    /** Officer id of the approving human. */
    approvedBy: IdentifierSchema,
    note: TextSchema.optional(),
    approvedAt: UtcTimestampSchema,
  }),
  ModelVersionSuspended: z.strictObject({
    modelId: IdentifierSchema,
    reason: TextSchema,
    suspendedAt: UtcTimestampSchema,
  }),
} as const;

export type ModelEvent = EventsOf<typeof ModelEventSchemas>;
export type ModelEventType = ModelEvent['type'];
export type ModelEventData<T extends ModelEventType> = Extract<ModelEvent, { type: T }>['data'];
export const MODEL_EVENT_TYPES = Object.keys(ModelEventSchemas) as ModelEventType[];
export const parseModelEvent = eventParser('model', ModelEventSchemas);
