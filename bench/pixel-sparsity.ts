/**
 * How much of the evaluation's first product a zero-skipping kernel could save: the share of
 * nonzero pixels in the 60,000 training images, and, with the images sorted by class and then
 * by their count of nonzero pixels (so similar silhouettes sit together), the share of the 784
 * pixel columns that are nonzero in at least one image of each block of rows. A kernel that
 * skips the columns that are zero in a whole block can save at most the rest of x·W1; one that
 * skips single zeros gives up the register blocking that makes sgemm fast. docs/performance.md
 * quotes a run.
 *
 *   node --import tsx bench/pixel-sparsity.ts
 */
import { loadConfig } from '../config';
import { loadDatasetCached, locateDataset } from '../training/fashion-mnist';
import { imagePixels } from '../training/idx-format';

const data = loadDatasetCached(locateDataset({ dataDir: loadConfig().dataDir }));
const images = data.trainCount;
const nonzeroCount = new Uint16Array(images);
let nonzero = 0;
for (let i = 0; i < images; i++) {
  let count = 0;
  for (let p = 0; p < imagePixels; p++) if (data.trainImages[i * imagePixels + p] !== 0) count++;
  nonzeroCount[i] = count;
  nonzero += count;
}
console.log(`nonzero pixels: ${((100 * nonzero) / (images * imagePixels)).toFixed(1)}% of ${images} x ${imagePixels}`);

const order = Array.from({ length: images }, (_, i) => i).sort(
  (a, b) => data.trainLabels[a]! - data.trainLabels[b]! || nonzeroCount[a]! - nonzeroCount[b]! || a - b,
);
for (const rows of [8, 64, 256, 512]) {
  const blocks = Math.floor(images / rows);
  let covered = 0;
  const seen = new Uint8Array(imagePixels);
  for (let block = 0; block < blocks; block++) {
    seen.fill(0);
    for (let r = 0; r < rows; r++) {
      const image = order[block * rows + r]!;
      for (let p = 0; p < imagePixels; p++) if (data.trainImages[image * imagePixels + p] !== 0) seen[p] = 1;
    }
    for (let p = 0; p < imagePixels; p++) covered += seen[p]!;
  }
  console.log(
    `${String(rows).padStart(3)}-row blocks, sorted by class and pixel count: ${((100 * covered) / (blocks * imagePixels)).toFixed(1)}% of the columns nonzero somewhere in the block`,
  );
}
