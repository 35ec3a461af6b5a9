import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadNativeKernels, type NativeKernels, type NativeKernelsLoad } from '../native/native-addon';
import { nativeBackendName, registerNativeBackend } from '../native/native-backend';
import { fillDropoutMask, type MaskFill } from './dropout-mask';
import { BackendUnavailableError, TrainConfigError } from './training-errors';
import { enableWebgpuReadSync } from './webgpu-sync-read';
import { describeWebgpuAdapter, foundWebgpuAdapter, noAdapterMessage, prepareWebgpuAdapter } from './webgpu-engine';

/**
 * The engines a worker can train on, plus `auto`: the fastest one available here (`native`
 * when its addon loads, otherwise `wasm`).
 */
export type BackendName = 'auto' | 'native' | 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu' | 'webgpu';

/** A concrete engine: every {@link BackendName} but `auto`. */
export type EngineName = Exclude<BackendName, 'auto'>;

export const backendNames: readonly BackendName[] = ['auto', 'native', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu', 'webgpu'];

/** The project default: `native` where its addon was built, else the portable `wasm` (with a warning). */
export const defaultBackendName: BackendName = 'auto';

/**
 * The npm package providing each engine (`cpu` is built into @tensorflow/tfjs; `native` is
 * tfjs's cpu backend with kernels from the optional addon package).
 */
export const backendPackages: Record<EngineName, string> = {
  native: 'the native addon (native/)',
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs',
  webgpu: '@tensorflow/tfjs-backend-webgpu',
};

/** The name each package registers its backend under in tfjs. */
const registeredNames: Record<EngineName, string> = {
  native: nativeBackendName,
  'tensorflow-gpu': 'tensorflow',
  tensorflow: 'tensorflow',
  wasm: 'wasm',
  cpu: 'cpu',
  webgpu: 'webgpu',
};

/**
 * Native requirements, from the libtensorflow each tfjs-node 4.22 package downloads (2.9.1)
 * and TensorFlow's tested build configurations for 2.9.
 */
const requirements: Partial<Record<EngineName, string>> = {
  'tensorflow-gpu':
    'Linux or Windows on x64 with an NVIDIA GPU; tfjs-node-gpu 4.22 loads libtensorflow 2.9.1, which needs CUDA 11.2 and cuDNN 8.1',
  tensorflow: 'Linux, macOS or Windows on x64; its install downloads libtensorflow 2.9.1',
};

/** Packages an engine needs beside its own, installed in the same command. */
const companionPackages: Partial<Record<EngineName, string>> = {
  webgpu: 'webgpu@0.6.2',
};

/** @throws TrainConfigError listing the valid names when `value` is not one of them. */
export function parseBackendName(value: string): BackendName {
  const name = value.trim().toLowerCase();
  if (!(backendNames as readonly string[]).includes(name)) {
    throw new TrainConfigError(`unknown backend ${JSON.stringify(value)}: it must be one of ${backendNames.join(', ')}`, 'backend');
  }
  return name as BackendName;
}

function installHint(name: EngineName): string {
  const companion = companionPackages[name];
  const pkg = `${backendPackages[name]}@${tf.version.tfjs}${companion === undefined ? '' : ` ${companion}`}`;
  const needs = requirements[name];
  return `install it with npm install ${pkg}${needs === undefined ? '' : ` (${needs})`}`;
}

function isModuleNotFound(error: unknown, pkg: string): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String(error).includes(pkg);
}

async function importBackendPackage(name: EngineName): Promise<void> {
  const pkg = backendPackages[name];
  try {
    if (name === 'wasm') {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      // Point the loader at the installed .wasm binaries so it never tries to fetch them.
      const entry = createRequire(import.meta.url).resolve(pkg);
      wasm.setWasmPaths(path.dirname(entry) + path.sep);
    } else if (name === 'webgpu') {
      // The backend registers itself only if navigator.gpu exists when it is first imported.
      const adapter = await prepareWebgpuAdapter();
      if (adapter === null) throw new BackendUnavailableError(noAdapterMessage(), name);
      const specifier: string = pkg;
      const webgpu = (await import(specifier)) as { WebGPUBackend: { prototype: object } };
      enableWebgpuReadSync(webgpu.WebGPUBackend);
    } else if (name !== 'cpu') {
      // A specifier held in a variable keeps TypeScript from needing the optional packages' types.
      const specifier: string = pkg;
      await import(specifier);
    }
  } catch (error) {
    if (error instanceof BackendUnavailableError) throw error;
    if (isModuleNotFound(error, pkg) || (name === 'webgpu' && isModuleNotFound(error, 'webgpu'))) {
      throw new BackendUnavailableError(`backend ${name} needs the package ${pkg}; ${installHint(name)}`, name, {
        cause: error,
      });
    }
    throw new BackendUnavailableError(
      `backend ${name} could not load ${pkg}: ${(error as Error).message}; ${installHint(name)}`,
      name,
      { cause: error },
    );
  }
}

/** How {@link selectBackend} may be adjusted; every field is optional. */
export interface SelectBackendOptions {
  /**
   * Receives the one-line warnings: `auto`'s when it falls back to wasm, `webgpu`'s when its
   * adapter is a software renderer. @default console.warn
   */
  warn?: (line: string) => void;
  /**
   * The most OpenBLAS threads a native matrix product uses. Metrics are reproducible for a fixed
   * count but differ in their last digits between counts (OpenBLAS's kernels round differently
   * on each thread's share), so the workers of one sweep should all use the same count.
   * @default OpenBLAS's own: OPENBLAS_NUM_THREADS when set, else one per core
   */
  nativeThreads?: number;
  /** Loads the native addon; replaceable so the fallback can be exercised. @default loadNativeKernels */
  loadNative?: () => NativeKernelsLoad;
}

/** The addon of the registered native backend, once selected. */
let nativeKernels: NativeKernels | null = null;

function prepareNativeEngine(options: SelectBackendOptions): void {
  const load = (options.loadNative ?? loadNativeKernels)();
  if (!load.ok) throw new BackendUnavailableError(`backend native is unavailable: ${load.reason}`, 'native');
  registerNativeBackend(load.kernels);
  if (options.nativeThreads !== undefined) load.kernels.setThreads(options.nativeThreads);
  nativeKernels = load.kernels;
}

function warnIfSoftware(options: SelectBackendOptions): void {
  if (foundWebgpuAdapter()?.software !== true) return;
  (options.warn ?? console.warn)(
    `regsweep: the webgpu engine's adapter is a software renderer (${describeWebgpuAdapter()}): ` +
      'it computes on the CPU, slower than native or wasm; a GPU with a Vulkan driver gives it GPU speed',
  );
}

/**
 * The active engine as people should see it, e.g. `native (OpenBLAS SkylakeX kernels, 2
 * threads)`: on `native` the kernel set and thread count are part of a result's identity (they
 * change the last digits of metrics), so logs name them.
 */
export function describeActiveEngine(): string {
  const backend = tf.getBackend();
  const adapter = backend === 'webgpu' ? describeWebgpuAdapter() : null;
  if (adapter !== null) return `${backend} (${adapter})`;
  if (backend !== nativeBackendName || nativeKernels === null) return backend;
  const threads = nativeKernels.threads();
  return `${backend} (OpenBLAS ${nativeKernels.blasInfo().core} kernels, ${threads} thread${threads === 1 ? '' : 's'})`;
}

/**
 * The dropout-mask generator for the active backend: the addon's on `native` (the same
 * values, drawn several times faster), JavaScript elsewhere, so every engine's timing is its own.
 */
export function activeMaskFill(): MaskFill {
  return tf.getBackend() === nativeBackendName && nativeKernels !== null ? nativeKernels.dropoutMask : fillDropoutMask;
}

/**
 * Loads the backend's package (only now, so optional native packages are never touched unless
 * asked for), makes it the active tfjs backend and waits until it is ready. `auto` tries
 * `native` and, when its addon cannot be loaded, warns in one line and takes `wasm`.
 *
 * @returns the active backend as tfjs names it (`native`, `tensorflow`, `wasm` or `cpu`).
 * @throws BackendUnavailableError when the package is not installed or the backend fails to start.
 */
export async function selectBackend(name: BackendName, options: SelectBackendOptions = {}): Promise<string> {
  if (name === 'auto') {
    try {
      return await selectBackend('native', options);
    } catch (error) {
      if (!(error instanceof BackendUnavailableError)) throw error;
      (options.warn ?? console.warn)(`regsweep: ${error.message}; training on wasm instead, several times slower`);
      return selectBackend('wasm', options);
    }
  }
  const registered = registeredNames[name];
  if (name === 'native') prepareNativeEngine(options);
  if (tf.getBackend() !== registered) {
    if (name !== 'native') await importBackendPackage(name);
    if (tf.findBackendFactory(registered) === null) {
      throw new BackendUnavailableError(
        `backend ${name}: ${backendPackages[name]} registered no '${registered}' backend with this copy of ` +
          `@tensorflow/tfjs ${tf.version.tfjs}; ${installHint(name)} so both versions match`,
        name,
      );
    }
    if (!(await tf.setBackend(registered))) {
      throw new BackendUnavailableError(
        `backend ${name} failed to initialise (see the tfjs message above); ${installHint(name)}`,
        name,
      );
    }
  }
  await tf.ready();
  if (name === 'webgpu') warnIfSoftware(options);
  // The cpu backend greets every Node process with advice to install tfjs-node; on the native
  // engine that advice is wrong, and the banner would land in every worker's and CLI's output.
  const active = tf.backend() as { firstUse?: boolean };
  if (typeof active.firstUse === 'boolean') active.firstUse = false;
  return tf.getBackend();
}
