// Tests and benchmarks share the scratch stack; it lives in infra/ so benchmarks need not import test code.
export {
  startScratchStack as startTestStack,
  type ScratchStack as TestStack,
  type ScratchStackOptions as TestStackOptions,
} from '../../infra/local/scratch-stack';
