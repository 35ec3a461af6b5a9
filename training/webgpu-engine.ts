import { captureDawnCallbacks } from './webgpu-sync-read';

/**
 * The Debian packages that give Dawn's OpenGL ES backend a software renderer (Mesa's llvmpipe):
 * Dawn opens the unversioned libEGL.so, which only libegl-dev provides (it pulls in libegl1),
 * EGL's Mesa vendor library, and Mesa's DRI drivers (swrast_dri.so holds llvmpipe).
 * infra/setup/webgpu-requirements.sh checks for the same three.
 */
export const webgpuMesaPackages = ['libegl-dev', 'libegl-mesa0', 'libgl1-mesa-dri'] as const;

/** What an adapter reports about itself, as far as regsweep names and judges it. */
export interface WebgpuAdapterFacts {
  /** How Dawn reaches the device: `native` (Vulkan here) or `opengles` (compatibility mode). */
  dawnBackend: 'native' | 'opengles';
  /** The adapter's own name, e.g. `llvmpipe-llvm-15-0-6-256-bits-`, or its vendor when it gives none. */
  device: string;
  /** Its driver's description, e.g. `OpenGL version OpenGL ES 3.2 Mesa 22.3.6`. */
  description: string;
  /** True for a renderer that runs on the CPU (llvmpipe, lavapipe, SwiftShader, softpipe). */
  software: boolean;
}

/** The parts of a WebGPU adapter regsweep reads (the optional package's own types stay out of the build). */
interface DawnAdapter {
  info: { vendor: string; device: string; description: string; isFallbackAdapter?: boolean };
}

/** The parts of `navigator.gpu` that Dawn's `create` returns and tfjs calls. */
interface DawnGpu {
  requestAdapter(options?: { powerPreference?: string; featureLevel?: string }): Promise<DawnAdapter | null>;
  getPreferredCanvasFormat(): string;
  wgslLanguageFeatures: unknown;
}

/** The `webgpu` package: Dawn's Node bindings. */
interface DawnModule {
  create(flags: string[]): DawnGpu;
  globals: Record<string, unknown>;
}

/** The adapter once found; it backs `navigator.gpu` for tfjs's webgpu backend for the process's life. */
let found: { adapter: DawnAdapter; facts: WebgpuAdapterFacts } | null = null;

const softwareRenderer = /llvmpipe|lavapipe|softpipe|swiftshader|software/i;

function adapterFacts(adapter: DawnAdapter, dawnBackend: WebgpuAdapterFacts['dawnBackend']): WebgpuAdapterFacts {
  const info = adapter.info;
  // Dawn makes the GL renderer string an identifier (`llvmpipe-llvm-15-0-6-256-bits-`); drop its trailing dash.
  const device = (info.device || info.vendor || 'unnamed adapter').replace(/-+$/, '');
  const description = info.description;
  const fallback = info.isFallbackAdapter === true;
  return { dawnBackend, device, description, software: fallback || softwareRenderer.test(`${device} ${description}`) };
}

/**
 * Finds a WebGPU adapter through Dawn: first its default (Vulkan on Linux: a GPU's own driver),
 * then its OpenGL ES backend in WebGPU's compatibility mode, which Mesa's llvmpipe serves on
 * any machine with the EGL/GLES packages, GPU or not. Installs the WebGPU globals tfjs's webgpu
 * backend expects and a `navigator.gpu` that hands out this adapter, so the backend package must
 * be imported only after this returns.
 *
 * @returns the adapter's facts, or null when neither Dawn backend offers one.
 */
export async function prepareWebgpuAdapter(): Promise<WebgpuAdapterFacts | null> {
  if (found !== null) return found.facts;
  captureDawnCallbacks();
  const specifier: string = 'webgpu';
  const dawn = (await import(specifier)) as DawnModule;
  // tfjs's shaders and buffers name these constructors and flag tables as browser globals.
  Object.assign(globalThis, dawn.globals);

  const native = dawn.create([]);
  let adapter = await native.requestAdapter({ powerPreference: 'high-performance' });
  let dawnBackend: WebgpuAdapterFacts['dawnBackend'] = 'native';
  let gpu = native;
  if (adapter === null) {
    // Mesa's EGL picks a window system from the environment; a worker has none, so it must
    // render off-screen (surfaceless) or eglInitialize fails. EGL reads the variable when the
    // backend first opens a display, which is during the request below.
    process.env.EGL_PLATFORM ??= 'surfaceless';
    gpu = dawn.create(['backend=opengles']);
    adapter = await gpu.requestAdapter({ featureLevel: 'compatibility' });
    dawnBackend = 'opengles';
  }
  if (adapter === null) return null;

  const chosen = adapter;
  const facts = adapterFacts(chosen, dawnBackend);
  found = { adapter: chosen, facts };
  // tfjs's backend asks navigator.gpu for an adapter with options of its own (no feature
  // level), which the OpenGL ES backend would refuse; hand it the adapter found above.
  const navigatorGpu = {
    requestAdapter: () => Promise.resolve(chosen),
    getPreferredCanvasFormat: () => gpu.getPreferredCanvasFormat(),
    wgslLanguageFeatures: gpu.wgslLanguageFeatures,
  };
  const nav = (globalThis as { navigator?: object }).navigator;
  if (nav === undefined) {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu: navigatorGpu }, configurable: true, writable: true });
  } else {
    Object.defineProperty(nav, 'gpu', { value: navigatorGpu, configurable: true, writable: true });
  }
  return facts;
}

/** The facts of the adapter found by {@link prepareWebgpuAdapter}; null before one is found. */
export function foundWebgpuAdapter(): WebgpuAdapterFacts | null {
  return found?.facts ?? null;
}

/** The found adapter as logs and runs.backend name it, e.g. `llvmpipe-llvm-15-0-6-256-bits- via OpenGL ES`; null before one is found. */
export function describeWebgpuAdapter(): string | null {
  if (found === null) return null;
  const { device, dawnBackend, software } = found.facts;
  return `${device} via ${dawnBackend === 'opengles' ? 'OpenGL ES' : 'Vulkan'}${software ? ', software' : ''}`;
}

/** The one line a worker prints when no adapter is found. */
export function noAdapterMessage(): string {
  return (
    `backend webgpu: no WebGPU adapter found; install the Mesa EGL/GLES drivers ` +
    `(sudo apt-get install ${webgpuMesaPackages.join(' ')}) or a GPU driver with Vulkan`
  );
}
