import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { datasetFileNames, officialDatasetBaseUrl, officialDatasetMd5, type DatasetFileName } from './dataset-files';
import { DatasetError } from './training-errors';

/** Options of {@link fetchDataset}. */
export interface FetchDatasetOptions {
  /** Folder URL the four files are fetched from. @default the official S3 mirror */
  baseUrl?: string;
  /** The fetch used for downloads (injectable for tests and proxies). @default globalThis.fetch */
  fetchImpl?: typeof fetch;
  /** Expected MD5 per file, for mirrors that recompress. @default the official README's sums */
  checksums?: Partial<Record<DatasetFileName, string>>;
}

function md5(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('hex');
}

async function existingMd5(file: string): Promise<string | null> {
  try {
    return md5(await fs.readFile(file));
  } catch {
    return null;
  }
}

async function download(url: string, fetchImpl: typeof fetch): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetchImpl(url);
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
    throw new DatasetError(`could not download ${url}: ${cause}; check the network or pass another baseUrl`, url, {
      cause: error,
    });
  }
  if (!response.ok) {
    throw new DatasetError(
      `could not download ${url}: expected HTTP 200, got ${response.status} ${response.statusText}`,
      url,
    );
  }
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * Downloads the four Fashion-MNIST gz files into `targetDir` (created if needed) and checks
 * each against its MD5. A file is written to a temporary name and renamed only after its
 * checksum matches, so the folder never holds a half-written or unverified file. Files already
 * present with the right checksum are kept and not downloaded again.
 *
 * @throws DatasetError on an HTTP or network failure or a checksum mismatch (expected vs got).
 */
export async function fetchDataset(targetDir: string, opts: FetchDatasetOptions = {}): Promise<void> {
  const baseUrl = opts.baseUrl ?? officialDatasetBaseUrl;
  const fetchImpl = opts.fetchImpl ?? globalThis.fetch;
  await fs.mkdir(targetDir, { recursive: true });
  for (const name of datasetFileNames) {
    const expectedMd5 = (opts.checksums?.[name] ?? officialDatasetMd5[name]).toLowerCase();
    const target = path.join(targetDir, name);
    if ((await existingMd5(target)) === expectedMd5) {
      continue;
    }
    const url = new URL(name, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`).href;
    const bytes = await download(url, fetchImpl);
    const gotMd5 = md5(bytes);
    if (gotMd5 !== expectedMd5) {
      throw new DatasetError(
        `downloaded ${url} has the wrong checksum: expected md5 ${expectedMd5}, got ${gotMd5} ` +
          `(${bytes.length} bytes); nothing was written, retry or use another mirror`,
        url,
      );
    }
    const partial = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.part`;
    try {
      await fs.writeFile(partial, bytes);
      await fs.rename(partial, target);
    } finally {
      await fs.rm(partial, { force: true });
    }
  }
}
