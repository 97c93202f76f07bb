import { median } from './stats.ts';

/** Runs per figure: BENCH_RUNS, or 7. */
export const RUNS = Number(process.env.BENCH_RUNS ?? 7);

export type Figure = { wall: number; cpu: number };

/**
 * Runs `work` `runs` times after a warm-up (JIT, lazy imports) and prints the median wall time and the median CPU
 * time of this process (user + system), which is what the work costs when other processes compete for the cores.
 */
export async function measure(label: string, work: () => unknown, runs = RUNS): Promise<Figure> {
  await work();
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < runs; i++) {
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    await work();
    walls.push(performance.now() - start);
    const cpu = process.cpuUsage(cpuStart);
    cpus.push((cpu.user + cpu.system) / 1000);
  }
  const figure = { wall: median(walls), cpu: median(cpus) };
  console.log(
    `${label.padEnd(52)} wall ${figure.wall.toFixed(1).padStart(8)} ms   cpu ${figure.cpu.toFixed(1).padStart(8)} ms`,
  );
  return figure;
}
