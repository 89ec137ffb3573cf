/**
 * Storage economics: capital cost from per-kW and per-kWh prices, annualised with the capital
 * recovery factor, plus fixed O&M; net benefit, simple payback and net present value of an
 * annual saving over the lifetime.
 */

export interface Economics {
  /** Capital cost, USD per kW of power rating. */
  readonly capexUsdPerKw: number;
  /** Capital cost, USD per kWh of energy rating. */
  readonly capexUsdPerKwh: number;
  /** Fixed O&M, USD per kW-year. */
  readonly fixedOmUsdPerKwYear: number;
  /** Lifetime, years (integer ≥ 1). */
  readonly lifetimeYears: number;
  /** Discount rate, fraction per year (0 allowed). */
  readonly discountRate: number;
}

/**
 * Defaults (assumptions, stated in docs/siting.md; a planner sets their own): an installed
 * utility-scale Li-ion system split as 250 USD/kW + 300 USD/kWh (≈ 1,450 USD/kW for 4 h), no
 * fixed O&M, 15 years, 7 %.
 */
export const ECONOMICS_DEFAULTS: Economics = {
  capexUsdPerKw: 250,
  capexUsdPerKwh: 300,
  fixedOmUsdPerKwYear: 0,
  lifetimeYears: 15,
  discountRate: 0.07,
};

export class EconomicsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EconomicsError';
  }
}

export function checkEconomics(e: Economics): void {
  if (!(e.capexUsdPerKw >= 0) || !(e.capexUsdPerKwh >= 0))
    throw new EconomicsError(`capital costs must be ≥ 0 (got ${e.capexUsdPerKw} USD/kW, ${e.capexUsdPerKwh} USD/kWh)`);
  if (!(e.fixedOmUsdPerKwYear >= 0)) throw new EconomicsError(`fixed O&M must be ≥ 0 (got ${e.fixedOmUsdPerKwYear})`);
  if (!Number.isInteger(e.lifetimeYears) || e.lifetimeYears < 1)
    throw new EconomicsError(`lifetime must be a whole number of years ≥ 1 (got ${e.lifetimeYears})`);
  if (!(e.discountRate >= 0 && e.discountRate < 1))
    throw new EconomicsError(`discount rate must be a fraction in [0, 1) (got ${e.discountRate})`);
}

/** Σ_{y=1..L} (1+r)^−y: present value of 1 USD a year for L years. */
export function annuityFactor(rate: number, years: number): number {
  return rate === 0 ? years : (1 - (1 + rate) ** -years) / rate;
}

export interface SizeCost {
  readonly capexUsd: number;
  /** Capital recovery (capex / annuity factor) plus fixed O&M, USD/year. */
  readonly annualisedCostUsd: number;
}

export function sizeCost(e: Economics, kw: number, kwh: number): SizeCost {
  const capexUsd = e.capexUsdPerKw * kw + e.capexUsdPerKwh * kwh;
  return {
    capexUsd,
    annualisedCostUsd: capexUsd / annuityFactor(e.discountRate, e.lifetimeYears) + e.fixedOmUsdPerKwYear * kw,
  };
}

export interface Valuation extends SizeCost {
  /** Annual savings − annualised cost, USD/year. */
  readonly netBenefitUsd: number;
  /** capex / (annual savings − O&M), years; null when the savings do not cover O&M. */
  readonly simplePaybackYears: number | null;
  /** −capex + (annual savings − O&M) · annuity factor, USD. */
  readonly npvUsd: number;
}

export function valuate(
  e: Economics,
  sites: readonly { kw: number; kwh: number }[],
  annualSavingsUsd: number,
): Valuation {
  let capexUsd = 0;
  let annualisedCostUsd = 0;
  let om = 0;
  for (const s of sites) {
    const c = sizeCost(e, s.kw, s.kwh);
    capexUsd += c.capexUsd;
    annualisedCostUsd += c.annualisedCostUsd;
    om += e.fixedOmUsdPerKwYear * s.kw;
  }
  const net = annualSavingsUsd - om;
  return {
    capexUsd,
    annualisedCostUsd,
    netBenefitUsd: annualSavingsUsd - annualisedCostUsd,
    simplePaybackYears: net > 0 ? capexUsd / net : null,
    npvUsd: -capexUsd + net * annuityFactor(e.discountRate, e.lifetimeYears),
  };
}
