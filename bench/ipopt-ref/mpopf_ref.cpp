// Native-Ipopt reference for Tessera's multi-period OPF.
//
// An INDEPENDENT implementation of /work/shared/spec/mpopf-formulation.md (equations (1)-(12),
// both objectives, the battery-loss term, terminal SOC equal/soft/free, box/disk battery limit,
// exact or SOCP-relaxed branch power) as an Ipopt TNLP, solved with Ipopt + MUMPS. It reads the
// plain per-unit data file written by bench/ipopt-ref/export-data.ts (data only: the network,
// loads, PV forecast, batteries, prices, options) and builds the model itself, with its own
// variable layout (quantity-major: all P, then all Q, ...; within a quantity, element-major then
// period), its own derivative code and its own power-flow starting point.
//
// Model conventions shared with the TS model by specification (see src-solver/opf/model.ts):
//   objective in engineering units (K = baseKva):
//   cost objective  = sum_t C_t[USD/kWh] * K Psubs_t[pu] * dt ; loss = K sum_t sum_e r_e l_e,t
//   alpha term      = alpha * K sum ((1-etac) Pc + (1/etad - 1) Pd)   (no dt)
//   soft terminal   = w * sum_k (K (B_k,T - B_k,0))^2
//   disk row        = ((Pd - Pc)^2 + qB^2) / S^2 <= 1 plus the implied box |qB| <= S ;
//   l has no lower bound (implied by (4)).
//
// Usage: mpopf_ref <data file> [--full] [--print-level N] [--tol 1e-8]
// Prints one JSON object: status, objective, iterations, seconds, totals, (with --full) solution.
#include <IpIpoptApplication.hpp>
#include <IpTNLP.hpp>
#include <IpSolveStatistics.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

using namespace Ipopt;

struct Data {
  double baseKva = 0, dtH = 1, alpha = 0, softWeight = 0, vmin = 0.95, vmax = 1.05;
  int T = 0, N = 0, nPv = 0, nBat = 0;
  std::string objective, terminal, batteryLimit;
  bool relax = false;
  std::vector<double> vroot, price;
  std::vector<std::string> busName;
  std::vector<int> parent;
  std::vector<double> r, x, imaxsq, qc;  // per bus (bus 0 unused)
  std::vector<double> pl, ql;            // [bus*T + t]
  std::vector<int> pvBus;
  std::vector<double> pvS, pvP;          // pvP[k*T + t]
  std::vector<int> batBus;
  std::vector<double> batP, batS, batE, etac, etad, socmin, socmax, b0;
};

static double readNum(std::istream& in) {
  std::string s;
  in >> s;
  if (s == "inf" || s == "Infinity") return std::numeric_limits<double>::infinity();
  if (s == "-inf" || s == "-Infinity") return -std::numeric_limits<double>::infinity();
  return std::stod(s);
}

static void expect(std::istream& in, const char* key) {
  std::string s;
  in >> s;
  if (s != key) throw std::runtime_error(std::string("data file: expected '") + key + "', got '" + s + "'");
}

static Data readData(const char* path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(std::string("cannot open ") + path);
  Data d;
  expect(in, "tessera-mpopf-data");
  readNum(in);
  expect(in, "baseKva"); d.baseKva = readNum(in);
  expect(in, "periods"); in >> d.T;
  expect(in, "dtH"); d.dtH = readNum(in);
  expect(in, "objective"); in >> d.objective;
  expect(in, "alpha"); d.alpha = readNum(in);
  expect(in, "terminal"); in >> d.terminal; d.softWeight = readNum(in);
  expect(in, "batteryLimit"); in >> d.batteryLimit;
  expect(in, "relax"); { int r; in >> r; d.relax = r != 0; }
  expect(in, "vlimits"); d.vmin = readNum(in); d.vmax = readNum(in);
  expect(in, "vroot"); d.vroot.resize(d.T); for (auto& v : d.vroot) v = readNum(in);
  expect(in, "price"); d.price.resize(d.T); for (auto& v : d.price) v = readNum(in);
  expect(in, "buses"); in >> d.N;
  d.busName.resize(d.N); d.parent.resize(d.N); d.r.resize(d.N); d.x.resize(d.N); d.imaxsq.resize(d.N); d.qc.resize(d.N);
  d.pl.resize(d.N * d.T); d.ql.resize(d.N * d.T);
  for (int b = 0; b < d.N; b++) {
    in >> d.busName[b] >> d.parent[b];
    d.r[b] = readNum(in); d.x[b] = readNum(in); d.imaxsq[b] = readNum(in); d.qc[b] = readNum(in);
    for (int t = 0; t < d.T; t++) d.pl[b * d.T + t] = readNum(in);
    for (int t = 0; t < d.T; t++) d.ql[b * d.T + t] = readNum(in);
  }
  expect(in, "pv"); in >> d.nPv;
  d.pvBus.resize(d.nPv); d.pvS.resize(d.nPv); d.pvP.resize(d.nPv * d.T);
  for (int k = 0; k < d.nPv; k++) {
    in >> d.pvBus[k]; d.pvS[k] = readNum(in);
    for (int t = 0; t < d.T; t++) d.pvP[k * d.T + t] = readNum(in);
  }
  expect(in, "batteries"); in >> d.nBat;
  auto rs = [&](std::vector<double>& v) { v.resize(d.nBat); };
  d.batBus.resize(d.nBat); rs(d.batP); rs(d.batS); rs(d.batE); rs(d.etac); rs(d.etad); rs(d.socmin); rs(d.socmax); rs(d.b0);
  for (int k = 0; k < d.nBat; k++) {
    in >> d.batBus[k];
    d.batP[k] = readNum(in); d.batS[k] = readNum(in); d.batE[k] = readNum(in); d.etac[k] = readNum(in);
    d.etad[k] = readNum(in); d.socmin[k] = readNum(in); d.socmax[k] = readNum(in); d.b0[k] = readNum(in);
  }
  expect(in, "end");
  return d;
}

// Quantity-major layout: q-block, then element, then period.
class MpOpf : public TNLP {
 public:
  const Data& d;
  int T, N, nb, nPv, nBat;
  bool disk, termEq, soft;
  // variable block offsets
  int oP, oQ, oL, oV, oQd, oPc, oPd, oQb, oB, nVar;
  // constraint block offsets
  int cP, cQ, cV, cS, cSoc, cDisk, cTerm, nCon;
  std::vector<std::vector<int>> children, pvAt, batAt;
  std::vector<double> xSol, lamSol;
  double objSol = 0;
  int status = -1;

  explicit MpOpf(const Data& data) : d(data) {
    T = d.T; N = d.N; nb = N - 1; nPv = d.nPv; nBat = d.nBat;
    disk = d.batteryLimit == "disk";
    termEq = d.terminal == "equal";
    soft = d.terminal == "soft";
    // branch "e" of bus b is indexed by b-1
    oP = 0; oQ = oP + nb * T; oL = oQ + nb * T; oV = oL + nb * T; oQd = oV + nb * T;
    oPc = oQd + nPv * T; oPd = oPc + nBat * T; oQb = oPd + nBat * T; oB = oQb + nBat * T; nVar = oB + nBat * T;
    cP = 0; cQ = cP + nb * T; cV = cQ + nb * T; cS = cV + nb * T; cSoc = cS + nb * T;
    cDisk = cSoc + nBat * T; cTerm = cDisk + (disk ? nBat * T : 0); nCon = cTerm + (termEq ? nBat : 0);
    children.resize(N); pvAt.resize(N); batAt.resize(N);
    for (int b = 1; b < N; b++) children[d.parent[b]].push_back(b);
    for (int k = 0; k < nPv; k++) pvAt[d.pvBus[k]].push_back(k);
    for (int k = 0; k < nBat; k++) batAt[d.batBus[k]].push_back(k);
  }
  // bus b >= 1 (its incoming branch)
  int P(int b, int t) const { return oP + (b - 1) * T + t; }
  int Q(int b, int t) const { return oQ + (b - 1) * T + t; }
  int L(int b, int t) const { return oL + (b - 1) * T + t; }
  int V(int b, int t) const { return oV + (b - 1) * T + t; }
  int Qd(int k, int t) const { return oQd + k * T + t; }
  int Pc(int k, int t) const { return oPc + k * T + t; }
  int Pd(int k, int t) const { return oPd + k * T + t; }
  int Qb(int k, int t) const { return oQb + k * T + t; }
  int B(int k, int t) const { return oB + k * T + t; }
  double vOf(const Number* x, int b, int t) const { return b == 0 ? d.vroot[t] : x[V(b, t)]; }

  bool get_nlp_info(Index& n, Index& m, Index& nnz_jac, Index& nnz_h, IndexStyleEnum& style) override {
    n = nVar; m = nCon;
    nnz_jac = jac(nullptr, nullptr, nullptr, nullptr);
    nnz_h = hess(nullptr, 0, nullptr, nullptr, nullptr, nullptr);
    style = C_STYLE;
    return true;
  }

  bool get_bounds_info(Index n, Number* xl, Number* xu, Index m, Number* gl, Number* gu) override {
    const double inf = 2e19;
    for (int i = 0; i < n; i++) { xl[i] = -inf; xu[i] = inf; }
    for (int b = 1; b < N; b++)
      for (int t = 0; t < T; t++) {
        xl[V(b, t)] = d.vmin * d.vmin; xu[V(b, t)] = d.vmax * d.vmax;          // (5)
        if (std::isfinite(d.imaxsq[b])) xu[L(b, t)] = d.imaxsq[b];              // (6)
      }
    for (int k = 0; k < nPv; k++)
      for (int t = 0; t < T; t++) {                                             // (12)
        double p = d.pvP[k * T + t];
        double qm = std::sqrt(std::max(0.0, d.pvS[k] * d.pvS[k] - p * p));
        xl[Qd(k, t)] = -qm; xu[Qd(k, t)] = qm;
      }
    for (int k = 0; k < nBat; k++)
      for (int t = 0; t < T; t++) {
        xl[Pc(k, t)] = 0; xu[Pc(k, t)] = d.batP[k];                             // (10)
        xl[Pd(k, t)] = 0; xu[Pd(k, t)] = d.batP[k];
        {                                                                       // (11) box / disk's implied |qB| <= S
          double qm = disk ? d.batS[k] : std::sqrt(std::max(0.0, d.batS[k] * d.batS[k] - d.batP[k] * d.batP[k]));
          xl[Qb(k, t)] = -qm; xu[Qb(k, t)] = qm;
        }
        xl[B(k, t)] = d.socmin[k] * d.batE[k]; xu[B(k, t)] = d.socmax[k] * d.batE[k];  // (8)
      }
    for (int i = 0; i < m; i++) { gl[i] = 0; gu[i] = 0; }
    if (d.relax) for (int i = cS; i < cSoc; i++) gu[i] = inf;
    if (disk) for (int i = cDisk; i < cTerm; i++) { gl[i] = -inf; gu[i] = 1; }
    return true;
  }

  // Power-flow start: no controls (qD = Pc = Pd = qB = 0, B = B0), DistFlow sweep per period.
  bool get_starting_point(Index n, bool init_x, Number* x, bool, Number*, Number*, Index, bool, Number*) override {
    if (!init_x) return false;
    for (int i = 0; i < n; i++) x[i] = 0;
    std::vector<int> order;  // parents before children
    order.push_back(0);
    for (size_t h = 0; h < order.size(); h++) for (int c : children[order[h]]) order.push_back(c);
    std::vector<double> p(N), q(N), v(N), Pb(N), Qb_(N), l(N), sp(N), sq(N);
    for (int t = 0; t < T; t++) {
      for (int b = 0; b < N; b++) { p[b] = d.pl[b * T + t]; q[b] = d.ql[b * T + t]; v[b] = d.vroot[t]; l[b] = 0; Pb[b] = 0; Qb_[b] = 0; }
      for (int k = 0; k < nPv; k++) p[d.pvBus[k]] -= d.pvP[k * T + t];
      for (int it = 0; it < 500; it++) {
        double ch = 0;
        std::fill(sp.begin(), sp.end(), 0.0); std::fill(sq.begin(), sq.end(), 0.0);
        for (int h = N - 1; h >= 1; h--) {
          int b = order[h];
          double np = p[b] + d.r[b] * l[b] + sp[b];
          double nq = q[b] - d.qc[b] * v[b] + d.x[b] * l[b] + sq[b];
          ch = std::max(ch, std::max(std::fabs(np - Pb[b]), std::fabs(nq - Qb_[b])));
          Pb[b] = np; Qb_[b] = nq;
          sp[d.parent[b]] += np; sq[d.parent[b]] += nq;
        }
        for (int h = 1; h < N; h++) {
          int b = order[h];
          double vi = v[d.parent[b]];
          l[b] = (Pb[b] * Pb[b] + Qb_[b] * Qb_[b]) / vi;
          double nv = vi - 2 * (d.r[b] * Pb[b] + d.x[b] * Qb_[b]) + (d.r[b] * d.r[b] + d.x[b] * d.x[b]) * l[b];
          ch = std::max(ch, std::fabs(nv - v[b]));
          v[b] = nv;
        }
        if (ch < 1e-13) break;
      }
      for (int b = 1; b < N; b++) { x[P(b, t)] = Pb[b]; x[Q(b, t)] = Qb_[b]; x[L(b, t)] = l[b]; x[V(b, t)] = v[b]; }
      for (int k = 0; k < nBat; k++) x[B(k, t)] = d.b0[k];
    }
    return true;
  }


  bool eval_f(Index, const Number* x, bool, Number& f) override {
    f = 0;
    for (int t = 0; t < T; t++) {
      if (d.objective == "loss") {
        for (int b = 1; b < N; b++) f += d.r[b] * x[L(b, t)];
      } else {
        double ps = 0;
        for (int c : children[0]) ps += x[P(c, t)];
        f += d.price[t] * ps * d.dtH;
      }
      for (int k = 0; k < nBat; k++) f += d.alpha * ((1 - d.etac[k]) * x[Pc(k, t)] + (1 / d.etad[k] - 1) * x[Pd(k, t)]);
    }
    f *= d.baseKva;
    if (soft) for (int k = 0; k < nBat; k++) { double dv = d.baseKva * (x[B(k, T - 1)] - d.b0[k]); f += d.softWeight * dv * dv; }
    return true;
  }

  bool eval_grad_f(Index n, const Number* x, bool, Number* g) override {
    for (int i = 0; i < n; i++) g[i] = 0;
    for (int t = 0; t < T; t++) {
      if (d.objective == "loss") for (int b = 1; b < N; b++) g[L(b, t)] += d.r[b];
      else for (int c : children[0]) g[P(c, t)] += d.price[t] * d.dtH;
      for (int k = 0; k < nBat; k++) { g[Pc(k, t)] += d.alpha * (1 - d.etac[k]); g[Pd(k, t)] += d.alpha * (1 / d.etad[k] - 1); }
    }
    for (int i = 0; i < n; i++) g[i] *= d.baseKva;
    if (soft) for (int k = 0; k < nBat; k++) g[B(k, T - 1)] += 2 * d.softWeight * d.baseKva * d.baseKva * (x[B(k, T - 1)] - d.b0[k]);
    return true;
  }

  bool eval_g(Index, const Number* x, bool, Index, Number* g) override {
    for (int b = 1; b < N; b++) {
      int a = d.parent[b];
      for (int t = 0; t < T; t++) {
        double sP = 0, sQ = 0;
        for (int c : children[b]) { sP += x[P(c, t)]; sQ += x[Q(c, t)]; }
        double pD = 0, qD = 0, pB = 0, qBs = 0;
        for (int k : pvAt[b]) { pD += d.pvP[k * T + t]; qD += x[Qd(k, t)]; }
        for (int k : batAt[b]) { pB += x[Pd(k, t)] - x[Pc(k, t)]; qBs += x[Qb(k, t)]; }
        double vb = x[V(b, t)], va = vOf(x, a, t);
        double Pe = x[P(b, t)], Qe = x[Q(b, t)], le = x[L(b, t)], r = d.r[b], xx = d.x[b];
        g[cP + (b - 1) * T + t] = sP - (Pe - r * le) + d.pl[b * T + t] - pD - pB;                     // (1)
        g[cQ + (b - 1) * T + t] = sQ - (Qe - xx * le) + d.ql[b * T + t] - d.qc[b] * vb - qD - qBs;    // (2)
        g[cV + (b - 1) * T + t] = vb - va + 2 * (r * Pe + xx * Qe) - (r * r + xx * xx) * le;          // (3)
        g[cS + (b - 1) * T + t] = le * va - Pe * Pe - Qe * Qe;                                        // (4)
      }
    }
    for (int k = 0; k < nBat; k++)
      for (int t = 0; t < T; t++) {
        double prev = t == 0 ? d.b0[k] : x[B(k, t - 1)];
        g[cSoc + k * T + t] = x[B(k, t)] - prev - d.dtH * d.etac[k] * x[Pc(k, t)] + d.dtH * x[Pd(k, t)] / d.etad[k];  // (7)
        if (disk) {
          double pn = x[Pd(k, t)] - x[Pc(k, t)], qb = x[Qb(k, t)];
          g[cDisk + k * T + t] = (pn * pn + qb * qb) / (d.batS[k] * d.batS[k]);                        // (11) disk
        }
      }
    if (termEq) for (int k = 0; k < nBat; k++) g[cTerm + k] = x[B(k, T - 1)] - d.b0[k];              // (9)
    return true;
  }

  // One traversal for structure (vals == nullptr) and values; returns the entry count.
  int jac(const Number* x, Index* ir, Index* jc, Number* vals) const {
    int k = 0;
    auto put = [&](int r, int c, double v) {
      if (ir) { ir[k] = r; jc[k] = c; }
      if (vals) vals[k] = v;
      k++;
    };
    auto X = [&](int i) { return x ? x[i] : 0.0; };
    for (int b = 1; b < N; b++) {
      int a = d.parent[b];
      for (int t = 0; t < T; t++) {
        double r = d.r[b], xx = d.x[b];
        int row = cP + (b - 1) * T + t;
        for (int c : children[b]) put(row, P(c, t), 1);
        put(row, P(b, t), -1); put(row, L(b, t), r);
        for (int kk : batAt[b]) { put(row, Pd(kk, t), -1); put(row, Pc(kk, t), 1); }
        row = cQ + (b - 1) * T + t;
        for (int c : children[b]) put(row, Q(c, t), 1);
        put(row, Q(b, t), -1); put(row, L(b, t), xx); put(row, V(b, t), -d.qc[b]);
        for (int kk : pvAt[b]) put(row, Qd(kk, t), -1);
        for (int kk : batAt[b]) put(row, Qb(kk, t), -1);
        row = cV + (b - 1) * T + t;
        put(row, V(b, t), 1);
        if (a > 0) put(row, V(a, t), -1);
        put(row, P(b, t), 2 * r); put(row, Q(b, t), 2 * xx); put(row, L(b, t), -(r * r + xx * xx));
        row = cS + (b - 1) * T + t;
        put(row, L(b, t), x ? vOf(x, a, t) : 0);
        if (a > 0) put(row, V(a, t), X(L(b, t)));
        put(row, P(b, t), -2 * X(P(b, t))); put(row, Q(b, t), -2 * X(Q(b, t)));
      }
    }
    for (int kk = 0; kk < nBat; kk++)
      for (int t = 0; t < T; t++) {
        int row = cSoc + kk * T + t;
        put(row, B(kk, t), 1);
        if (t > 0) put(row, B(kk, t - 1), -1);
        put(row, Pc(kk, t), -d.dtH * d.etac[kk]); put(row, Pd(kk, t), d.dtH / d.etad[kk]);
        if (disk) {
          row = cDisk + kk * T + t;
          double s2 = d.batS[kk] * d.batS[kk], pn = X(Pd(kk, t)) - X(Pc(kk, t));
          put(row, Pd(kk, t), 2 * pn / s2); put(row, Pc(kk, t), -2 * pn / s2); put(row, Qb(kk, t), 2 * X(Qb(kk, t)) / s2);
        }
      }
    if (termEq) for (int kk = 0; kk < nBat; kk++) put(cTerm + kk, B(kk, T - 1), 1);
    return k;
  }

  bool eval_jac_g(Index, const Number* x, bool, Index, Index, Index* ir, Index* jc, Number* vals) override {
    if (vals == nullptr) jac(nullptr, ir, jc, nullptr);
    else jac(x, nullptr, nullptr, vals);
    return true;
  }

  int hess(const Number* x, Number sf, const Number* lam, Index* ir, Index* jc, Number* vals) const {
    (void)x;
    int k = 0;
    auto put = [&](int r, int c, double v) {
      if (ir) { ir[k] = std::max(r, c); jc[k] = std::min(r, c); }
      if (vals) vals[k] = v;
      k++;
    };
    auto LAM = [&](int i) { return lam ? lam[i] : 0.0; };
    for (int b = 1; b < N; b++)
      for (int t = 0; t < T; t++) {
        double lm = LAM(cS + (b - 1) * T + t);
        put(P(b, t), P(b, t), -2 * lm);
        put(Q(b, t), Q(b, t), -2 * lm);
        if (d.parent[b] > 0) put(L(b, t), V(d.parent[b], t), lm);
      }
    if (disk)
      for (int kk = 0; kk < nBat; kk++)
        for (int t = 0; t < T; t++) {
          double lm = 2 * LAM(cDisk + kk * T + t) / (d.batS[kk] * d.batS[kk]);
          put(Pc(kk, t), Pc(kk, t), lm); put(Pd(kk, t), Pd(kk, t), lm); put(Pd(kk, t), Pc(kk, t), -lm); put(Qb(kk, t), Qb(kk, t), lm);
        }
    if (soft) for (int kk = 0; kk < nBat; kk++) put(B(kk, T - 1), B(kk, T - 1), 2 * d.softWeight * d.baseKva * d.baseKva * sf);
    return k;
  }

  bool eval_h(Index, const Number* x, bool, Number sf, Index, const Number* lam, bool, Index, Index* ir, Index* jc, Number* vals) override {
    if (vals == nullptr) hess(nullptr, 0, nullptr, ir, jc, nullptr);
    else hess(x, sf, lam, nullptr, nullptr, vals);
    return true;
  }

  void finalize_solution(SolverReturn st, Index n, const Number* x, const Number*, const Number*, Index m, const Number*, const Number* lambda,
                         Number obj, const IpoptData*, IpoptCalculatedQuantities*) override {
    status = static_cast<int>(st);
    xSol.assign(x, x + n);
    lamSol.assign(lambda, lambda + m);
    objSol = obj;
  }
};

static const char* statusName(ApplicationReturnStatus s) {
  switch (s) {
    case Solve_Succeeded: return "solved";
    case Solved_To_Acceptable_Level: return "acceptable";
    case Infeasible_Problem_Detected: return "infeasible";
    case Maximum_Iterations_Exceeded: return "maxIterations";
    case Maximum_CpuTime_Exceeded: return "maxTime";
    case Restoration_Failed: return "restorationFailed";
    default: return "numericalError";
  }
}

int main(int argc, char** argv) {
  if (argc < 2) { std::cerr << "usage: mpopf_ref <data file> [--full] [--print-level N]\n"; return 2; }
  bool full = false;
  int printLevel = 0;
  double tol = 1e-8;
  for (int i = 2; i < argc; i++) {
    if (!std::strcmp(argv[i], "--full")) full = true;
    else if (!std::strcmp(argv[i], "--print-level") && i + 1 < argc) printLevel = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--tol") && i + 1 < argc) tol = std::atof(argv[++i]);
  }
  auto tRead = std::chrono::steady_clock::now();
  Data d;
  try { d = readData(argv[1]); } catch (const std::exception& e) { std::cerr << e.what() << "\n"; return 2; }
  auto t0 = std::chrono::steady_clock::now();
  SmartPtr<MpOpf> nlp = new MpOpf(d);
  SmartPtr<IpoptApplication> app = IpoptApplicationFactory();
  app->Options()->SetIntegerValue("print_level", printLevel);
  app->Options()->SetStringValue("linear_solver", "mumps");
  app->Options()->SetNumericValue("tol", tol);
  app->Options()->SetStringValue("sb", "yes");
  if (app->Initialize() != Solve_Succeeded) { std::cerr << "ipopt init failed\n"; return 2; }
  ApplicationReturnStatus st = app->OptimizeTNLP(GetRawPtr(nlp));
  auto t1 = std::chrono::steady_clock::now();
  int iters = IsValid(app->Statistics()) ? app->Statistics()->IterationCount() : -1;
  double secs = std::chrono::duration<double>(t1 - t0).count();
  (void)tRead;

  const auto& x = nlp->xSol;
  std::ostringstream o;
  o.precision(17);
  o << "{\"status\":\"" << statusName(st) << "\",\"ipoptStatus\":" << static_cast<int>(st) << ",\"objective\":" << nlp->objSol
    << ",\"iterations\":" << iters << ",\"seconds\":" << secs << ",\"n\":" << nlp->nVar << ",\"m\":" << nlp->nCon;
  if (!x.empty()) {
    int T = d.T, N = d.N;
    double lossPuH = 0, subPPuH = 0, subQPuH = 0;
    o << ",\"periods\":[";
    for (int t = 0; t < T; t++) {
      double loss = 0, sp = 0, sq = 0;
      for (int b = 1; b < N; b++) loss += d.r[b] * x[nlp->L(b, t)];
      for (int c : nlp->children[0]) { sp += x[nlp->P(c, t)]; sq += x[nlp->Q(c, t)]; }
      lossPuH += loss * d.dtH; subPPuH += sp * d.dtH; subQPuH += sq * d.dtH;
      o << (t ? "," : "") << "{\"lossPu\":" << loss << ",\"substationPPu\":" << sp << ",\"substationQPu\":" << sq << "}";
    }
    o << "],\"totals\":{\"lineLossPuH\":" << lossPuH << ",\"substationPPuH\":" << subPPuH << ",\"substationQPuH\":" << subQPuH << "}";
    if (full) {
      auto arr = [&](const char* name, int count, auto idx) {
        o << ",\"" << name << "\":[";
        for (int e = 0; e < count; e++) {
          o << (e ? "," : "") << "[";
          for (int t = 0; t < T; t++) o << (t ? "," : "") << x[idx(e, t)];
          o << "]";
        }
        o << "]";
      };
      o << ",\"busNames\":[";
      for (int b = 0; b < N; b++) o << (b ? "," : "") << "\"" << d.busName[b] << "\"";
      o << "]";
      // Rows in bus order 1..N-1 (the data file's order), each over periods.
      arr("v", N - 1, [&](int e, int t) { return nlp->V(e + 1, t); });
      arr("P", N - 1, [&](int e, int t) { return nlp->P(e + 1, t); });
      arr("Q", N - 1, [&](int e, int t) { return nlp->Q(e + 1, t); });
      arr("l", N - 1, [&](int e, int t) { return nlp->L(e + 1, t); });
      arr("qD", d.nPv, [&](int k, int t) { return nlp->Qd(k, t); });
      arr("Pc", d.nBat, [&](int k, int t) { return nlp->Pc(k, t); });
      arr("Pd", d.nBat, [&](int k, int t) { return nlp->Pd(k, t); });
      arr("qB", d.nBat, [&](int k, int t) { return nlp->Qb(k, t); });
      arr("B", d.nBat, [&](int k, int t) { return nlp->B(k, t); });
    }
  }
  o << "}\n";
  std::cout << o.str();
  return (st == Solve_Succeeded || st == Solved_To_Acceptable_Level) ? 0 : 1;
}
