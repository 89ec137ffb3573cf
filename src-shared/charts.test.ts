import { describe, expect, it } from 'vitest';
import { appliedBoundaryStepPu, convergenceOption, seriesTooltip, unitOfSeries } from './charts';

describe('chart tooltips and the convergence threshold', () => {
  it('each series is shown with its own unit, not one unit for all', () => {
    expect(unitOfSeries('Substation kvar')).toBe('kvar');
    expect(unitOfSeries('Price USD/kWh')).toBe('USD/kWh');
    expect(unitOfSeries('Demand kW')).toBe('kW');
    expect(unitOfSeries('Max boundary change')).toBe('');
    const fmt = (seriesTooltip() as { formatter: (p: unknown) => string }).formatter;
    const html = fmt([
      { axisValueLabel: '13:00', marker: '', seriesName: 'Substation kW', value: 1234.56 },
      { axisValueLabel: '13:00', marker: '', seriesName: 'Substation kvar', value: -80 },
      { axisValueLabel: '13:00', marker: '', seriesName: 'Price USD/kWh', value: 0.0466 },
    ]);
    expect(html).toBe(
      '13:00<br/>Substation: <b>1,234.6 kW</b><br/>Substation: <b>-80.0 kvar</b><br/>Price: <b>0.0466 USD/kWh</b>',
    );
  });

  it('the convergence chart draws the threshold the coordinator applies (tolerance / 10), and says so', () => {
    expect(appliedBoundaryStepPu(1e-3)).toBeCloseTo(1e-4, 18);
    const o = convergenceOption({ rounds: [] }, 1e-3) as {
      series: { markLine: { data: { yAxis: number }[]; label: { formatter: string } } }[];
    };
    expect(o.series[0]!.markLine.data[0]!.yAxis).toBeCloseTo(1e-4, 18);
    expect(o.series[0]!.markLine.label.formatter).toBe('rounds stop below 1e-4 pu (tolerance 1e-3 ÷ 10)');
  });
});
