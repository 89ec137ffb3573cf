import type { Page } from '@playwright/test';

/**
 * The page's main-thread CPU time (Chromium's ThreadTime metric through the DevTools protocol),
 * for speed ceilings in the e2e specs: on a loaded machine the wall time of a renderer action
 * mostly measures the other processes waiting for a core, while its CPU time is the renderer's
 * own work. Call `ms()` before and after an action; the difference is its CPU time.
 */
export async function rendererCpu(page: Page): Promise<{ ms(): Promise<number> }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
  return {
    async ms() {
      const { metrics } = await cdp.send('Performance.getMetrics');
      const m = metrics.find((x) => x.name === 'ThreadTime');
      if (!m) throw new Error(`Chromium reports no ThreadTime metric (has: ${metrics.map((x) => x.name).join(', ')})`);
      return 1000 * m.value;
    },
  };
}
