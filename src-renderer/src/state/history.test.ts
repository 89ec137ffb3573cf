import { describe, expect, it } from 'vitest';
import { History } from './history';

describe('History', () => {
  it('undoes and redoes in order; a new edit clears redo', () => {
    const h = new History();
    h.push({ label: 'a', undo: { name: 'x' }, redo: { name: 'a' } });
    h.push({ label: 'b', undo: { name: 'a' }, redo: { name: 'b' } });
    expect(h.undo()?.undo).toEqual({ name: 'a' });
    expect(h.undo()?.undo).toEqual({ name: 'x' });
    expect(h.undo()).toBeNull();
    expect(h.redo()?.redo).toEqual({ name: 'a' });
    h.push({ label: 'c', undo: { name: 'a' }, redo: { name: 'c' } });
    expect(h.canRedo).toBe(false);
    h.dropLast();
    expect(h.nextUndoLabel).toBe('a');
  });
});
