/**
 * Child process of store.crash.test.ts (not part of the app): writes to a project in a loop —
 * a feeder with its base case, a run with three large series, a scenario edit — printing the
 * iteration number after each completed step, until it is killed.
 * Usage: node --import tsx crash-writer.ts <project path> <first iteration> <buses> <periods>
 */
import { randomTreeFeeder } from './fixtures';
import { Project } from './project';

const [path, firstArg, busesArg, periodsArg] = process.argv.slice(2);
const CRASH_BUSES = Number(busesArg);
const CRASH_PERIODS = Number(periodsArg);
if (!path || !(CRASH_BUSES > 1) || !(CRASH_PERIODS > 0)) {
  process.stderr.write('usage: crash-writer.ts <project path> <first iteration> <buses> <periods>\n');
  process.exit(2);
} else {
  const p = Project.open(path);
  for (let i = Number(firstArg ?? 0); ; i++) {
    const feeder = randomTreeFeeder(CRASH_BUSES, i + 1, `crash-${i}`);
    const { scenarioId } = p.addFeeder(feeder, { source: `crash ${i}` });
    const series: Record<string, { shape: number[]; data: Float64Array }> = {};
    for (const name of ['vPu', 'pKw', 'qKvar']) {
      series[name] = {
        shape: [CRASH_BUSES, CRASH_PERIODS],
        data: new Float64Array(CRASH_BUSES * CRASH_PERIODS).fill(i),
      };
    }
    p.saveRun(
      { scenarioId, kind: 'centralized', status: 'solved', settings: {}, stats: { fill: i, seriesCount: 3 } },
      series,
    );
    const pv = Array.from({ length: i % 5 }, (_, k) => ({
      name: `pv${k}`,
      bus: `b${k + 2}`,
      pRatedKw: i,
      sRatedKva: i,
    }));
    p.updateScenario(scenarioId, { name: `edited ${i}`, placements: { pv, batteries: [] } });
    process.stdout.write(`${i}\n`);
  }
}
