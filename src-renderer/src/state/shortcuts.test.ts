import { describe, expect, it } from 'vitest';
import { actionFor, SHORTCUTS, WORKSPACE_TABS } from './shortcuts';

/** The keys a row of the table advertises, as key events. */
function advertised(keys: string) {
  const out: { key: string; ctrlKey?: boolean; shiftKey?: boolean }[] = [];
  for (const part of keys.split(/,| or /).map((s) => s.trim())) {
    const range = /^(\d)–(\d)$/.exec(part);
    if (range) for (let k = Number(range[1]); k <= Number(range[2]); k++) out.push({ key: String(k) });
    else if (part.startsWith('Ctrl/⌘')) {
      const rest = part
        .split('+')
        .map((s) => s.trim())
        .slice(1);
      out.push({ key: rest.at(-1)!.toLowerCase(), ctrlKey: true, shiftKey: rest.includes('Shift') });
    } else out.push({ key: part === 'Esc' ? 'Escape' : part === '−' ? '-' : part.toLowerCase() });
  }
  return out;
}

describe('one shortcut table', () => {
  it('every key the table advertises does what the table says, and every tab has its number', () => {
    for (const s of SHORTCUTS) {
      const events = advertised(s.keys);
      expect(events.length, s.keys).toBeGreaterThan(0);
      for (const e of events) expect(actionFor(e, false)?.action, `${s.keys} → ${JSON.stringify(e)}`).toBe(s.action);
    }
    const tabRow = SHORTCUTS.find((s) => s.action === 'tab')!;
    expect(advertised(tabRow.keys).map((e) => actionFor(e, false)?.tab)).toEqual(WORKSPACE_TABS.map((_, i) => i));
    // The Runs tab (the fifth) is reachable: the old handler stopped at 4.
    expect(actionFor({ key: '5' }, false)).toEqual({ action: 'tab', tab: 4 });
  });

  it('single keys do nothing while typing in a field; Ctrl+F and Esc still work', () => {
    expect(actionFor({ key: '2' }, true)).toBeNull();
    expect(actionFor({ key: 'f' }, true)).toBeNull();
    expect(actionFor({ key: 'z', ctrlKey: true }, true)).toBeNull();
    expect(actionFor({ key: 'f', ctrlKey: true }, true)).toEqual({ action: 'search' });
    expect(actionFor({ key: 'Escape' }, true)).toEqual({ action: 'escape' });
    expect(actionFor({ key: String(WORKSPACE_TABS.length + 1) }, false)).toBeNull(); // past the last tab
  });
});
