/**
 * A dispatch: the controllable set points of PV and batteries per period, as an OPF run
 * produces them, in engineering units. Written into OpenDSS scripts (./dss/export) and as a
 * Tessera CSV table (./csv/tessera: dispatch.csv).
 */
export interface Dispatch {
  readonly periods: number;
  /** Length of one period, hours. */
  readonly intervalH: number;
  /** PV inverter reactive power per period, kvar (> 0 injects). A PV left out: 0. */
  readonly pvKvar?: Readonly<Record<string, readonly number[]>>;
  /** Battery net real power per period, kW (> 0 discharging, = Pd − Pc). A battery left out: 0. */
  readonly batteryKw?: Readonly<Record<string, readonly number[]>>;
  /** Battery inverter reactive power per period, kvar (> 0 injects). A battery left out: 0. */
  readonly batteryKvar?: Readonly<Record<string, readonly number[]>>;
}
