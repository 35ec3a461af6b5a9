import * as tf from '@tensorflow/tfjs';

/**
 * Synchronous reads (`dataSync`) for tfjs's webgpu backend in Node.
 *
 * In a browser the backend reads synchronously by copying through an OffscreenCanvas, which
 * Node lacks; training reads each minibatch's loss and every evaluation's sums that way. Dawn's
 * Node bindings complete a buffer mapping only when they process the instance's events, which
 * they do from a callback they hand to the global `setImmediate`. Routing those callbacks
 * through a queue regsweep can drain lets a read map its staging buffer and wait for it in
 * place: the same copy the backend's own asynchronous read makes, just waited for synchronously.
 */

/** Dawn's event-processing callbacks, queued by setImmediate and not yet run. */
const dawnCallbacks = new Set<() => void>();
let captureInstalled = false;

/** How long one synchronous read waits for its mapping before failing. */
const readTimeoutMs = 120_000;

/**
 * Routes the callbacks Dawn schedules (argument-less native functions) through a queue that a
 * synchronous read can run at once; the event loop still runs each one that no read ran first.
 * Must be installed before Dawn's first call, so that no callback is already scheduled past it.
 */
export function captureDawnCallbacks(): void {
  if (captureInstalled) return;
  captureInstalled = true;
  const schedule = globalThis.setImmediate;
  const routed = function (this: unknown, callback: (...args: unknown[]) => void, ...args: unknown[]) {
    if (args.length > 0 || !Function.prototype.toString.call(callback).includes('[native code]')) {
      return schedule(callback, ...args);
    }
    const run = (): void => callback();
    dawnCallbacks.add(run);
    return schedule(() => {
      if (dawnCallbacks.delete(run)) run();
    });
  };
  globalThis.setImmediate = Object.assign(routed, schedule) as typeof setImmediate;
}

function runDawnCallbacks(): void {
  const queued = [...dawnCallbacks];
  dawnCallbacks.clear();
  for (const run of queued) run();
}

/** The parts of a WebGPU buffer a read uses. */
interface StagingBuffer {
  size: number;
  mapState: string;
  mapAsync(mode: number): Promise<void>;
  getMappedRange(): ArrayBuffer;
  unmap(): void;
}

/** The parts of tfjs's WebGPUBackend (4.22) a synchronous read uses. */
interface WebgpuBackendInternals {
  tensorMap: { get(dataId: object): { values: unknown; dtype: tf.DataType; resource: StagingBuffer | null } };
  bufferManager: {
    acquireBuffer(size: number, usage: number): StagingBuffer;
    releaseBuffer(buffer: StagingBuffer): void;
  };
  commandEncoder: { copyBufferToBuffer(src: StagingBuffer, srcOffset: number, dst: StagingBuffer, dstOffset: number, size: number): void };
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
  convertAndCacheOnCPU(dataId: object, values: tf.backend_util.BackendValues): tf.backend_util.BackendValues;
  readSync(dataId: object): tf.backend_util.BackendValues;
}

const webgpuConstants = globalThis as unknown as {
  GPUBufferUsage: { COPY_DST: number; MAP_READ: number };
  GPUMapMode: { READ: number };
};

function mapSync(staging: StagingBuffer): void {
  let failure: unknown = null;
  staging.mapAsync(webgpuConstants.GPUMapMode.READ).catch((error: unknown) => {
    failure = error;
  });
  const deadline = Date.now() + readTimeoutMs;
  while (staging.mapState !== 'mapped') {
    if (failure !== null || staging.mapState === 'unmapped' || Date.now() > deadline) {
      throw new Error(
        `webgpu engine: a synchronous read of ${staging.size} bytes did not complete` +
          (failure === null ? ` within ${readTimeoutMs / 1000} s` : `: ${String(failure)}`),
      );
    }
    runDawnCallbacks();
  }
}

/**
 * Replaces the backend class's readSync with one that copies the tensor's buffer to a staging
 * buffer and maps it in place (see the module comment); values already on the CPU, strings and
 * complex tensors keep tfjs's own path.
 */
export function enableWebgpuReadSync(backendClass: { prototype: object }): void {
  const prototype = backendClass.prototype as WebgpuBackendInternals;
  const original = prototype.readSync;
  if ((original as { regsweepSync?: boolean }).regsweepSync === true) return;
  const readSync = function (this: WebgpuBackendInternals, dataId: object): tf.backend_util.BackendValues {
    const tensorData = this.tensorMap.get(dataId);
    const source = tensorData.resource;
    if (tensorData.values != null || tensorData.dtype === 'string' || tensorData.dtype === 'complex64' || source === null) {
      return original.call(this, dataId);
    }
    const { COPY_DST, MAP_READ } = webgpuConstants.GPUBufferUsage;
    const staging = this.bufferManager.acquireBuffer(source.size, COPY_DST | MAP_READ);
    this.ensureCommandEncoderReady();
    this.endComputePassEncoder();
    this.commandEncoder.copyBufferToBuffer(source, 0, staging, 0, source.size);
    this.submitQueue();
    mapSync(staging);
    const bytes = staging.getMappedRange().slice(0);
    staging.unmap();
    this.bufferManager.releaseBuffer(staging);
    return this.convertAndCacheOnCPU(dataId, tf.util.convertBackendValuesAndArrayBuffer(bytes, tensorData.dtype));
  };
  prototype.readSync = Object.assign(readSync, { regsweepSync: true });
}
