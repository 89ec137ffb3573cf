/**
 * In-app confirmation (window.confirm/prompt do not exist in Electron's renderer): `useConfirm`
 * returns the dialog element to render and `ask`, which resolves true when the user confirms.
 * Esc or Cancel resolves false; focus starts on Cancel so Enter never destroys by accident.
 */
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';

export interface ConfirmRequest {
  title: string;
  body: ReactNode;
  confirmLabel: string;
  danger?: boolean;
}

export function useConfirm(): [ReactNode, (r: ConfirmRequest) => Promise<boolean>] {
  const [req, setReq] = useState<(ConfirmRequest & { resolve: (ok: boolean) => void }) | null>(null);
  const ask = useCallback((r: ConfirmRequest) => new Promise<boolean>((resolve) => setReq({ ...r, resolve })), []);
  const close = (ok: boolean) => {
    req?.resolve(ok);
    setReq(null);
  };
  const element = req ? <ConfirmDialog request={req} onClose={close} /> : null;
  return [element, ask];
}

function ConfirmDialog({ request, onClose }: { request: ConfirmRequest; onClose: (ok: boolean) => void }) {
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => cancel.current?.focus(), []);
  return (
    <div className="dialog-backdrop" onClick={() => onClose(false)}>
      <div
        className="dialog"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="confirm-title"
        onClick={(e) => e.stopPropagation()}
        onKeyDown={(e) => {
          e.stopPropagation();
          if (e.key === 'Escape') onClose(false);
        }}
      >
        <h2 id="confirm-title">{request.title}</h2>
        <div className="dialog-body">{request.body}</div>
        <div className="button-row right">
          <button ref={cancel} onClick={() => onClose(false)}>
            Cancel
          </button>
          <button className={request.danger ? 'danger' : 'primary'} onClick={() => onClose(true)}>
            {request.confirmLabel}
          </button>
        </div>
      </div>
    </div>
  );
}
