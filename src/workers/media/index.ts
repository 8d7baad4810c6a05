export { assertBox, clampBox, formatBox, padBox, type Box } from './box.ts';
export {
  captionLines,
  escapeXml,
  formatLocalTime,
  parseCaption,
  CAPTION_TIME_ZONE,
  type Caption,
} from './caption.ts';
export { deriveMedia, type DeriveRequest } from './derive.ts';
export {
  evidenceDerivedFields,
  MEDIA_PRODUCER,
  type DerivationParameters,
  type DerivedItem,
  type DerivedRole,
  type MediaProducer,
} from './derived-item.ts';
export {
  ImageTooLargeError,
  InvalidBoxError,
  InvalidMediaRequestError,
  MediaSourceMismatchError,
  UnsupportedImageError,
} from './errors.ts';
export {
  captionCopy,
  plateCrop,
  privacyCopy,
  thumbnail,
  JPEG_QUALITY,
  type ImageInput,
  type PlateCropOptions,
  type PrivacyOptions,
  type ThumbnailOptions,
} from './operations.ts';
export {
  processMediaJob,
  type MediaEvidenceStore,
  type MediaJob,
  type MediaJobDeps,
  type StoredDerivedItem,
} from './processor.ts';
export {
  DEFAULT_MEDIA_LIMITS,
  evidenceDigest,
  openSourceImage,
  type MediaLimits,
  type SourceImage,
} from './source-image.ts';
