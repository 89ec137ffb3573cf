import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ExampleSummary } from '../contract';
import { ApiFailure } from './errors';

/** The manifest every bundled example folder carries (resources/examples/<id>/example.json). */
export interface ExampleManifest {
  readonly title: string;
  readonly description: string;
  readonly [key: string]: unknown;
}

/** Read and check one manifest; a malformed one is an error naming the file and the field. */
export function readExampleManifest(file: string): ExampleManifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ApiFailure('badExample', `${file}: not valid JSON (${(err as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null) throw new ApiFailure('badExample', `${file}: expected an object`);
  const m = parsed as Record<string, unknown>;
  for (const field of ['title', 'description'] as const) {
    if (typeof m[field] !== 'string' || (m[field] as string).trim() === '') {
      throw new ApiFailure('badExample', `${file}: "${field}" must be a non-empty string`);
    }
  }
  return m as unknown as ExampleManifest;
}

/**
 * List the bundled examples: every folder under `examplesDir` holding an example.json, sorted
 * with the IEEE 123 case first (the default project), then by id.
 */
export function listExamples(examplesDir: string): ExampleSummary[] {
  if (!existsSync(examplesDir)) return [];
  const out: ExampleSummary[] = [];
  for (const id of readdirSync(examplesDir)) {
    const dir = join(examplesDir, id);
    const manifest = join(dir, 'example.json');
    if (!statSync(dir).isDirectory() || !existsSync(manifest)) continue;
    const m = readExampleManifest(manifest);
    out.push({ id, title: m.title, description: m.description });
  }
  return out.sort((a, b) => (a.id === 'ieee123' ? -1 : b.id === 'ieee123' ? 1 : a.id.localeCompare(b.id)));
}
