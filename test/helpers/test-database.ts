// Tests and benchmarks share the scratch-database helper; it lives in infra/ so benchmarks need not import test code.
export {
  createScratchDatabase as createTestDatabase,
  type ScratchDatabase as TestDatabase,
} from '../../infra/postgres/scratch-database';
