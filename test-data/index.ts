/**
 * The one way tests, e2e specs and benchmarks reach the vendored test data (see README.md beside
 * this file for each folder's source and licence): an absolute path inside `test-data/`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = new URL('./', import.meta.url);

/** Absolute path of `test-data/<parts…>`; a trailing separator is kept for folders. */
export function testDataPath(...parts: string[]): string {
  return fileURLToPath(new URL(parts.join('/'), root));
}

/** The text of `test-data/<parts…>` (UTF-8): the reader the pure test-support helpers take. */
export const readTestData = (...parts: string[]): string => readFileSync(testDataPath(...parts), 'utf8');

/** `test-data/ieee123-balanced/<parts…>`: the balanced IEEE 123 case of the source papers. */
export const ieee123Ref = (...parts: string[]): string => testDataPath('ieee123-balanced', ...parts);

/** `test-data/opendss-feeders/<parts…>`: real three-phase feeders and OpenDSS's answers. */
export const opendssRef = (...parts: string[]): string => testDataPath('opendss-feeders', ...parts);

/** The same place as a file URL (`new URL(rel, testDataUrl('ieee123-balanced/'))`). */
export function testDataUrl(...parts: string[]): URL {
  return new URL(parts.join('/'), root);
}
