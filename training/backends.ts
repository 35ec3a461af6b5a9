import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { BackendUnavailableError } from './training-errors';

/** The TensorFlow.js backends a worker can train on. */
export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

export const backendNames: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

/** The project default: portable, needs no native libraries, about 10x faster than `cpu`. */
export const defaultBackendName: BackendName = 'wasm';

/** The npm package providing each backend (`cpu` is built into @tensorflow/tfjs). */
export const backendPackages: Record<BackendName, string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs',
};

/** The name each package registers its backend under in tfjs. */
const registeredNames: Record<BackendName, string> = {
  'tensorflow-gpu': 'tensorflow',
  tensorflow: 'tensorflow',
  wasm: 'wasm',
  cpu: 'cpu',
};

/**
 * Native requirements, from the libtensorflow each tfjs-node 4.22 package downloads (2.9.1)
 * and TensorFlow's tested build configurations for 2.9.
 */
const requirements: Partial<Record<BackendName, string>> = {
  'tensorflow-gpu':
    'Linux x64 with an NVIDIA GPU; tfjs-node-gpu 4.22 loads libtensorflow 2.9.1, which needs CUDA 11.2 and cuDNN 8.1',
  tensorflow: 'Linux, macOS or Windows on x64 (or Linux arm64); its install downloads libtensorflow 2.9.1',
};

/** @throws Error listing the valid names when `value` is not one of them. */
export function parseBackendName(value: string): BackendName {
  const name = value.trim().toLowerCase();
  if (!(backendNames as readonly string[]).includes(name)) {
    throw new Error(`backend must be one of ${backendNames.join(', ')}; got ${JSON.stringify(value)}`);
  }
  return name as BackendName;
}

function installHint(name: BackendName): string {
  const pkg = `${backendPackages[name]}@${tf.version.tfjs}`;
  const needs = requirements[name];
  return `install it with npm install ${pkg}${needs === undefined ? '' : ` (${needs})`}`;
}

function isModuleNotFound(error: unknown, pkg: string): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String(error).includes(pkg);
}

async function importBackendPackage(name: BackendName): Promise<void> {
  const pkg = backendPackages[name];
  try {
    if (name === 'wasm') {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      // Point the loader at the installed .wasm binaries so it never tries to fetch them.
      const entry = createRequire(import.meta.url).resolve(pkg);
      wasm.setWasmPaths(path.dirname(entry) + path.sep);
    } else if (name !== 'cpu') {
      // A specifier held in a variable keeps TypeScript from needing the optional packages' types.
      const specifier: string = pkg;
      await import(specifier);
    }
  } catch (error) {
    if (isModuleNotFound(error, pkg)) {
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

/**
 * Loads the backend's package (only now, so optional native packages are never touched unless
 * asked for), makes it the active tfjs backend and waits until it is ready.
 *
 * @returns the active backend as tfjs names it (`tensorflow`, `wasm` or `cpu`).
 * @throws BackendUnavailableError when the package is not installed or the backend fails to start.
 */
export async function selectBackend(name: BackendName): Promise<string> {
  const registered = registeredNames[name];
  if (tf.getBackend() !== registered) {
    await importBackendPackage(name);
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
  return tf.getBackend();
}
