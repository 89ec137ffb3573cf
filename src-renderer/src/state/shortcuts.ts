/**
 * Keyboard shortcuts of the workspace, from one table: the handler, the tab tooltips, the
 * Network panel's hint and the About page all read `SHORTCUTS` and `WORKSPACE_TABS`, so what is
 * advertised is what works. Ctrl on Linux/Windows, Cmd on macOS. Single keys are ignored while
 * typing in a field.
 */
import { useEffect, useRef } from 'react';

export type WorkspaceTab = 'network' | 'areas' | 'devices' | 'study' | 'runs' | 'siting' | 'basecase';

/** The workspace tabs in order; tab i is reached with key i + 1. */
export const WORKSPACE_TABS: readonly { readonly id: WorkspaceTab; readonly label: string; readonly key: string }[] = [
  { id: 'network', label: 'Network', key: '1' },
  { id: 'areas', label: 'Areas', key: '2' },
  { id: 'devices', label: 'PV & batteries', key: '3' },
  { id: 'study', label: 'Study settings', key: '4' },
  { id: 'runs', label: 'Runs', key: '5' },
  { id: 'siting', label: 'Siting', key: '6' },
  // The base-case power flow (before any OPF); last so the keys the planners know keep their tabs.
  { id: 'basecase', label: 'Power flow', key: '7' },
];

export type ShortcutAction = 'undo' | 'redo' | 'search' | 'fit' | 'zoomIn' | 'zoomOut' | 'escape' | 'tab';

export interface Shortcut {
  readonly action: ShortcutAction;
  /** As shown to the user. */
  readonly keys: string;
  readonly does: string;
}

const tabKeys = `${WORKSPACE_TABS[0]!.key}–${WORKSPACE_TABS.at(-1)!.key}`;

export const SHORTCUTS: readonly Shortcut[] = [
  { action: 'undo', keys: 'Ctrl/⌘ + Z', does: 'Undo' },
  { action: 'redo', keys: 'Ctrl/⌘ + Shift + Z, Ctrl/⌘ + Y', does: 'Redo' },
  { action: 'search', keys: '/ or Ctrl/⌘ + F', does: 'Find a bus' },
  { action: 'fit', keys: 'F', does: 'Fit the network' },
  { action: 'zoomIn', keys: '+', does: 'Zoom in' },
  { action: 'zoomOut', keys: '−', does: 'Zoom out' },
  { action: 'tab', keys: tabKeys, does: WORKSPACE_TABS.map((t) => t.label).join(', ') },
  { action: 'escape', keys: 'Esc', does: 'Stop placing devices' },
];

/** One line for hints: "/ find a bus · F fit · …". */
export const SHORTCUT_HINT = SHORTCUTS.map((s) => `${s.keys} ${s.does.toLowerCase()}`).join(' · ');

export interface KeyLike {
  readonly key: string;
  readonly ctrlKey?: boolean;
  readonly metaKey?: boolean;
  readonly shiftKey?: boolean;
  readonly altKey?: boolean;
}

/** What a key press does (null: nothing), with the tab index for 'tab'. */
export function actionFor(e: KeyLike, typing: boolean): { action: ShortcutAction; tab?: number } | null {
  const mod = !!(e.ctrlKey || e.metaKey);
  const key = e.key.toLowerCase();
  if (mod && key === 'f') return { action: 'search' };
  if (mod && (key === 'z' || key === 'y')) {
    // In a text field the browser's own undo applies to the text being typed.
    if (typing) return null;
    return { action: key === 'y' || e.shiftKey ? 'redo' : 'undo' };
  }
  if (e.key === 'Escape') return { action: 'escape' };
  if (mod || e.altKey || typing) return null;
  if (e.key === '/') return { action: 'search' };
  if (key === 'f') return { action: 'fit' };
  if (e.key === '+' || e.key === '=') return { action: 'zoomIn' };
  if (e.key === '-' || e.key === '−') return { action: 'zoomOut' };
  const tab = WORKSPACE_TABS.findIndex((t) => t.key === e.key);
  if (tab >= 0) return { action: 'tab', tab };
  return null;
}

export interface ShortcutActions {
  undo(): void;
  redo(): void;
  search(): void;
  fit(): void;
  zoomIn(): void;
  zoomOut(): void;
  escape(): void;
  tab(index: number): void;
}

export function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
}

export function useShortcuts(actions: ShortcutActions): void {
  const ref = useRef(actions);
  ref.current = actions;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const hit = actionFor(e, isTyping(e.target));
      if (!hit) return;
      const a = ref.current;
      if (hit.action === 'search' || hit.action === 'undo' || hit.action === 'redo') e.preventDefault();
      if (hit.action === 'tab') a.tab(hit.tab!);
      else a[hit.action]();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
