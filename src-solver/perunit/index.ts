export { toPerUnit, shapeSeries, zBaseOhm, type PerUnitFeeder } from './perunit';
