/**
 * Keyboard shortcuts of the workspace. Ctrl on Linux/Windows, Cmd on macOS.
 * Ctrl/Cmd+Z undo · Ctrl/Cmd+Shift+Z or Ctrl/Cmd+Y redo · / or Ctrl/Cmd+F find a bus · F fit ·
 * + / − zoom · 1–4 tabs · Esc leaves a placement mode. Single keys are ignored while typing.
 */
import { useEffect, useRef } from 'react';

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
      const a = ref.current;
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      if (mod && key === 'f') {
        e.preventDefault();
        a.search();
        return;
      }
      if (mod && (key === 'z' || key === 'y')) {
        // In a text field the browser's own undo applies to the text being typed.
        if (isTyping(e.target)) return;
        e.preventDefault();
        if (key === 'y' || e.shiftKey) a.redo();
        else a.undo();
        return;
      }
      if (e.key === 'Escape') {
        a.escape();
        return;
      }
      if (mod || e.altKey || isTyping(e.target)) return;
      if (e.key === '/') {
        e.preventDefault();
        a.search();
      } else if (key === 'f') a.fit();
      else if (e.key === '+' || e.key === '=') a.zoomIn();
      else if (e.key === '-') a.zoomOut();
      else if (/^[1-4]$/.test(e.key)) a.tab(Number(e.key) - 1);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
