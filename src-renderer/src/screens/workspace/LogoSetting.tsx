/**
 * The report's logo in the project's report details: a preview, Choose (the native Open dialog in
 * the desktop app, a file upload in the browser) and Remove. The backend checks and strips the
 * file (PNG or JPEG, at most 1 MB); its refusal is shown in its own words beside the button.
 */
import { useEffect, useRef, useState } from 'react';
import type { ProjectSummary } from '../../../../src-main/contract';
import { call } from '../../api/transport';

const MAX_BYTES = 1024 * 1024;

function toBase64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

export function LogoSetting({
  project,
  onProject,
}: {
  project: ProjectSummary;
  onProject: (p: ProjectSummary) => void;
}) {
  const [preview, setPreview] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [desktop, setDesktop] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const logo = project.logo ?? null;
  const key = logo ? `${logo.mime}-${logo.width}-${logo.height}-${logo.bytes}` : '';

  useEffect(() => {
    void call('app.info', null).then(
      (i) => setDesktop(i.host === 'electron'),
      () => setDesktop(false),
    );
  }, []);
  useEffect(() => {
    let live = true;
    if (!key) setPreview(null);
    else
      void call('projects.logo', null).then(
        (l) => live && setPreview(l ? `data:${l.mime};base64,${l.base64}` : null),
        () => live && setPreview(null),
      );
    return () => {
      live = false;
    };
  }, [key, project.path]);

  const run = async (f: () => Promise<ProjectSummary | null>) => {
    setBusy(true);
    setError(null);
    try {
      const p = await f();
      if (p) onProject(p);
    } catch (e) {
      setError((e as Error).message.replace(/^projects\.(setLogo|logoDialog): /, ''));
    } finally {
      setBusy(false);
    }
  };

  const upload = (file: File) =>
    run(async () => {
      if (file.size > MAX_BYTES)
        throw new Error(`logo: the file is ${(file.size / 1024 / 1024).toFixed(1)} MB; a logo may be at most 1 MB`);
      return call('projects.setLogo', { base64: toBase64(new Uint8Array(await file.arrayBuffer())) });
    });

  return (
    <div className="logo-setting small" data-testid="logo-setting">
      <span>Logo on the report’s title page</span>
      {logo && preview && <img src={preview} alt="Report logo" data-testid="logo-preview" />}
      {logo && (
        <span className="muted" data-testid="logo-facts">
          {logo.mime === 'image/png' ? 'PNG' : 'JPEG'}, {logo.width} × {logo.height} px, {Math.ceil(logo.bytes / 1024)}{' '}
          KB
        </span>
      )}
      <span className="button-row">
        <button
          type="button"
          disabled={busy || project.readOnly !== undefined}
          onClick={() => (desktop ? void run(() => call('projects.logoDialog', null)) : input.current?.click())}
          data-testid="logo-choose"
        >
          {logo ? 'Replace…' : 'Choose logo…'}
        </button>
        {logo && (
          <button
            type="button"
            disabled={busy || project.readOnly !== undefined}
            onClick={() => void run(() => call('projects.setLogo', null))}
            data-testid="logo-remove"
          >
            Remove
          </button>
        )}
      </span>
      <input
        ref={input}
        type="file"
        accept="image/png,image/jpeg"
        hidden
        aria-label="Logo file (PNG or JPEG, at most 1 MB)"
        data-testid="logo-file"
        onChange={(e) => {
          const f = e.target.files?.[0];
          e.target.value = '';
          if (f) void upload(f);
        }}
      />
      {error && (
        <span role="alert" className="bad" data-testid="logo-error">
          {error}
        </span>
      )}
      <span className="muted">PNG or JPEG, at most 1 MB; metadata (EXIF, comments) is removed.</span>
    </div>
  );
}
