/** Plate recognition (PP-OCRv4 on onnxruntime-node): the public surface other modules use. */
export { createPlateReader, sessionOptions, type PlateReader, type PlateReaderOptions, type PlateReading, type PixelBox, type ReadHints } from './reader.ts';
export { createPlateReaderInWorker } from './worker-reader.ts';
export { ImageRejectedError, ImageTooLargeError, PlateReaderUnavailableError } from './errors.ts';
export {
  MODEL_NAME,
  PIPELINE_VERSION,
  defaultModelPaths,
  loadModelFiles,
  loadModelIdentity,
  modelFileDigests,
  type ModelFileIdentity,
  type ModelIdentity,
  type ModelPaths,
} from './models.ts';
export { DEFAULT_IMAGE_LIMITS, type ImageLimits } from './image.ts';
