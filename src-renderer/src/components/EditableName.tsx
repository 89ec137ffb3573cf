/**
 * A name edited in place: click the name (or its pencil) to edit, Enter or leaving the field
 * saves, Esc cancels. After Enter the field gives focus back to the page, so single-key shortcuts
 * (1–5 tabs, F fit) work again at once instead of typing into it.
 */
import { useEffect, useRef, useState } from 'react';

export function EditableName({
  value,
  label,
  onRename,
  editing: startEditing = false,
  onEditingDone,
  disabled = false,
  className,
  as: Tag = 'span',
  placeholder,
}: {
  value: string;
  /** Accessible name of the field, e.g. "Scenario name". */
  label: string;
  /** Save the new name; a rejection is shown under the field in plain words. */
  onRename: (name: string) => Promise<void> | void;
  /** Open in edit mode (e.g. a copy just made). */
  editing?: boolean;
  onEditingDone?: () => void;
  disabled?: boolean;
  className?: string;
  as?: 'span' | 'h2' | 'strong';
  /** Shown (greyed) when the name is empty; an empty name is allowed only with a placeholder. */
  placeholder?: string;
}) {
  const [draft, setDraft] = useState<string | null>(startEditing ? value : null);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (startEditing && !disabled) setDraft(value);
    // Only when asked to start editing; later value changes must not reset a draft.
  }, [startEditing, disabled]);
  useEffect(() => {
    if (draft !== null) {
      input.current?.focus();
      input.current?.select();
    }
  }, [draft !== null]);

  const finish = () => {
    setDraft(null);
    setError(null);
    onEditingDone?.();
  };
  const commit = async (blur: boolean) => {
    if (draft === null) return;
    const name = draft.trim();
    if (name === '' && placeholder === undefined) {
      setError('A name cannot be empty.');
      return;
    }
    if (name === value) {
      finish();
      if (blur) input.current?.blur();
      return;
    }
    try {
      await onRename(name);
      finish();
      if (blur) input.current?.blur();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  if (draft === null)
    return (
      <Tag className={`editable-name ${className ?? ''}`}>
        <button
          type="button"
          className="name-button"
          disabled={disabled}
          title={disabled ? undefined : `Rename (click to edit)`}
          aria-label={`${label}: ${value || placeholder || ''}. Click to rename`}
          onClick={(e) => {
            e.stopPropagation();
            setDraft(value);
          }}
        >
          {value || <span className="muted">{placeholder}</span>}
          {!disabled && (
            <span className="pencil" aria-hidden="true">
              ✎
            </span>
          )}
        </button>
      </Tag>
    );
  return (
    <span className={`editable-name editing ${className ?? ''}`}>
      <input
        ref={input}
        aria-label={label}
        aria-invalid={error !== null}
        value={draft}
        placeholder={placeholder}
        maxLength={200}
        onClick={(e) => e.stopPropagation()}
        onChange={(e) => {
          setDraft(e.target.value);
          setError(null);
        }}
        onBlur={() => void commit(false)}
        onKeyDown={(e) => {
          e.stopPropagation();
          if (e.key === 'Enter') {
            e.preventDefault();
            void commit(true);
          } else if (e.key === 'Escape') {
            finish();
          }
        }}
      />
      {error && (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}
