import { classCount, imagePixels } from '../training/idx-format';

/**
 * Floating-point operations of the matrix products (2 per multiply-add) the MLP runs per
 * image, so achieved GFLOPS can be compared with what the CPU's GEMM reaches. Elementwise
 * work (bias, ReLU, dropout, softmax) is not counted: it is a rounding error next to these.
 */
export interface GemmFlops {
  /** Forward products of one image: x·W1, h1·W2, h2·W3. */
  forward: number;
  /** Backward products of one training image: dW1, dW2, dx2, dW3, dx3 (the data needs no dx1). */
  backward: number;
  /** forward + backward: one training image. */
  train: number;
}

export function gemmFlopsPerImage(hidden: readonly [number, number]): GemmFlops {
  const [h1, h2] = hidden;
  const layers = imagePixels * h1 + h1 * h2 + h2 * classCount;
  const forward = 2 * layers;
  const backward = 2 * (imagePixels * h1 + 2 * h1 * h2 + 2 * h2 * classCount);
  return { forward, backward, train: forward + backward };
}
