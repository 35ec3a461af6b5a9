import os from 'node:os';
import path from 'node:path';

/** The four files of Fashion-MNIST, by role, as the official mirror and the Debian package name them. */
export const datasetFiles = {
  trainImages: 'train-images-idx3-ubyte.gz',
  trainLabels: 'train-labels-idx1-ubyte.gz',
  testImages: 't10k-images-idx3-ubyte.gz',
  testLabels: 't10k-labels-idx1-ubyte.gz',
} as const;

export type DatasetFileName = (typeof datasetFiles)[keyof typeof datasetFiles];

export const datasetFileNames: readonly DatasetFileName[] = Object.values(datasetFiles);

/** Where the official files are served (zalandoresearch/fashion-mnist README). */
export const officialDatasetBaseUrl = 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/';

/**
 * MD5 of each gz file as published in the zalandoresearch/fashion-mnist README.
 * The Debian package `dataset-fashion-mnist` ships the same deflate streams with the file
 * name dropped from the gzip header, so its files hash differently while decoding to the
 * same bytes; pass its sums through `fetchDataset`'s `checksums` when mirroring those.
 */
export const officialDatasetMd5: Readonly<Record<DatasetFileName, string>> = {
  'train-images-idx3-ubyte.gz': '8d4fb7e6c68d591d4c3dfef9ec88bf0d',
  'train-labels-idx1-ubyte.gz': '25c81989df183df01b3e8a0aad5dffbe',
  't10k-images-idx3-ubyte.gz': 'bef4ecab320f06d8554ea6380940ec79',
  't10k-labels-idx1-ubyte.gz': 'bb300cfdad3c16e7a12a480ee83cd310',
};

/** Installed by `apt-get install dataset-fashion-mnist`. */
export const systemDatasetDir = '/usr/share/datasets/fashion-mnist';

/** Where `regsweep data fetch` puts the files by default. */
export function userDatasetCacheDir(): string {
  return path.join(os.homedir(), '.cache', 'regsweep', 'fashion-mnist');
}

/** The one-line remedy appended to every dataset error. */
export const datasetInstallHint =
  'install it with `apt-get install dataset-fashion-mnist`, or download it with `regsweep data fetch`, ' +
  'or set REGSWEEP_DATA_DIR to a folder holding the four .gz files';

/** The remedy for a file that exists but is damaged. */
export const datasetRepairHint =
  'reinstall it with `apt-get install --reinstall dataset-fashion-mnist` or download it again with `regsweep data fetch`';
