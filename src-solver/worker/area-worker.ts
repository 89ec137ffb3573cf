/**
 * Entry of one area's solver process (worker/serve.ts) with the product's area solvers. It runs
 * under `child_process.fork` (CLI, Node host, tests) and as an Electron utility process.
 */
import { areaSolverFactories } from '../enapp/registry';
import { serveAreaProcess } from './serve';

serveAreaProcess(areaSolverFactories);
