/**
 * Undo/redo for scenario edits. Every edit is a pair of patches (what to write to undo it, what
 * to write to redo it), so undo and redo are ordinary `scenarios.update` calls and autosave
 * covers them too. A new edit clears the redo stack.
 */
import type { Scenario } from '../../../src-main/contract';

export type ScenarioPatch = Partial<Pick<Scenario, 'name' | 'study' | 'placements' | 'partition'>>;

export interface Edit {
  readonly label: string;
  readonly undo: ScenarioPatch;
  readonly redo: ScenarioPatch;
}

export class History {
  private past: Edit[] = [];
  private future: Edit[] = [];
  constructor(private readonly limit = 200) {}

  push(edit: Edit): void {
    this.past.push(edit);
    if (this.past.length > this.limit) this.past.shift();
    this.future = [];
  }
  /** Forget the newest edit (its write was refused by the store). */
  dropLast(): void {
    this.past.pop();
  }
  /** The edit to undo (moved to the redo stack), or null. */
  undo(): Edit | null {
    const e = this.past.pop();
    if (!e) return null;
    this.future.push(e);
    return e;
  }
  redo(): Edit | null {
    const e = this.future.pop();
    if (!e) return null;
    this.past.push(e);
    return e;
  }
  get canUndo(): boolean {
    return this.past.length > 0;
  }
  get canRedo(): boolean {
    return this.future.length > 0;
  }
  get nextUndoLabel(): string | null {
    return this.past.at(-1)?.label ?? null;
  }
  get nextRedoLabel(): string | null {
    return this.future.at(-1)?.label ?? null;
  }
  clear(): void {
    this.past = [];
    this.future = [];
  }
}

/** The patch that restores `scenario` for the keys that `patch` changes. */
export function inversePatch(scenario: Scenario, patch: ScenarioPatch): ScenarioPatch {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(patch) as (keyof ScenarioPatch)[]) out[key] = scenario[key];
  return out as ScenarioPatch;
}
