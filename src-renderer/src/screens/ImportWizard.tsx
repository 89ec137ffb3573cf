/**
 * Import wizard: choose an OpenDSS folder / Master.dss (+ redirected files) / zip, or a CSV pair;
 * the backend parses it (`import.preview`) and we show everything it read, every error, warning
 * and ignored element with file:line, the three-phase reduction report and a preview graph.
 * Nothing is saved until "Save feeder" (`import.commit` with the preview's token).
 */
import { useMemo, useRef, useState } from 'react';
import type { ImportFile, ImportPreview, ProjectSummary } from '../../../src-main/contract';
import { backend, call } from '../api/transport';
import { NetworkGraph } from '../graph/NetworkGraph';
import { buildTree, topologyProblems } from '../../../src-shared/topology';
import { PER_PHASE_LABEL } from '../../../src-shared/threephase';
import { MasterPicker, ThreePhaseReportView, type ImportModel } from './ThreePhaseImport';

type Format = 'auto' | 'dss' | 'csv-pair' | 'tessera-csv';

async function readFiles(list: FileList): Promise<ImportFile[]> {
  const out: ImportFile[] = [];
  for (const f of Array.from(list)) {
    const name = (f.webkitRelativePath || f.name).replace(/\\/g, '/');
    if (/\.zip$/i.test(f.name)) {
      const bytes = new Uint8Array(await f.arrayBuffer());
      let bin = '';
      for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      out.push({ name, base64: btoa(bin) });
    } else out.push({ name, text: await f.text() });
  }
  return out;
}

export function ImportWizard({
  onSaved,
  onCancel,
}: {
  onSaved: (p: ProjectSummary, feederName: string) => void;
  onCancel: () => void;
}) {
  const [files, setFiles] = useState<ImportFile[]>([]);
  const [format, setFormat] = useState<Format>('auto');
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [name, setName] = useState('');
  // OpenDSS: the master script picked among several .dss, and the model a three-phase script is kept as.
  const [entry, setEntry] = useState<string | undefined>(undefined);
  const [model, setModel] = useState<ImportModel>('three-phase');
  // The running preview (the backend reads in a worker thread, reports its stage and can stop).
  const [request, setRequest] = useState<{ id: string; stage: string } | null>(null);
  const folderInput = useRef<HTMLInputElement>(null);

  const choose = async (list: FileList | null) => {
    if (!list || list.length === 0) return;
    const read = await readFiles(list);
    setFiles(read);
    setEntry(undefined);
    await runPreview(read, format, undefined);
  };

  const runPreview = async (f: ImportFile[], fmt: Format, master: string | undefined = entry) => {
    setBusy(true);
    setError(null);
    setPreview(null);
    const requestId = `import-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    setRequest({ id: requestId, stage: 'starting' });
    const off = backend().on('import.progress', (p) => {
      if (p.requestId === requestId) setRequest({ id: requestId, stage: p.stage });
    });
    try {
      const p = await call('import.preview', {
        files: f,
        format: fmt,
        requestId,
        ...(master ? { entry: master } : {}),
      });
      setPreview(p);
      setName(p.feederName);
      setModel(p.threePhase && !p.threePhase.ok ? 'balanced-equivalent' : 'three-phase');
    } catch (e) {
      setError((e as Error).message);
    } finally {
      off();
      setRequest(null);
      setBusy(false);
    }
  };

  const cancelPreview = () => {
    if (request) void call('import.cancel', { requestId: request.id });
  };

  const tree = useMemo(() => (preview?.feeder ? buildTree(preview.feeder) : null), [preview]);
  const topology = useMemo(() => (tree ? topologyProblems(tree) : []), [tree]);
  // The three-phase power flow accepts meshed networks; the balanced model (its OPF) needs a radial feeder.
  const threePhaseKept = !!preview?.threePhase && model === 'three-phase';
  const blocking = threePhaseKept ? [] : topology;
  const canSave = !!preview && preview.ok && blocking.length === 0 && !busy;

  const save = async () => {
    if (!preview) return;
    setBusy(true);
    setError(null);
    // The save runs in the backend's import worker: progress ('saving') and Stop as for reading.
    const requestId = `save-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    setRequest({ id: requestId, stage: 'starting' });
    const off = backend().on('import.progress', (p) => {
      if (p.requestId === requestId) setRequest({ id: requestId, stage: p.stage });
    });
    try {
      const p = await call('import.commit', {
        token: preview.token,
        name: name.trim() || preview.feederName,
        ...(preview.threePhase ? { model } : {}),
        requestId,
      });
      onSaved(p, name.trim() || preview.feederName);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      off();
      setRequest(null);
      setBusy(false);
    }
  };

  return (
    <section className="page import" aria-label="Import a feeder">
      <div className="page-head">
        <h1>Import a feeder</h1>
        <button className="link" onClick={onCancel}>
          Cancel
        </button>
      </div>
      <p className="muted">
        OpenDSS: choose the folder holding <code>Master.dss</code> (and the files it redirects), the files themselves,
        or a zip. CSV: the pair <code>linedata.csv</code> (fbus,tbus,R,X in ohm) and <code>powerdata.csv</code>{' '}
        (bus,P_L,Q_L,Q_C in kW/kvar), or a Tessera CSV export. Nothing is saved until you press Save.
      </p>
      <div className="import-pick">
        <label className="file-button">
          Choose folder…
          <input
            ref={folderInput}
            type="file"
            data-testid="import-folder"
            // @ts-expect-error: webkitdirectory is not in React's input attributes
            webkitdirectory=""
            multiple
            onChange={(e) => void choose(e.target.files)}
          />
        </label>
        <label className="file-button">
          Choose files…
          <input
            type="file"
            data-testid="import-files"
            multiple
            accept=".dss,.csv,.txt,.zip"
            onChange={(e) => void choose(e.target.files)}
          />
        </label>
        <label>
          Format{' '}
          <select
            value={format}
            onChange={(e) => {
              const f = e.target.value as Format;
              setFormat(f);
              if (files.length) void runPreview(files, f, entry);
            }}
          >
            <option value="auto">Detect</option>
            <option value="dss">OpenDSS</option>
            <option value="csv-pair">CSV pair (linedata + powerdata)</option>
            <option value="tessera-csv">Tessera CSV export</option>
          </select>
        </label>
        {files.length > 0 && (
          <span className="muted small" data-testid="import-file-list">
            {files.length} file{files.length > 1 ? 's' : ''}: {files.map((f) => f.name).join(', ')}
          </span>
        )}
      </div>
      {busy && (
        <p className="muted" data-testid="import-progress">
          {request?.stage === 'saving'
            ? 'Saving…'
            : `Reading… ${request && request.stage !== 'starting' ? `(${request.stage})` : ''}`}
          {request && (
            <button className="link" onClick={cancelPreview}>
              {request.id.startsWith('save-') ? 'Stop saving' : 'Stop reading'}
            </button>
          )}
        </p>
      )}
      {error && (
        <div role="alert" className="error" data-testid="import-failure">
          {error}
        </div>
      )}
      {!preview && !busy && !error && <p className="empty">Choose a feeder to see what Tessera reads from it.</p>}
      {preview && (
        <div className="import-result">
          <div className="import-report">
            <h2>
              {preview.ok && blocking.length === 0 ? 'Ready to save' : 'Cannot be saved yet'}{' '}
              <span className="tag">{formatLabel(preview.format)}</span>
              {preview.threePhase && (
                <span className="tag">{model === 'three-phase' ? 'three-phase' : PER_PHASE_LABEL}</span>
              )}
            </h2>
            <MasterPicker
              preview={preview}
              entry={entry}
              onEntry={(e) => {
                setEntry(e);
                void runPreview(files, format, e);
              }}
            />
            <dl className="facts counts" data-testid="import-counts">
              {Object.entries(preview.counts).map(([k, v]) => (
                <FactRow key={k} k={k} v={v} />
              ))}
            </dl>
            {preview.errors.length > 0 && (
              <IssueList
                title="Errors"
                testId="import-errors"
                kind="bad"
                items={preview.errors.map((e) => [loc(e.file, e.line, e.column), e.message])}
              />
            )}
            {blocking.length > 0 && (
              <div role="alert" className="error" data-testid="import-topology">
                {blocking.map((p) => (
                  <p key={p}>{p}</p>
                ))}
              </div>
            )}
            <ThreePhaseReportView preview={preview} model={model} onModel={setModel} />
            {preview.warnings.length > 0 && (
              <IssueList
                title="Warnings"
                testId="import-warnings"
                kind="warn"
                items={preview.warnings.map((e) => [loc(e.file, e.line, e.column), e.message])}
              />
            )}
            {preview.ignored.length > 0 && (
              <IssueList
                title="Ignored elements"
                testId="import-ignored"
                kind="plain"
                items={preview.ignored.map((e) => [loc(e.file, e.line), e.element])}
              />
            )}
            {preview.reduction.length > 0 && (
              <>
                <h3>
                  {preview.threePhase
                    ? `Balanced equivalent (${PER_PHASE_LABEL}): how it is reduced`
                    : 'Three-phase reduction'}
                </h3>
                <ul className="issues" data-testid="import-reduction">
                  {preview.reduction.map((r) => (
                    <li key={r}>{r}</li>
                  ))}
                </ul>
              </>
            )}
            <div className="inline-form">
              <label>
                Feeder name
                <input value={name} onChange={(e) => setName(e.target.value)} data-testid="import-name" />
              </label>
              <button className="primary" disabled={!canSave} onClick={() => void save()}>
                Save feeder
              </button>
            </div>
          </div>
          <div className="import-graph">
            {preview.feeder && tree ? (
              <NetworkGraph feeder={preview.feeder} tree={tree} testId="import-preview-graph" />
            ) : (
              <p className="empty">No network preview: the feeder could not be built.</p>
            )}
          </div>
        </div>
      )}
    </section>
  );
}

/** Where an issue is: `file:line[:col]`, or the file alone when the issue is about the whole file (line 0). */
const loc = (file: string, line: number, column?: number) =>
  line > 0 ? `${file}:${line}${column ? `:${column}` : ''}` : file;

function formatLabel(f: ImportPreview['format']): string {
  return f === 'dss' ? 'OpenDSS' : f === 'csv-pair' ? 'CSV pair' : 'Tessera CSV';
}

function FactRow({ k, v }: { k: string; v: number }) {
  return (
    <>
      <dt>{k}</dt>
      <dd>{v}</dd>
    </>
  );
}

function IssueList({
  title,
  testId,
  kind,
  items,
}: {
  title: string;
  testId: string;
  kind: 'bad' | 'warn' | 'plain';
  items: [string, string][];
}) {
  return (
    <>
      <h3>
        {title} <span className="muted small">({items.length})</span>
      </h3>
      <ul className={`issues ${kind}`} data-testid={testId} role={kind === 'bad' ? 'alert' : undefined}>
        {items.map(([where, what], i) => (
          <li key={i}>
            <code>{where}</code> {what}
          </li>
        ))}
      </ul>
    </>
  );
}
