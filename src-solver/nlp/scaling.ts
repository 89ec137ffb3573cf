/**
 * Gradient-based NLP scaling (W&B 2006 §3.8; Ipopt's GradientScaling, `nlp_scaling_method
 * gradient-based`).
 *
 * Problem: make the first derivatives at the starting point no larger than g_max so that the
 * unscaled tolerances mean the same thing for badly scaled models. Scaling factors
 *
 *     s_f = min(1, g_max / ‖∇f(x₀)‖∞),        s_c,i = min(1, g_max / ‖∇g_i(x₀)‖∞),
 *
 * floored at nlpScalingMinValue; the solver then minimizes s_f·f subject to
 * s_c,i·gL_i ≤ s_c,i·g_i(x) ≤ s_c,i·gU_i. Variables are not scaled. Factors never increase a
 * derivative (only ≤ 1), exactly as in Ipopt.
 */

/**
 * Returns s_f and fills `conScale` (length m) from the gradient and the Jacobian values at x₀.
 * Non-finite derivatives yield factor 1 (the caller reports them separately).
 */
export function gradientScaling(
  gradF: Float64Array,
  jacRows: Int32Array,
  jacVals: Float64Array,
  conScale: Float64Array,
  maxGradient: number,
  minValue: number,
): number {
  let gmax = 0;
  for (let j = 0; j < gradF.length; j++) gmax = Math.max(gmax, Math.abs(gradF[j]));
  const objScale = factor(gmax, maxGradient, minValue);
  const rowMax = conScale; // reuse the output as the row-max accumulator
  rowMax.fill(0);
  for (let k = 0; k < jacVals.length; k++) {
    const a = Math.abs(jacVals[k]);
    const i = jacRows[k];
    if (a > rowMax[i]) rowMax[i] = a;
  }
  for (let i = 0; i < conScale.length; i++) conScale[i] = factor(rowMax[i], maxGradient, minValue);
  return objScale;
}

function factor(maxAbs: number, maxGradient: number, minValue: number): number {
  if (!Number.isFinite(maxAbs) || maxAbs <= maxGradient) return 1;
  return Math.max(minValue, maxGradient / maxAbs);
}
