import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { loadConfig } from '../../config';
import { datasetFileNames, type DatasetFileName } from '../../training/dataset-files';
import { locateDataset } from '../../training/fashion-mnist';

/** The real Fashion-MNIST folder of this machine, found as workers find it. */
export function realDatasetDir(): string {
  return locateDataset({ dataDir: loadConfig().dataDir });
}

/** A fresh temporary folder, removed by the returned cleanup. */
export function makeTempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `regsweep-${prefix}-`));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** The decompressed bytes of one real dataset file. */
export function realIdxBytes(name: DatasetFileName): Buffer {
  return zlib.gunzipSync(fs.readFileSync(path.join(realDatasetDir(), name)));
}

/** An IDX file: big-endian u32 header words followed by the payload, gzipped. */
export function gzipIdx(headerWords: readonly number[], payload: Uint8Array): Buffer {
  const header = Buffer.alloc(4 * headerWords.length);
  headerWords.forEach((word, i) => header.writeUInt32BE(word, 4 * i));
  return zlib.gzipSync(Buffer.concat([header, payload]));
}

/**
 * A dataset folder whose files link to the real ones, except those in `replacements`:
 * a Buffer is written in place of the file, null leaves the file out.
 */
export function datasetDirWith(
  prefix: string,
  replacements: Partial<Record<DatasetFileName, Buffer | null>>,
): { dir: string; cleanup: () => void } {
  const temp = makeTempDir(prefix);
  for (const name of datasetFileNames) {
    const target = path.join(temp.dir, name);
    const replacement = replacements[name];
    if (replacement === null) continue;
    if (replacement === undefined) {
      fs.symlinkSync(path.join(realDatasetDir(), name), target);
    } else {
      fs.writeFileSync(target, replacement);
    }
  }
  return temp;
}
