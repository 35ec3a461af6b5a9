/**
 * One engine's runs in a process of their own, for bench/engine-runs.ts's runEngineInChild:
 * prints the EngineRuns as JSON, plus the OpenBLAS kernel set and thread count the process had.
 *
 *   node --import tsx bench/engine-child.ts native '{"seeds":[1],"epochs":3,"trainSubset":null}'
 */
import { loadConfig } from '../config';
import { loadNativeKernels } from '../native/native-addon';
import { describeActiveEngine } from '../training/backends';
import { loadDatasetCached, locateDataset } from '../training/fashion-mnist';
import { runEngine, type BenchEngine, type ChildEngineRuns, type EngineWorkload } from './engine-runs';

const [engine, workloadJson] = process.argv.slice(2) as [BenchEngine, string];
const workload = JSON.parse(workloadJson) as EngineWorkload;
const data = loadDatasetCached(locateDataset({ dataDir: loadConfig().dataDir }));
const runs = await runEngine(engine, data, workload);
const load = loadNativeKernels();
const result: ChildEngineRuns = {
  ...runs,
  engineDescription: describeActiveEngine(),
  coreChoice: load.ok ? load.blasCore.reason : load.reason,
  threads: load.ok ? load.kernels.threads() : 0,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
