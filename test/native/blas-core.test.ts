import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyBlasCore, chooseBlasCore, parseCpuFlags } from '../../native/blas-core';

const avx512 = new Set(['sse2', 'avx', 'avx2', 'fma', 'avx512f', 'avx512bw', 'avx512dq', 'avx512vl', 'avx512cd']);
const avx2 = new Set(['sse2', 'avx', 'avx2', 'fma']);

test('chooseBlasCore picks SkylakeX with AVX-512, Haswell with AVX2 and FMA, and nothing otherwise', () => {
  assert.equal(chooseBlasCore(avx512, undefined).coreType, 'SkylakeX');
  assert.equal(chooseBlasCore(avx2, undefined).coreType, 'Haswell');
  // AVX-512 foundation without the byte/word and vector-length extensions (Xeon Phi) is not enough for SkylakeX.
  assert.equal(chooseBlasCore(new Set([...avx2, 'avx512f', 'avx512cd']), undefined).coreType, 'Haswell');
  assert.equal(chooseBlasCore(new Set(['sse2', 'avx2']), undefined).coreType, null);
  assert.equal(chooseBlasCore(new Set(), undefined).coreType, null);
});

test('chooseBlasCore leaves an OPENBLAS_CORETYPE set in the environment alone', () => {
  const choice = chooseBlasCore(avx512, 'Haswell');
  assert.equal(choice.coreType, null);
  assert.match(choice.reason, /OPENBLAS_CORETYPE=Haswell set in the environment/);
  assert.equal(chooseBlasCore(avx512, '  ').coreType, 'SkylakeX');
});

test('applyBlasCore sets OPENBLAS_CORETYPE only when it is unset', () => {
  const unset: NodeJS.ProcessEnv = {};
  assert.equal(applyBlasCore(unset, avx2).coreType, 'Haswell');
  assert.equal(unset.OPENBLAS_CORETYPE, 'Haswell');
  const pinned: NodeJS.ProcessEnv = { OPENBLAS_CORETYPE: 'Zen' };
  applyBlasCore(pinned, avx512);
  assert.equal(pinned.OPENBLAS_CORETYPE, 'Zen');
});

test('parseCpuFlags reads the first processor flags line of /proc/cpuinfo', () => {
  const cpuinfo = ['processor\t: 0', 'model name\t: Some CPU', 'flags\t\t: fpu sse2 avx2 fma', '', 'processor\t: 1', 'flags\t\t: fpu'].join('\n');
  assert.deepEqual([...parseCpuFlags(cpuinfo)], ['fpu', 'sse2', 'avx2', 'fma']);
  assert.equal(parseCpuFlags('processor\t: 0\n').size, 0);
});
