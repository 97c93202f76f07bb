/** Bundled into the Chromium page by browser.ts: runs the same measurement there, on two parsed documents. */
import { type Edit, measure, type Options, type Summary } from './measure.ts';

declare global {
  interface Window {
    pizhuBench: (
      v1: string,
      v2: string,
      edits: [number, Edit[]][],
      options: Options,
    ) => Promise<{ lines: string[]; summary: Summary }>;
  }
}

window.pizhuBench = async (v1Html, v2Html, edits, options) => {
  const parser = new DOMParser();
  const v1 = parser.parseFromString(v1Html, 'text/html');
  const v2 = parser.parseFromString(v2Html, 'text/html');
  const lines: string[] = [];
  // the page has no CPU clock: wall time stands for both
  const clock = () => {
    const started = performance.now();
    return () => {
      const wall = performance.now() - started;
      return { wall, cpu: wall };
    };
  };
  const summary = await measure(v1, v2, edits, options, clock, { log: (line) => lines.push(line), progress: () => {} });
  return { lines, summary };
};
