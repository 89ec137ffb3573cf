/**
 * Test entry of an area process: the product's area solvers plus the test double 'lindistflow'
 * (testing/enapp/lindistflow-area.ts, the exact yardstick of the coordinator tests). Started by
 * `nodeAreaTransport(env, testingAreaWorkerEntry)` from tests only.
 */
import { areaSolverFactories } from '../../enapp/registry';
import { serveAreaProcess } from '../../worker/serve';
import { createLinDistFlowArea } from '../enapp/lindistflow-area';

serveAreaProcess({ ...areaSolverFactories, lindistflow: createLinDistFlowArea });
