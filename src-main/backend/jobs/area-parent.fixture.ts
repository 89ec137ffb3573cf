/**
 * Test fixture (not production): a parent process that starts one area worker through
 * nodeAreaTransport and has it solve a long centralized OPF (the 'central' area of a scaled
 * IEEE 123, `copies` × 128 buses, T = 24). It prints `worker <pid>` once the solve is iterating,
 * then waits to be killed (node-area-transport.test.ts kills it with SIGKILL).
 */
import { generateScaledFeeder } from '../../../src-solver/examples/scaled';
import { loadIeee123 } from '../../../bench/ipopt-ref/export-data';
import { nodeAreaTransport } from './node-area-transport';

const copies = Number(process.argv[2] ?? 6);
const { feeder: base, price } = loadIeee123();
const feeder = generateScaledFeeder(base, copies);
const t = nodeAreaTransport()(1, 'central');
let announced = false;
t.onMessage((m) => {
  if (m.type === 'ready') t.send({ type: 'solve', round: 1, inputs: { childLoads: [] } });
  if (m.type === 'progress' && m.iter >= 2 && !announced) {
    announced = true;
    process.stdout.write(`worker ${t.pid}\n`);
  }
  if (m.type === 'result') process.stdout.write('solved\n');
});
t.send({
  type: 'init',
  area: 1,
  name: 'central',
  kind: 'central',
  spec: { feeder, study: { periods: 24, priceCentsPerKwh: price }, options: { validate: false } },
});
