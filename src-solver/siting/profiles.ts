/**
 * A year of hourly profiles (load and PV multipliers, energy price) and the study horizons drawn
 * from it: representative days by k-medoids clustering of the 365 daily load/PV/price vectors
 * (weights = cluster sizes, so Σ weights = 365 and weighted sums estimate a year), or a contiguous
 * stretch of hours.
 *
 * Files are `timestamp,value` or `hour,value` CSVs with one row per hour of a 365-day year (8760);
 * the year they are of dates the representative days (`dayDate`);
 * the bundled example year is resources/year-profiles/ (ERCOT North 2023 prices in USD/MWh, DFW
 * load in pu of peak, Denton TX PV in pu of AC rating).
 */
import { mulberry32 } from '../random';
import type { Study } from '../opf/study';

export const HOURS_PER_YEAR = 8760;

export interface YearProfiles {
  /** Multiplier of every load's peak P and Q. */
  readonly loadPu: Float64Array;
  /** Multiplier of every PV's rated output. */
  readonly pvPu: Float64Array;
  /** Energy price, USD/MWh. */
  readonly priceUsdPerMwh: Float64Array;
  /**
   * The calendar year the profiles are of (representative days are dated in it, `dayDate`): the
   * files' timestamps' year, else the year the planner gave, else the bundled year's
   * (`DEFAULT_PROFILE_YEAR`). Optional so hand-made profiles need not name one.
   */
  readonly year?: number;
}

/** The year of the bundled example profiles (ERCOT North / DFW 2023): the default when files name none. */
export const DEFAULT_PROFILE_YEAR = 2023;

const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/**
 * The date (`YYYY-MM-DD`) of day `day` (0-based) of a profile year: 365 days from 1 January, so in
 * a leap year day 59 is 1 March (29 February is left out of every year, as `parseHourlyYear` does).
 */
export function dayDate(year: number, day: number): string {
  const skip = isLeap(year) && day >= LEAP_DAY_FIRST_ROW / 24 ? 1 : 0;
  return new Date(Date.UTC(year, 0, 1 + day + skip)).toISOString().slice(0, 10);
}

/** A profile file that cannot be used: the message names the file and what is wrong. */
export class ProfileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProfileError';
  }
}

/** `YYYY-MM-DD[T ]HH[:MM[:SS]]` as hours since 1970 (naive: the file's own clock), or null. */
function timestampHours(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2})(?::(\d{2})(?::(\d{2}))?)?$/.exec(text.trim());
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5] ?? 0), Number(m[6] ?? 0));
  return Number.isFinite(ms) ? ms / 3_600_000 : null;
}

/** Rows of 29 February in a leap year of 8784 hourly rows: the 60th day (hours 1416–1439). */
const LEAP_DAY_FIRST_ROW = 59 * 24;

/**
 * Parse an hourly year: header `timestamp,value` or `hour,value` (any case), then 8760 rows — or
 * 8784 (a leap year), whose 29 February (the 60th day's 24 rows) is left out so every year has
 * 365 days. `hour` rows must count up by one from 0 or 1. ISO timestamps (`2023-01-01T00:00`,
 * `2023-01-01 00:00`) must step by exactly one hour: a gap or a repeated hour (a clock change
 * written in local time, a missing reading) is refused with its line; other timestamp texts are
 * taken in file order.
 */
export function parseHourlyYear(text: string, file: string): Float64Array {
  return readHourlyYear(text, file).values;
}

/**
 * `parseHourlyYear` and the calendar year the file's ISO timestamps name (null for `hour` rows or
 * other timestamp texts). A timestamped year must begin on 1 January (at 00:00, or 01:00 for
 * hour-ending readings): its days are dated from it.
 */
export function readHourlyYear(text: string, file: string): { values: Float64Array; year: number | null } {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0)
    throw new ProfileError(
      `${file}: empty file (expected a header timestamp,value or hour,value and ${HOURS_PER_YEAR} rows)`,
    );
  const header = lines[0]!.split(',').map((h) => h.trim().toLowerCase());
  if (header.length !== 2 || !(header[0] === 'timestamp' || header[0] === 'hour') || header[1] !== 'value')
    throw new ProfileError(`${file}: header must be "timestamp,value" or "hour,value" (got "${lines[0]}")`);
  const rows = lines.length - 1;
  if (rows !== HOURS_PER_YEAR && rows !== HOURS_PER_YEAR + 24)
    throw new ProfileError(
      `${file}: ${rows} hourly values, a year needs exactly ${HOURS_PER_YEAR} (365 days × 24 h), or ${HOURS_PER_YEAR + 24} for a leap year (its 29 February is left out)`,
    );
  const all = new Float64Array(rows);
  let firstHour = 0;
  const iso = header[0] === 'timestamp' && timestampHours(lines[1]!.split(',')[0] ?? '') !== null;
  let prev = NaN;
  let year: number | null = null;
  for (let k = 0; k < rows; k++) {
    const line = lines[k + 1]!;
    const cells = line.split(',');
    if (cells.length !== 2)
      throw new ProfileError(`${file} line ${k + 2}: expected 2 columns, got ${cells.length} ("${line}")`);
    const v = Number(cells[1]!.trim());
    if (cells[1]!.trim() === '' || !Number.isFinite(v))
      throw new ProfileError(`${file} line ${k + 2}: value "${cells[1]!.trim()}" is not a number`);
    if (header[0] === 'hour') {
      const h = Number(cells[0]!.trim());
      if (k === 0) {
        if (h !== 0 && h !== 1)
          throw new ProfileError(`${file} line 2: hours must start at 0 or 1 (got "${cells[0]}")`);
        firstHour = h;
      }
      if (h !== firstHour + k)
        throw new ProfileError(
          `${file} line ${k + 2}: hour ${cells[0]!.trim()} out of sequence (expected ${firstHour + k})`,
        );
    } else if (iso) {
      if (k === 0) {
        const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2})/.exec(cells[0]!.trim())!;
        if (m[2] !== '01' || m[3] !== '01' || Number(m[4]) > 1)
          throw new ProfileError(
            `${file} line 2: the first row is ${cells[0]!.trim()}, but a year's rows begin on 1 January (${m[1]}-01-01T00:00, or 01:00 for hour-ending values): its days are dated from it`,
          );
        year = Number(m[1]);
      }
      const t = timestampHours(cells[0]!);
      if (t === null)
        throw new ProfileError(
          `${file} line ${k + 2}: timestamp "${cells[0]!.trim()}" is not of the form 2023-01-01T00:00 like the first row's`,
        );
      if (k > 0 && t - prev !== 1)
        throw new ProfileError(
          `${file} line ${k + 2}: timestamp ${cells[0]!.trim()} is ${t - prev} h after the previous row's (a gap or a repeated hour; give one row per hour, e.g. in standard time all year)`,
        );
      prev = t;
    }
    all[k] = v;
  }
  if (rows === HOURS_PER_YEAR) {
    if (year !== null && isLeap(year))
      throw new ProfileError(
        `${file}: ${year} is a leap year, so its timestamps need ${HOURS_PER_YEAR + 24} rows (29 February included; the study leaves that day out), got ${rows}`,
      );
    return { values: all, year };
  }
  if (iso) {
    const day = lines[LEAP_DAY_FIRST_ROW + 1]!.split(',')[0]!.trim();
    if (!/^\d{4}-02-29[T ]00/.test(day))
      throw new ProfileError(
        `${file}: ${rows} rows, but row ${LEAP_DAY_FIRST_ROW + 2} is ${day}, not 29 February 00:00 (a leap year's rows must start on 1 January)`,
      );
  }
  const out = new Float64Array(HOURS_PER_YEAR);
  out.set(all.subarray(0, LEAP_DAY_FIRST_ROW), 0);
  out.set(all.subarray(LEAP_DAY_FIRST_ROW + 24), LEAP_DAY_FIRST_ROW);
  return { values: out, year };
}

/** Years a planner may give (`year`): the Gregorian calendar's, as dates are printed. */
const YEAR_MIN = 1900;
const YEAR_MAX = 2200;

/**
 * The three profiles of a year; `read(name)` returns a file's text (or throws). File names are
 * those of the bundled year: price_*.csv, load_*.csv and pv_*.csv are found by prefix in `names`.
 *
 * The year (`YearProfiles.year`): the price file's ISO timestamps name it (prices are what a
 * battery's value follows, and a market's prices are always of a real year), else the load file's;
 * files of `hour` rows take `options.year`, else `DEFAULT_PROFILE_YEAR`. A `year` given beside
 * timestamps of another year is refused. The load and PV files may be of another year: a load shape
 * is often a reference year and a PV shape a typical meteorological year, whose dates name none.
 */
export function loadYearProfiles(
  names: readonly string[],
  read: (name: string) => string,
  options: { readonly year?: number } = {},
): YearProfiles {
  const given = options.year;
  if (given !== undefined && (!Number.isInteger(given) || given < YEAR_MIN || given > YEAR_MAX))
    throw new ProfileError(`the profiles' year must be a year from ${YEAR_MIN} to ${YEAR_MAX} (got ${given})`);
  const pick = (prefix: string, what: string): string => {
    const hits = names.filter((n) => n.toLowerCase().startsWith(prefix) && n.toLowerCase().endsWith('.csv'));
    if (hits.length !== 1)
      throw new ProfileError(
        hits.length === 0
          ? `no ${prefix}*.csv (${what}) among the profiles [${names.join(', ')}]`
          : `more than one ${prefix}*.csv: ${hits.join(', ')}`,
      );
    return hits[0]!;
  };
  const load = pick('load', 'load multiplier, pu of peak');
  const pv = pick('pv', 'PV output, pu of rating');
  const price = pick('price', 'energy price, USD/MWh');
  const loadFile = readHourlyYear(read(load), load);
  const pvPu = parseHourlyYear(read(pv), pv);
  const priceFile = readHourlyYear(read(price), price);
  const loadPu = loadFile.values;
  const priceUsdPerMwh = priceFile.values;
  const stamped = priceFile.year ?? loadFile.year;
  if (stamped !== null && given !== undefined && given !== stamped)
    throw new ProfileError(
      `${priceFile.year !== null ? price : load}: its timestamps are of ${stamped}, but the year given is ${given}`,
    );
  for (let h = 0; h < HOURS_PER_YEAR; h++) {
    if (loadPu[h]! < 0) throw new ProfileError(`${load}: hour ${h} has a negative load multiplier ${loadPu[h]}`);
    if (pvPu[h]! < 0) throw new ProfileError(`${pv}: hour ${h} has a negative PV multiplier ${pvPu[h]}`);
  }
  // Units: multipliers are per unit (of the loads' peak, of the PV rating); kW or MW are refused.
  const max = (a: Float64Array): number => a.reduce((m, v) => Math.max(m, v), -Infinity);
  if (max(loadPu) > LOAD_PU_MAX)
    throw new ProfileError(
      `${load}: the largest load value is ${max(loadPu)}, but the load profile is a multiplier of every load's peak (pu, about 1 at the peak): divide kW or MW by the peak`,
    );
  if (max(pvPu) > PV_PU_MAX)
    throw new ProfileError(
      `${pv}: the largest PV value is ${max(pvPu)}, but the PV profile is output per unit of rating (at most about 1): divide kW by the rating`,
    );
  return { loadPu, pvPu, priceUsdPerMwh, year: stamped ?? given ?? DEFAULT_PROFILE_YEAR };
}

/** Largest load multiplier accepted (a feeder's load may exceed its nominal peak, not by 3×). */
export const LOAD_PU_MAX = 3;
/** Largest PV multiplier accepted (DC/AC ratio and irradiance above STC allow a little over 1). */
export const PV_PU_MAX = 1.5;

export interface RepresentativeDay {
  /** Day of the year, 0-based (0 = 1 January). */
  readonly day: number;
  /** Days it stands for (its cluster's size). */
  readonly weight: number;
  /** The days of its cluster, 0-based, ascending. */
  readonly members: readonly number[];
}

/**
 * k representative days by k-medoids on the daily vectors [load(24), PV(24), price(24)], each
 * block scaled by the standard deviation of its hourly values over the year (so the three carry
 * comparable weight; price spikes still stand out and tend to get their own day, which is what a
 * battery's value depends on). Initial medoids by k-medoids++ from `seed` (mulberry32), then
 * alternating assignment / medoid update to a fixed point; the best of a few restarts (lowest
 * total distance). Deterministic for a seed. Returned in calendar order.
 */
export function representativeDays(year: YearProfiles, k: number, seed = 1): RepresentativeDay[] {
  const D = HOURS_PER_YEAR / 24;
  if (!Number.isInteger(k) || k < 1 || k > D)
    throw new ProfileError(`the number of representative days must be an integer from 1 to ${D} (got ${k})`);
  const blocks = [year.loadPu, year.pvPu, year.priceUsdPerMwh];
  const scale = blocks.map((b) => {
    let m = 0;
    for (const v of b) m += v;
    m /= b.length;
    let s = 0;
    for (const v of b) s += (v - m) ** 2;
    const sd = Math.sqrt(s / b.length);
    return sd > 0 ? 1 / sd : 1;
  });
  // Pairwise distances (365² doubles, ~1 MB).
  const dist = new Float64Array(D * D);
  for (let a = 0; a < D; a++) {
    for (let b = a + 1; b < D; b++) {
      let s = 0;
      for (let q = 0; q < 3; q++) {
        const x = blocks[q]!;
        const c = scale[q]!;
        for (let h = 0; h < 24; h++) s += ((x[a * 24 + h]! - x[b * 24 + h]!) * c) ** 2;
      }
      dist[a * D + b] = dist[b * D + a] = Math.sqrt(s);
    }
  }
  const rand = mulberry32(seed);
  let best: { medoids: number[]; assign: Int32Array; cost: number } | null = null;
  for (let restart = 0; restart < 8; restart++) {
    // k-medoids++ start.
    const medoids = [Math.floor(rand() * D)];
    const near = new Float64Array(D).fill(Infinity);
    while (medoids.length < k) {
      const last = medoids[medoids.length - 1]!;
      let total = 0;
      for (let d = 0; d < D; d++) {
        near[d] = Math.min(near[d]!, dist[d * D + last]!);
        total += near[d]! ** 2;
      }
      let r = rand() * total;
      let pick = -1;
      for (let d = 0; d < D; d++) {
        if (near[d]! === 0) continue;
        r -= near[d]! ** 2;
        pick = d;
        if (r <= 0) break;
      }
      if (pick < 0) pick = [...Array(D).keys()].find((d) => !medoids.includes(d))!;
      medoids.push(pick);
    }
    const assign = new Int32Array(D);
    let cost = Infinity;
    for (let iter = 0; iter < 100; iter++) {
      cost = 0;
      for (let d = 0; d < D; d++) {
        let bj = 0;
        for (let j = 1; j < k; j++) if (dist[d * D + medoids[j]!]! < dist[d * D + medoids[bj]!]!) bj = j;
        assign[d] = bj;
        cost += dist[d * D + medoids[bj]!]!;
      }
      let changed = false;
      for (let j = 0; j < k; j++) {
        let bestM = medoids[j]!;
        let bestS = Infinity;
        for (let c = 0; c < D; c++) {
          if (assign[c] !== j) continue;
          let s = 0;
          for (let d = 0; d < D; d++) if (assign[d] === j) s += dist[c * D + d]!;
          if (s < bestS - 1e-12 || (Math.abs(s - bestS) <= 1e-12 && c === medoids[j])) {
            bestS = s;
            bestM = c;
          }
        }
        if (bestM !== medoids[j]) {
          medoids[j] = bestM;
          changed = true;
        }
      }
      if (!changed) break;
    }
    if (!best || cost < best.cost - 1e-9) best = { medoids: medoids.slice(), assign: assign.slice(), cost };
  }
  const out: RepresentativeDay[] = best!.medoids.map((m, j) => {
    const members: number[] = [];
    for (let d = 0; d < D; d++) if (best!.assign[d] === j) members.push(d);
    return { day: m, weight: members.length, members };
  });
  return out.sort((a, b) => a.day - b.day);
}

/** The study fields (horizon and profiles) for `hours` hours of the year from hour `start`. */
export function yearStretchStudy(year: YearProfiles, start: number, hours: number): Study {
  if (!Number.isInteger(start) || !Number.isInteger(hours) || start < 0 || hours < 1 || start + hours > HOURS_PER_YEAR)
    throw new ProfileError(`hours ${start}..${start + hours} are not within the year (0..${HOURS_PER_YEAR})`);
  const slice = (a: Float64Array, f = 1): number[] => Array.from(a.subarray(start, start + hours), (v) => v * f);
  return {
    periods: hours,
    dtH: 1,
    startHour: 0,
    loadProfile: { intervalH: 1, values: slice(year.loadPu) },
    pvProfile: { intervalH: 1, values: slice(year.pvPu) },
    // USD/MWh → ¢/kWh: × 100 / 1000.
    priceCentsPerKwh: { intervalH: 1, values: slice(year.priceUsdPerMwh, 0.1) },
  };
}

/** The study fields of one day of the year (24 h). */
export function dayStudy(year: YearProfiles, day: number): Study {
  return yearStretchStudy(year, day * 24, 24);
}

/** A representative day's label in study horizons (CLI JSON, app, report): `day 2023-08-21 (×31)`. */
export function representativeDayLabel(year: YearProfiles, d: RepresentativeDay): string {
  return `day ${dayDate(year.year ?? DEFAULT_PROFILE_YEAR, d.day)} (×${d.weight})`;
}
