/**
 * The augmented (reduced) primal-dual system of W&B 2006 eq. (13) with the inertia-correcting
 * perturbations of eq. (26):
 *
 *                 w = (x, s)  (nw columns)          λ  (m columns)
 *          ┌                                     ┐ ┌    ┐     ┌      ┐
 *     nw   │  W + Σ + δ_w·I                 Aᵀ   │ │ Δw │  =  │ r_w  │
 *      m   │  A                           −δ_c·I │ │ Δλ │     │ r_λ  │
 *          └                                     ┘ └    ┘     └      ┘
 *
 *   W = ∇²_xx L (x block only, zero on slacks),   A = [ J_x   −I_S ]  (−1 in the slack column of
 *   every inequality row),   Σ = Z_L (W−W_L)⁻¹ + Z_U (W_U−W)⁻¹  (bound multipliers eliminated,
 *   eq. 13), rows of fixed variables are the identity.
 *
 * Assembled ONCE as an upper-triangle CSC pattern (sparse/csc.ts) with a map from every Hessian,
 * Jacobian, slack, Σ/δ_w and δ_c entry to its slot; each iteration only overwrites `values`.
 * The LDLᵀ symbolic analysis (ordering, elimination tree) is done once in the constructor.
 * Solves use iterative refinement against the unfactored matrix (LdlSolver.solveRefined).
 *
 * Two factorizations, chosen per problem (constructor option `ordering`, default 'auto'):
 *
 * (1) AMD PATH — plain AMD with a static regularization δ₀ (1e-8 at first) added to the λ
 *     diagonal inside the factorization only: LDLᵀ of K₀ = K − δ₀·[0 0; 0 I], quasi-definite
 *     whenever W + Σ + δ_w ≻ 0 (Vanderbei 1995: 1×1 pivots exist in ANY order, so AMD's
 *     least-fill order is allowed; 6.1× fewer flops than (2) on the 1,280-bus × 24 h OPF).
 *     Solves refine against the UNperturbed K (`values`): the step solves the IPM's system.
 *     Inertia: inertia(K₀) = (nw, m, 0) ⇔ H + AᵀA/(δ_c+δ₀) ≻ 0 (H = W+Σ+δ_w; Schur complement
 *     of the negative definite λ block). For v ∈ null(A), vᵀ(H + AᵀA/δ)v = vᵀHv, so a K₀ with
 *     the right inertia PROVES the reduced Hessian positive definite — the IPM's test (W&B §3.1)
 *     is not weakened, only made slightly more conservative (a reduced-PD H whose negative
 *     curvature off null(A) exceeds ‖A‖²/δ₀ gets a δ_w it did not need). What δ₀ does hide is a
 *     SINGULAR K (rank-deficient A with δ_c = 0): K₀ is regular — caught by refinement below.
 *     Watched on every factorization / solve:
 *       - K₀ reports a zero/non-finite pivot: most often AMD's cancellation of ±a²/δ₀ terms, so
 *         δ₀ is raised ×100 (up to 1e-6) and K₀ refactored with AMD (cheap). A zero that
 *         survives the largest δ₀ is reported as it is, like any singular K: the IPM perturbs
 *         (δ_w, δ_c) until the inertia is right. (Checking such zeros with the stable
 *         factorization first cost the 10,240-bus × 24 h OPF six stable factorizations, ~5 s
 *         each, and 0.6 GB for a second factor — and each one confirmed the zero.)
 *       - a refined solve ends with a backward error above `fallbackResidual` (1e-10): K is
 *         singular or K₀ too far from it — fall back to (2) for good, refactor, re-solve.
 *     `fallbackReason` says why (null while on (1)); `onFallback` is called once.
 * (2) STABLE PATH — `kktOrdering` (below) with the IPM's own δ_c only: what this solver used
 *     before; "singular" means what Ipopt means by it (a degenerate Jacobian).
 * 'auto' takes (1) only when (2) costs ≥ 1e8 multiply–adds and ≥ 2× those of (1): on small
 *     problems the saving is milliseconds and (1) changes the iterate path (see `minFlops`).
 *     Measured on HS: every problem reaches the published f* with (1) forced (kkt.test.ts), but
 *     HS13 (no KKT point at x*) ends at stationarity 4e-5 instead of < 1e-5.
 *
 * Fill-reducing base order of both paths: AMD over the whole pattern, or — when the problem gives
 * a period per variable and constraint (NlpProblem.periods) that fits the pattern — nested
 * dissection in time with one period's AMD order replicated (sparse/periodOrder.ts; `baseOrdering`,
 * `orderingNote`). "AMD" in the names below stands for that base order.
 *
 * Ordering (kktOrdering): AMD, except that every constraint row λ_i is eliminated only after all
 * the variables it couples to. The LDLᵀ uses static 1×1 pivots; eliminating λ_i first would
 * make its pivot −δ_c (tiny) and add ±a²/δ_c to its neighbours, which later cancel
 * catastrophically (seen on HS54). Eliminated after its neighbours, λ_i's pivot is
 * −δ_c − a_iᵀ(W+Σ)⁻¹a_i (a Schur complement of a positive definite block, no cancellation),
 * so the factorization is as stable as a Cholesky of each definite part. The elimination-tree
 * postorder done by LdlSolver keeps this property (neighbours are descendants).
 */
import { patternFromBlocks, type SymmetricPattern } from '../sparse/csc';
import { LdlSolver, type FactorResult } from '../sparse/ldl';
import { amdOrder } from '../sparse/amd';
import { periodOrder } from '../sparse/periodOrder';
import { permutedColumnCounts, permutedFactorFlops } from '../sparse/symbolic';
import { closeScratch, giveInt32, openScratch, takeInt32 } from '../sparse/scratch';
import type { InternalNlp } from './internalNlp';

export interface KktOptions {
  /**
   * 'auto' (default): plain AMD + δ₀ when it saves at least `minFlopRatio`× the flops of the
   * stable ordering, else the stable ordering. 'amd' / 'stable' force one path ('amd' still
   * falls back to the stable ordering when it proves unreliable).
   */
  readonly ordering?: 'auto' | 'amd' | 'stable';
  /** Zero-pivot threshold τ of the stable path's solver (LdlOptions.pivotTolerance); default LdlSolver's 1e-12. */
  readonly stablePivotTolerance?: number;
  /**
   * Use the problem's period hint (NlpProblem.periods) for the fill-reducing order when it fits
   * (sparse/periodOrder.ts). Default: KktSystem.periodOrdering, and only for systems of at least
   * KktSystem.periodOrderingMinDim rows; true: whatever the size; false: AMD always.
   */
  readonly periodOrdering?: boolean;
}

/**
 * The slots of K that can change between assemblies, and the entries summed into them, in the
 * full assembly's order; `…First` marks each slot's first entry in that order.
 */
interface PartialAssembly {
  /** Per Hessian entry. */
  readonly hessFirst: Uint8Array;
  /** Jacobian entries (ascending) whose slot can change, their slots and marks. */
  readonly jacIdx: Int32Array;
  readonly jacSlot: Int32Array;
  readonly jacFirst: Uint8Array;
  /** The slack −1s whose slot can change, and their marks. */
  readonly slackSlot: Int32Array;
  readonly slackFirst: Uint8Array;
  /** Diagonal positions (0 … dim−1) that receive an entry (of W). */
  readonly diagFed: Int32Array;
}

export class KktSystem {
  /** nw + m */
  readonly dim: number;
  readonly pattern: SymmetricPattern;
  /** The IPM's matrix K (what solves are refined against). */
  get values(): Float64Array {
    return this.k;
  }
  /** K's values (pattern order): the factoring solver's input array when it has one. */
  private k: Float64Array;
  /** Regularization δ₀ on the λ diagonal of the factored K₀ while on the AMD path. */
  static readonly staticDeltaC = 1e-8;
  /**
   * Zero-pivot threshold τ of the AMD solver (LdlOptions.pivotTolerance; the stable path keeps
   * the default 1e-12). On K₀ a λ row eliminated before two of its variables x₁, x₂ adds
   * a₁a₂/δ₀ between them, and x₂'s pivot is then h₂ + a₂²h₁/a₁² formed by cancelling terms of
   * size a²/δ₀: |d|/scale ≈ h·δ₀, at δ₀ = 1e-6 about 1e-12 for h ~ 1e-6 — a pivot whose sign is
   * certain (rounding error ~ε/δ₀ ≈ 2e-10 ≪ |d|) but which τ = 1e-12 calls zero. Measured on
   * the 10,240-bus × 24 h OPF: 6 such "singular" reports (pivots −2δ₀ and 4e-7 against scales
   * 2e6), each costing the IPM a perturbed refactorization (49 factorizations); with τ = 1e-14
   * (≈ 45 ε) none, 43 factorizations, same 39 iterations. Real cancellation to rounding level is
   * still caught, and refinement still guards every solve (`fallbackResidual`).
   */
  static readonly amdPivotTolerance = 1e-14;
  /** The stable path's LdlOptions.pivotTolerance, when given (KktOptions.stablePivotTolerance). */
  private readonly stableTau: { pivotTolerance?: number };
  /** Largest δ₀ the AMD path escalates to (×100 per factorization with a zero pivot). */
  static readonly maxDelta0 = 1e-6;
  /** The δ₀ in use (starts at staticDeltaC). */
  delta0 = KktSystem.staticDeltaC;
  /** Called when δ₀ is raised because the AMD factorization met zero pivots. */
  onDelta0?: (delta0: number, zeroPivots: number) => void;
  /** Backward error above which the AMD path is abandoned. */
  static readonly fallbackResidual = 1e-10;
  /**
   * 'auto' takes the AMD path only when the stable ordering costs more than this many times its
   * flops: below that the saving does not pay for the refinement solves and the changed
   * singularity reporting (measured: HS problems, where both orders cost about the same).
   */
  static readonly minFlopRatio = 2;
  /**
   * …and only when the stable factorization costs at least this many multiply–adds (≈ 0.1 s at
   * ~1 GFlop/s): below it the saving is a few ms per iteration, not worth a different iterate
   * path (measured: IEEE 123, T = 3, SOCP relaxation, 7.8e4 vs 1.8e5 flops, reaches
   * `restorationFailed` at iteration 17 on the AMD path, solves in 14 on the stable one).
   */
  static readonly minFlops = 1e8;
  /** The ordering used when the constructor is given none (tests and experiments may change it). */
  static defaultOrdering: 'auto' | 'amd' | 'stable' = 'auto';
  /** Whether a period hint is used when the constructor's options do not say (tests and benchmarks may change it). */
  static periodOrdering = true;
  /**
   * …and from which size of K on. Below it AMD over the whole pattern takes well under 0.1 s and
   * the factorization cannot be split over threads profitably, so the order (and with it the
   * round-off of every solve, the distributed rounds' included) stays what it was: measured, an
   * ENApp test on IEEE 123 three-phase × 24 h (4 areas) ends with its battery Q 1.2e-3 from the
   * centralized one under the dissection order, against a 1e-3 tolerance.
   */
  static periodOrderingMinDim = 200_000;
  /**
   * The fill-reducing order both paths start from: 'period' (dissection in time with one
   * period's AMD order replicated, sparse/periodOrder.ts — the problem gave a period hint that
   * fits) or 'amd' (AMD over the whole pattern); `orderingNote` says why.
   */
  readonly baseOrdering: 'amd' | 'period';
  orderingNote: string;
  /** Multiply–adds of one factorization under each ordering (Σ_j |L_{*j}|²). */
  get flopsAmd(): number {
    // counted on first use when the AMD solver was not built (the stable path below minFlops)
    this.amdFlops ??= factorFlops(this.pattern, this.amdOrdering);
    return this.amdFlops;
  }
  private amdFlops: number | undefined;
  private amdOrdering: Int32Array;
  /**
   * Multiply–adds of one factorization on the stable ordering: counted before the choice only
   * for 'auto' (which compares them); with the ordering forced, the stable solver's symbolic
   * analysis gives them (the same count: its postordering does not change the fill), or they are
   * counted on first use (a second symbolic pass over K, ~1 s on the 8500-node OPF × 24 h).
   */
  get flopsStable(): number {
    this.stableFlops ??= this.stableSolver?.flops ?? factorFlops(this.pattern, this.stableOrder);
    return this.stableFlops;
  }
  private stableFlops: number | undefined;
  /** Why the stable ordering is in use; null while on the AMD path. */
  fallbackReason: string | null = null;
  /** Called once, when switching to the stable ordering. */
  onFallback: (reason: string) => void = () => {};
  /** Plain AMD solver (path 1); null once fallen back. */
  private amdSolver: LdlSolver | null;
  /** kktOrdering solver (path 2), built on the first fallback. */
  private stableSolver: LdlSolver | null = null;
  /** The stable path's ordering (computed once, for the flop comparison). */
  private readonly stableOrder: Int32Array;
  /** K's λ diagonal, kept while `values` holds K₀ during an AMD factorization. */
  private readonly lambdaDiag: Float64Array;
  /** ‖K‖∞ of the assembled values (refinement's backward error), NaN until computed. */
  private normK = Number.NaN;
  /** The solver holding the last factorization. */
  private active: LdlSolver | null = null;
  /** AMD-path factorizations reported with zero pivots (they survived the largest δ₀). */
  zeroReports = 0;
  /** Copy of b for a re-solve after a fallback when x aliases b (allocated on first need). */
  private bSave: Float64Array | null = null;
  /** Slot of each Hessian entry, −1 when it touches a fixed variable. */
  private readonly hessPos: Int32Array;
  /** Slot of each Jacobian entry, −1 for a fixed column. */
  private readonly jacPos: Int32Array;
  /** Slot of the diagonal of each w and each λ. */
  private readonly diagPos: Int32Array;
  /**
   * The diagonal of K before Σ + δ_w and −δ_c are added (W's diagonal; 1 for fixed rows), kept by
   * `assemble` so that `perturb` can rewrite only the diagonal for the inertia correction's next
   * trial: the same values as a full assembly, bit for bit, in O(nw + m) instead of O(nnz(K)).
   */
  private readonly diagBase: Float64Array;
  /** True while `diagBase` belongs to the values in `values` (set by `assemble`). */
  private diagBaseValid = false;
  /** Full assemblies (`assemble` calls) and diagonal-only ones (`perturb`). */
  assemblies = 0;
  perturbations = 0;
  /**
   * Assemblies that rewrote only the slots that can change (`assemble` with the constant slots
   * still valid): a subset of `assemblies`.
   */
  partialAssemblies = 0;
  /**
   * The part of K that can change between assemblies when the problem declares constant Jacobian
   * entries (NlpProblem.constantJacobian; null otherwise). A slot of K is constant when it is off
   * the diagonal and every entry summed into it is a constant Jacobian entry or a slack's −1:
   * its value is then the same at every iterate, written by a full assembly and left alone by
   * the next ones (nothing else writes off-diagonal slots: `perturb`, `factorAmd` and the
   * refinement touch only the diagonal or read). The other slots receive their entries in the
   * full assembly's order (Hessian, Jacobian, slacks, each in index order), the first written as
   * 0 + value and the others added, so every slot's sum is formed as a full assembly forms it —
   * the same values, bit for bit; diagonal slots without an entry are left to `setDiagonal`.
   * On the 8500-node OPF × 24 h, 5.7 million of the 6.7 million Jacobian entries feed constant
   * slots (the QCQP's linear terms); on the balanced IEEE 123 × 720 h OPF, 1.15 of 1.52 million.
   */
  private readonly partial: PartialAssembly | null;
  /** True while the constant slots of `values` hold the constant Jacobian's values (see `partial`). */
  private constantsValid = false;
  /** Slot of the −1 of slack k in its constraint column. */
  private readonly slackPos: Int32Array;
  private readonly nw: number;
  private readonly fixed: Uint8Array;
  /** Last relative residual of a solve (backward error after refinement). */
  lastResidual = 0;
  /** Time spent in solves with refinement, ms (needs a clock, see `clock`). */
  solveMs = 0;
  /**
   * Backward error at which iterative refinement stops (SolveOptions.kktRefinementTolerance; set
   * per solve by the IPM). A refinement step costs a triangular solve pair and a product with K.
   */
  refinementTolerance = 1e-14;
  /** Refined solves (`solve` calls) and the triangular solve pairs they took (refinement included). */
  solves = 0;
  triangularSolves = 0;
  clock: () => number = () => 0;

  constructor(
    private readonly nlp: InternalNlp,
    options: KktOptions = {},
  ) {
    openScratch(); // the symbolic phase's temporaries are pooled (sparse/scratch.ts)
    try {
      const { m, nw, nS } = nlp;
      this.stableTau =
        options.stablePivotTolerance !== undefined ? { pivotTolerance: options.stablePivotTolerance } : {};
      this.nw = nw;
      this.fixed = nlp.fixed;
      const dim = nw + m;
      this.dim = dim;
      const nnzH = nlp.hRows.length;
      const nnzJ = nlp.jRows.length;
      const { pattern, map, hStart, jStart, sStart } = kktPattern(nlp);
      this.pattern = pattern;
      // views of the one map (no copy of its nnz(K)-size entries)
      this.diagPos = map.subarray(0, dim);
      this.diagBase = new Float64Array(dim);
      this.hessPos = map.subarray(hStart, jStart);
      this.jacPos = map.subarray(jStart, sStart);
      this.slackPos = map.subarray(sStart, sStart + nS);
      const fixed = nlp.fixed;
      for (let k = 0; k < nnzH; k++) if (fixed[nlp.hRows[k]] || fixed[nlp.hCols[k]]) this.hessPos[k] = -1;
      for (let k = 0; k < nnzJ; k++) if (fixed[nlp.jCols[k]]) this.jacPos[k] = -1;
      this.partial = partialAssembly(pattern.colPtr[dim], this.diagPos, this.hessPos, this.jacPos, this.slackPos, nlp);
      const fed = this.partial?.diagFed;
      this.lambdaDiagFed = fed !== undefined && fed.length > 0 && fed[fed.length - 1] >= nw;
      const choice = options.ordering ?? KktSystem.defaultOrdering;
      // The fill-reducing order: dissection in time when the problem's period hint fits, else AMD.
      const usePeriods = options.periodOrdering ?? (KktSystem.periodOrdering && dim >= KktSystem.periodOrderingMinDim);
      const hint = usePeriods
        ? kktPeriods(nlp)
        : options.periodOrdering === false || !KktSystem.periodOrdering
          ? 'period ordering off'
          : `${dim} rows, below ${KktSystem.periodOrderingMinDim}: AMD takes well under 0.1 s`;
      const per =
        typeof hint === 'string' ? { ok: false as const, reason: hint } : periodOrder(pattern, hint.of, hint.count);
      if (typeof hint !== 'string') giveInt32(hint.of);
      this.baseOrdering = per.ok ? 'period' : 'amd';
      this.orderingNote = per.ok
        ? `dissection in time: ${per.periods} periods, ${per.separatorNodes} separator nodes, ${per.noPeriodNodes} of no period, ${per.amdRuns} AMD run(s) on a period`
        : `AMD (${per.reason})`;
      const amd = per.ok ? per.order : amdOrder(pattern);
      const stableOrder = kktOrdering(pattern, nw, amd);
      this.stableOrder = stableOrder;
      // 'auto': the stable order's cost first; below minFlops the stable path is taken whatever the
      // plain order's flops (counted only when asked for, flopsAmd); above it the plain order's flops
      // are counted symbolically too, and only the solver of the path taken is built — a plain-path
      // solver built just for its flops and then dropped cost a whole second symbolic analysis (IEEE
      // 123 × 720 h, where dissection in time puts the stable order at 1.2e8 flops, the plain at 1.1e8).
      // (the stable order's tree and column counts, kept for its solver's constructor below)
      const stableAnalysis = choice === 'auto' ? permutedColumnCounts(pattern, stableOrder) : undefined;
      if (stableAnalysis) this.stableFlops = flopsOfCounts(stableAnalysis.counts);
      this.amdOrdering = amd;
      // The plain order's count stops once it reaches flopsStable / minFlopRatio: the plain path is
      // then out whatever the rest adds (exact: the ratio is 2, the halving rounds nothing), and
      // flopsAmd is counted in full only if asked for. (IEEE 123 × 720 h: 1.06e8 against 1.16e8,
      // so the count stops once it passes 0.58e8.)
      let amdCheaper = false;
      if (choice === 'auto' && this.flopsStable >= KktSystem.minFlops) {
        const plain = permutedFactorFlops(pattern, amd, this.flopsStable / KktSystem.minFlopRatio);
        if (plain.complete) this.amdFlops = plain.flops;
        amdCheaper = plain.complete && this.flopsStable > KktSystem.minFlopRatio * plain.flops;
      }
      const useAmd = choice === 'amd' || (choice === 'auto' && this.flopsStable >= KktSystem.minFlops && amdCheaper);
      // The plain path on dissection in time can cost several times AMD's flops where the periods
      // are coupled by many batteries (IEEE 123 × 720 h, 26 batteries: 1.06e8 against 0.36e8; the
      // stable order's deferred λ rows hide the difference, the plain order does not): when that
      // path is taken, AMD's order is counted too and the cheaper one kept.
      if (useAmd && per.ok) {
        const whole = amdOrder(pattern);
        const wholeFlops = factorFlops(pattern, whole);
        const periodFlops = this.amdFlops ?? factorFlops(pattern, amd);
        if (wholeFlops < periodFlops) {
          this.amdOrdering = whole;
          this.orderingNote += `; the plain path on AMD's order (${wholeFlops.toExponential(2)} flops against ${periodFlops.toExponential(2)})`;
        }
      }
      const amdSolver = useAmd
        ? new LdlSolver(pattern, { ordering: this.amdOrdering, pivotTolerance: KktSystem.amdPivotTolerance })
        : null;
      if (amdSolver) this.amdFlops = amdSolver.flops;
      if (useAmd) {
        this.amdSolver = amdSolver;
      } else {
        this.amdSolver = null;
        this.stableSolver = new LdlSolver(pattern, {
          ordering: stableOrder,
          ...this.stableTau,
          ...(stableAnalysis ? { analysis: stableAnalysis } : {}),
        });
      }
      // K lives in the factoring solver's own input array when it has one (WebAssembly kernel):
      // no copy of nnz(K) doubles per factorization, and one array of that size less.
      this.k = (useAmd ? amdSolver : this.stableSolver)?.stagingValues() ?? new Float64Array(pattern.colPtr[dim]);
      this.lambdaDiag = new Float64Array(useAmd ? m : 0);
    } finally {
      closeScratch();
    }
  }

  /** 'amd' while on path (1), 'stable' once on path (2). */
  get path(): 'amd' | 'stable' {
    return this.amdSolver ? 'amd' : 'stable';
  }

  /** The solver in use (plain AMD, or the stable kktOrdering after a fallback). */
  get solver(): LdlSolver {
    return this.active ?? this.amdSolver ?? this.stable();
  }

  private stable(): LdlSolver {
    this.stableSolver ??= new LdlSolver(this.pattern, { ordering: this.stableOrder, ...this.stableTau });
    return this.stableSolver;
  }

  /** Switch permanently to the stable ordering and refactor the current K with it. */
  private fallBack(reason: string): void {
    this.amdSolver = null;
    this.fallbackReason = reason;
    this.onFallback(reason);
    this.active = this.stable();
    // K moves into the stable solver's input array: the AMD solver's memory (where K lived) is
    // then garbage as a whole instead of being kept alive by this one view.
    const staged = this.active.stagingValues();
    this.k = staged ? (staged.set(this.k), staged) : this.k.slice(); // all of K, the constant slots too
    this.active.factor(this.values);
    this.factoredInPlace = true;
    this.changedCount = -1;
  }

  /**
   * Write the matrix values: W (hess, or zero when null), A (jac), Σ + δ_w on the w diagonal,
   * −δ_c on the λ diagonal. `sigma` has length nw.
   */
  assemble(hess: Float64Array | null, jac: Float64Array, sigma: Float64Array, deltaW: number, deltaC: number): void {
    const v = this.values;
    this.normK = Number.NaN;
    this.factoredInPlace = false;
    const dp = this.diagPos;
    const base = this.diagBase;
    const fixed = this.fixed;
    // (W = 0, the least-squares multipliers' system, is a full assembly: W's slots must be zeroed)
    const partial = this.constantsValid && hess ? this.partial : null;
    if (partial && hess) {
      // Only the slots that can change (see `partial`). Each slot's first entry in the full
      // assembly's order is written as 0 + value (what zeroing and adding gave, −0 included), the
      // others are added after it in that order; the constant slots keep their values.
      const { hessFirst, jacIdx, jacSlot, jacFirst, slackSlot, slackFirst, diagFed } = partial;
      // (each loop a function of its own: see iterate.ts on loops inside methods)
      addHessianPartial(v, this.hessPos, hessFirst, hess);
      addJacobianPartial(v, jacSlot, jacFirst, jacIdx, jac);
      addSlacksPartial(v, slackSlot, slackFirst);
      // W's diagonal where it has entries; the other diagonal slots are rewritten by setDiagonal
      // from the base the full assembly left (0, or 1 for a fixed variable), which cannot change
      gatherDiagonal(base, v, dp, diagFed);
      this.partialAssemblies++;
    } else {
      v.fill(0);
      this.lambdaDiagDeltaC = Number.NaN;
      if (hess) {
        const hp = this.hessPos;
        for (let k = 0; k < hp.length; k++) {
          const q = hp[k];
          if (q >= 0) v[q] += hess[k];
        }
      }
      const jp = this.jacPos;
      for (let k = 0; k < jp.length; k++) {
        const q = jp[k];
        if (q >= 0) v[q] += jac[k];
      }
      const sp = this.slackPos;
      for (let k = 0; k < sp.length; k++) v[sp[k]] -= 1;
      this.constantsValid = this.partial !== null;
      for (let j = 0; j < this.nw; j++) base[j] = j < fixed.length && fixed[j] ? 1 : v[dp[j]];
      for (let i = this.nw; i < this.dim; i++) base[i] = v[dp[i]];
    }
    this.diagBaseValid = true;
    this.assemblies++;
    this.setDiagonal(sigma, deltaW, deltaC);
  }

  /**
   * Forget the constant slots' values (see `partial`): the next `assemble` writes all of K. For a
   * new problem on a kept system (SolverWorkspace: the same structure, maybe other constants) and
   * after the Jacobian's scaling changed. The solver calls it at the start of every solve.
   */
  invalidateConstants(): void {
    this.constantsValid = false;
  }

  /**
   * The same matrix with other perturbations (δ_w, δ_c): only the diagonal is rewritten, from
   * the last `assemble`'s W, A and `sigma` (which must be the same array contents as then).
   */
  perturb(sigma: Float64Array, deltaW: number, deltaC: number): void {
    if (!this.diagBaseValid) throw new Error('KktSystem.perturb before assemble');
    this.normK = Number.NaN;
    this.perturbations++;
    this.setDiagonal(sigma, deltaW, deltaC);
  }

  /**
   * δ_w per primal variable (length nw) in place of the scalar δ_w of `assemble`/`perturb` while
   * set (the inertia correction's per-period shift, inertia.ts); null: the scalar everywhere.
   */
  deltaWPerVariable: Float64Array | null = null;

  private setDiagonal(sigma: Float64Array, deltaW: number, deltaC: number): void {
    const v = this.values;
    const dp = this.diagPos;
    const base = this.diagBase;
    const nw = this.nw;
    const fixed = this.fixed;
    // the λ diagonal is base − δ_c with a base no partial assembly changes: rewritten only when
    // δ_c changed (Object.is: −0 and +0 give other results on a −0 base) or after a full assembly
    const lambdaToo = !Object.is(this.lambdaDiagDeltaC, deltaC) || this.lambdaDiagFed;
    const end = lambdaToo ? this.dim : nw;
    const dv = this.deltaWPerVariable;
    if (this.factoredInPlace && !this.amdSolver && this.changedCount < 0) {
      // Only the diagonal changes after the factorization in place: list the columns whose
      // value changes (bit for bit: −0 and +0 differ) for a partial refactorization (`factor`).
      const changed = (this.changedColumns ??= new Int32Array(this.dim));
      this.changedCount = writeDiagonal(v, dp, base, fixed, sigma, dv, deltaW, deltaC, nw, end, changed);
    } else {
      // a second rewrite before the factorization: the list would miss the first one's changes
      this.factoredInPlace = false;
      this.changedCount = -1;
      writeDiagonal(v, dp, base, fixed, sigma, dv, deltaW, deltaC, nw, end, null);
    }
    this.lambdaDiagDeltaC = deltaC;
  }

  /**
   * The δ_c that the λ diagonal of `values` holds as base − δ_c (NaN: not known, after a full
   * assembly). Nothing else writes it: factorAmd restores it exactly after forming K₀, and the
   * fallback copies K whole. Measured on IEEE 123 × 720 h: δ_c = 0 in every factorization, so
   * each one after the first rewrote m unchanged values.
   */
  private lambdaDiagDeltaC = Number.NaN;
  /** Whether a partial assembly can change the λ diagonal's base (an entry of W or A on it: never for this K). */
  private readonly lambdaDiagFed: boolean;

  /**
   * True while `values` hold what the stable solver factored last (set by `factor`, cleared by
   * every other writer of `values` but `setDiagonal`, which then lists what it changed).
   */
  private factoredInPlace = false;
  /** Columns whose diagonal `setDiagonal` changed since that factorization (changedCount of them; −1: unknown). */
  private changedColumns: Int32Array | null = null;
  private changedCount = -1;
  /** Factorizations that refactored only part of the factor (LdlSolver.refactorDiagonal), and the sum of their shares. */
  partialFactorizations = 0;
  partialShare = 0;

  /** Numeric factorization; inertia wanted: (nw, m, 0). */
  factor(): FactorResult {
    const amd = this.amdSolver;
    if (!amd) {
      const solver = this.stable();
      const partial = this.factoredInPlace && this.changedCount >= 0;
      const r = partial
        ? solver.refactorDiagonal(this.values, this.changedColumns as Int32Array, this.changedCount)
        : solver.factor(this.values);
      if (partial && solver.lastRefactoredShare < 1) {
        this.partialFactorizations++;
        this.partialShare += solver.lastRefactoredShare;
      }
      this.factoredInPlace = true;
      this.changedCount = -1;
      return r;
    }
    this.factoredInPlace = false;
    let r = this.factorAmd(amd);
    // A zero pivot of K₀: usually AMD's cancellation of ±a²/δ₀ terms, which a larger δ₀ removes.
    while (!r.ok && this.delta0 * 100 <= KktSystem.maxDelta0) {
      this.delta0 *= 100;
      this.onDelta0?.(this.delta0, r.zero);
      r = this.factorAmd(amd);
    }
    if (!r.ok) this.zeroReports++; // still zero at the largest δ₀: the IPM perturbs
    return r;
  }

  /**
   * LDLᵀ of K₀ = K − δ₀ on the λ diagonal with the AMD solver: K₀ is formed in `values` itself
   * and K's λ diagonal restored exactly afterwards (no second nnz(K) array).
   */
  private factorAmd(amd: LdlSolver): FactorResult {
    const v = this.values;
    const dp = this.diagPos;
    const d0 = this.delta0;
    const nw = this.nw;
    const keep = this.lambdaDiag;
    shiftLambdaDiagonal(v, dp, keep, d0, nw, this.dim);
    this.active = amd;
    try {
      return amd.factor(v);
    } finally {
      restoreLambdaDiagonal(v, dp, keep, nw, this.dim);
    }
  }

  /** True when `r` is the inertia of a correctly perturbed system (W&B §3.1). */
  hasCorrectInertia(r: FactorResult): boolean {
    return r.ok && r.zero === 0 && r.positive === this.nw && r.negative === this.dim - this.nw;
  }

  /** K x = b with iterative refinement (b untouched, x may alias b). */
  solve(b: Float64Array, x: Float64Array): void {
    const t = this.clock();
    if (x === b && this.amdSolver) {
      // keep b for a possible re-solve after a fallback
      this.bSave ??= new Float64Array(this.dim);
      this.bSave.set(b);
      b = this.bSave;
    }
    // ‖K‖∞ once per assembled K: computed with the first solve's residual, then reused
    let res = this.solver.solveRefined(this.values, b, x, 10, this.refinementTolerance, this.normK);
    this.solves++;
    this.triangularSolves += this.solver.lastTriangularSolves;
    this.normK = this.solver.lastNormA;
    if (this.amdSolver && this.active === this.amdSolver && !(res <= KktSystem.fallbackResidual)) {
      this.fallBack(
        `refinement with plain AMD and δ₀ = ${this.delta0} stalled at backward error ${res.toExponential(2)}`,
      );
      res = this.stable().solveRefined(this.values, b, x, 10, this.refinementTolerance, this.normK);
      this.triangularSolves += this.stable().lastTriangularSolves;
    }
    this.lastResidual = res;
    this.solveMs += this.clock() - t;
  }
}

/**
 * The upper-triangle pattern of K (diagonal, Hessian, Jacobian, slack entries, in this order in
 * `map`: the slot of each) and where each group starts in `map`.
 */
export function kktPattern(nlp: InternalNlp): {
  pattern: SymmetricPattern;
  map: Int32Array;
  hStart: number;
  jStart: number;
  sStart: number;
} {
  const { n, m, nw, nS } = nlp;
  const dim = nw + m;
  const nnzH = nlp.hRows.length;
  const nnzJ = nlp.jRows.length;
  // The blocks as they are (a Jacobian entry (r, c) is (c, nw + r) of K, a slack's −1 is
  // (n + k, nw + conOfSlack[k])): no triplet arrays of K's size (fresh memory costs more than the
  // passes, see patternFromBlocks); the diagonal is always stored, its slots read off colPtr.
  const hStart = dim;
  const jStart = hStart + nnzH;
  const sStart = jStart + nnzJ;
  const map = new Int32Array(sStart + nS);
  const slackIds = new Int32Array(nS);
  for (let k = 0; k < nS; k++) slackIds[k] = k;
  const pattern = patternFromBlocks(
    dim,
    [
      { rows: nlp.hRows, cols: nlp.hCols, rowShift: 0, colShift: 0 },
      { rows: nlp.jCols, cols: nlp.jRows, rowShift: 0, colShift: nw },
      { rows: slackIds, cols: nlp.conOfSlack, rowShift: n, colShift: nw },
    ],
    map,
    hStart,
  );
  for (let j = 0; j < dim; j++) map[j] = pattern.colPtr[j + 1] - 1;
  return { pattern, map, hStart, jStart, sStart };
}

/**
 * The period of every node of K (x, then slacks, then λ) from the problem's hint
 * (NlpProblem.periods): a slack and a λ take their constraint's period. A string says why there is
 * none (no hint, or one of the wrong size).
 */
export function kktPeriods(nlp: InternalNlp): { count: number; of: Int32Array } | string {
  const h = nlp.p.periods;
  if (!h) return 'no period hint';
  const { n, m, nw, nS } = nlp;
  if (h.ofVar.length !== n || h.ofCon.length !== m)
    return `period hint for ${h.ofVar.length} variables and ${h.ofCon.length} constraints, the problem has ${n} and ${m}`;
  const of = takeInt32(nw + m); // (scratch.ts: KktSystem hands it back after periodOrder)
  of.set(h.ofVar);
  for (let k = 0; k < nS; k++) of[n + k] = h.ofCon[nlp.conOfSlack[k]];
  of.set(h.ofCon, nw);
  return { count: h.count, of };
}

/**
 * AMD order of the KKT pattern with each λ node (index ≥ nw) deferred until all its w
 * neighbours are eliminated (see the file comment).
 */
export function kktOrdering(pattern: SymmetricPattern, nw: number, amd: Int32Array = amdOrder(pattern)): Int32Array {
  const n = pattern.n;
  const { colPtr, rowIdx } = pattern;
  // w → λ adjacency (λ columns hold their w rows in the upper triangle).
  const count = takeInt32(n); // remaining w neighbours of each λ (scratch.ts, as wDeg, adj, fill)
  const wDeg = takeInt32(nw + 1);
  for (let c = nw; c < n; c++) {
    for (let q = colPtr[c]; q < colPtr[c + 1]; q++) {
      const r = rowIdx[q];
      if (r < nw) {
        count[c]++;
        wDeg[r + 1]++;
      }
    }
  }
  for (let j = 0; j < nw; j++) wDeg[j + 1] += wDeg[j];
  const adj = takeInt32(wDeg[nw]);
  const fill = takeInt32(nw);
  fill.set(wDeg.subarray(0, nw));
  for (let c = nw; c < n; c++) {
    for (let q = colPtr[c]; q < colPtr[c + 1]; q++) {
      const r = rowIdx[q];
      if (r < nw) adj[fill[r]++] = c;
    }
  }
  const reached = new Uint8Array(n);
  const out = new Int32Array(n);
  let k = 0;
  for (let t = 0; t < n; t++) {
    const v = amd[t];
    if (v < nw) {
      out[k++] = v;
      for (let q = wDeg[v]; q < wDeg[v + 1]; q++) {
        const c = adj[q];
        if (--count[c] === 0 && reached[c]) out[k++] = c;
      }
    } else if (count[v] === 0) out[k++] = v;
    else reached[v] = 1;
  }
  giveInt32(count, wDeg, adj, fill);
  return out;
}

/** Σ_j |L_{*j}|² of the LDLᵀ of P A Pᵀ for the order `order` (symbolic only, O(nnz(A))). */
export function factorFlops(pattern: SymmetricPattern, order: Int32Array): number {
  return flopsOfCounts(permutedColumnCounts(pattern, order).counts);
}

/** Σ_j |L_{*j}|² from the strictly-lower column counts of L. */
function flopsOfCounts(cc: Int32Array): number {
  let flops = 0;
  for (let j = 0; j < cc.length; j++) flops += cc[j] * cc[j];
  return flops;
}

/**
 * KktSystem's partial assembly (see its `partial` field), or null when the problem declares no
 * constant Jacobian entry or when nearly every slot can change (then nothing is saved).
 */
function partialAssembly(
  nnzK: number,
  diagPos: Int32Array,
  hessPos: Int32Array,
  jacPos: Int32Array,
  slackPos: Int32Array,
  nlp: InternalNlp,
): PartialAssembly | null {
  const constant = nlp.p.constantJacobian;
  if (!constant) return null;
  // 1 = the slot can change: the diagonal (perturb rewrites it), every Hessian slot, every slot
  // of a changing Jacobian entry
  const changing = new Uint8Array(nnzK);
  for (let i = 0; i < diagPos.length; i++) changing[diagPos[i]] = 1;
  for (let k = 0; k < hessPos.length; k++) if (hessPos[k] >= 0) changing[hessPos[k]] = 1;
  for (let k = 0; k < jacPos.length; k++) if (jacPos[k] >= 0 && !constant[k]) changing[jacPos[k]] = 1;
  let nJac = 0;
  for (let k = 0; k < jacPos.length; k++) if (jacPos[k] >= 0 && changing[jacPos[k]]) nJac++;
  if (nJac === jacPos.length) return null;
  // each changing slot's first entry, in the full assembly's order (Hessian, Jacobian, slacks)
  const seen = new Uint8Array(nnzK);
  const first = (q: number): number => (seen[q] ? 0 : (seen[q] = 1));
  const hessFirst = new Uint8Array(hessPos.length);
  for (let k = 0; k < hessPos.length; k++) if (hessPos[k] >= 0) hessFirst[k] = first(hessPos[k]);
  const jacIdx = new Int32Array(nJac);
  const jacSlot = new Int32Array(nJac);
  const jacFirst = new Uint8Array(nJac);
  for (let k = 0, t = 0; k < jacPos.length; k++) {
    const q = jacPos[k];
    if (q >= 0 && changing[q]) {
      jacIdx[t] = k;
      jacSlot[t] = q;
      jacFirst[t++] = first(q);
    }
  }
  let nSlack = 0;
  for (let k = 0; k < slackPos.length; k++) nSlack += changing[slackPos[k]];
  const slackSlot = new Int32Array(nSlack);
  const slackFirst = new Uint8Array(nSlack);
  for (let k = 0, t = 0; k < slackPos.length; k++) {
    if (changing[slackPos[k]]) {
      slackSlot[t] = slackPos[k];
      slackFirst[t++] = first(slackPos[k]);
    }
  }
  let nFed = 0;
  for (let i = 0; i < diagPos.length; i++) nFed += seen[diagPos[i]];
  const diagFed = new Int32Array(nFed);
  for (let i = 0, t = 0; i < diagPos.length; i++) if (seen[diagPos[i]]) diagFed[t++] = i;
  return { hessFirst, jacIdx, jacSlot, jacFirst, slackSlot, slackFirst, diagFed };
}

/*
 * The per-iteration loops of KktSystem as functions of typed arrays and numbers that end with
 * their loop (see iterate.ts: a loop inside a method that reads `this` after it ran partly in
 * the interpreter on every call). The same operations in the same order as written inline.
 */

/** The changing Hessian slots of a partial assembly (first entry 0 + h, the others added). */
function addHessianPartial(v: Float64Array, hp: Int32Array, hessFirst: Uint8Array, hess: Float64Array): void {
  for (let k = 0; k < hp.length; k++) {
    const q = hp[k];
    if (q >= 0) v[q] = hessFirst[k] ? 0 + hess[k] : v[q] + hess[k];
  }
}

/** The changing Jacobian slots of a partial assembly. */
function addJacobianPartial(
  v: Float64Array,
  jacSlot: Int32Array,
  jacFirst: Uint8Array,
  jacIdx: Int32Array,
  jac: Float64Array,
): void {
  for (let t = 0; t < jacIdx.length; t++) {
    const q = jacSlot[t];
    v[q] = jacFirst[t] ? 0 + jac[jacIdx[t]] : v[q] + jac[jacIdx[t]];
  }
}

/** The slack −1s in changing slots of a partial assembly. */
function addSlacksPartial(v: Float64Array, slackSlot: Int32Array, slackFirst: Uint8Array): void {
  for (let t = 0; t < slackSlot.length; t++) {
    const q = slackSlot[t];
    v[q] = slackFirst[t] ? 0 - 1 : v[q] - 1;
  }
}

/** base[i] = v[dp[i]] for the diagonal positions i in `fed`. */
function gatherDiagonal(base: Float64Array, v: Float64Array, dp: Int32Array, fed: Int32Array): void {
  for (let t = 0; t < fed.length; t++) base[fed[t]] = v[dp[fed[t]]];
}

/**
 * KktSystem.setDiagonal's loops: W + Σ + δ_w (1 for fixed rows) on the w diagonal, and base − δ_c
 * on the λ diagonal positions nw … end − 1 (end = nw: none). With `changed` (after a
 * factorization in place) the positions whose value changes (bit for bit: −0 and +0 differ) are
 * listed there too; returns how many (−1 without).
 */
function writeDiagonal(
  v: Float64Array,
  dp: Int32Array,
  base: Float64Array,
  fixed: Uint8Array,
  sigma: Float64Array,
  dv: Float64Array | null,
  deltaW: number,
  deltaC: number,
  nw: number,
  end: number,
  changed: Int32Array | null,
): number {
  if (changed === null) {
    for (let j = 0; j < nw; j++) {
      if (j < fixed.length && fixed[j]) v[dp[j]] = 1;
      else v[dp[j]] = base[j] + (sigma[j] + (dv ? dv[j] : deltaW));
    }
    for (let i = nw; i < end; i++) v[dp[i]] = base[i] - deltaC;
    return -1;
  }
  let count = 0;
  for (let i = 0; i < end; i++) {
    const x =
      i < nw ? (i < fixed.length && fixed[i] ? 1 : base[i] + (sigma[i] + (dv ? dv[i] : deltaW))) : base[i] - deltaC;
    const q = dp[i];
    const old = v[q];
    if (x !== old || (x === 0 && 1 / x !== 1 / old)) changed[count++] = i;
    v[q] = x;
  }
  return count;
}

/** Keep K's λ diagonal and subtract δ₀ from it (KktSystem.factorAmd). */
function shiftLambdaDiagonal(
  v: Float64Array,
  dp: Int32Array,
  keep: Float64Array,
  d0: number,
  nw: number,
  dim: number,
): void {
  for (let i = nw; i < dim; i++) {
    keep[i - nw] = v[dp[i]];
    v[dp[i]] -= d0;
  }
}

/** Put K's λ diagonal back exactly. */
function restoreLambdaDiagonal(v: Float64Array, dp: Int32Array, keep: Float64Array, nw: number, dim: number): void {
  for (let i = nw; i < dim; i++) v[dp[i]] = keep[i - nw];
}
