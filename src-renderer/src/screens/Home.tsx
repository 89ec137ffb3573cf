import { useEffect, useState } from 'react';
import type { ExampleSummary, ProjectRef, ProjectSummary } from '../../../src-main/contract';
import { call } from '../api/transport';

export function Home({
  examples,
  current,
  onOpened,
}: {
  examples: readonly ExampleSummary[];
  current: ProjectSummary | null;
  onOpened: (p: ProjectSummary) => void;
}) {
  const [recent, setRecent] = useState<readonly ProjectRef[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    call('projects.recent', null).then(setRecent, () => setRecent([]));
  }, []);

  // The desktop app opens project files through the native dialog of the main process.
  const desktop = typeof window !== 'undefined' && window.tessera !== undefined;

  const run = async (p: Promise<ProjectSummary | null>) => {
    setBusy(true);
    setError(null);
    try {
      const opened = await p;
      if (opened) onOpened(opened);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="page">
      <h1>Projects</h1>
      <p className="muted">
        Multi-period optimal power flow for distribution feeders with PV and batteries. A project holds feeders, and
        scenarios of where PV and batteries go and how the study is set up.
      </p>
      {error && (
        <div role="alert" className="error">
          {error}
        </div>
      )}
      <div className="home-grid">
        <div>
          <h2>New project</h2>
          <form
            className="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              if (name.trim()) void run(call('projects.create', { name: name.trim() }));
            }}
          >
            <label>
              Name
              <input
                value={name}
                onChange={(e) => setName(e.target.value)}
                placeholder="e.g. Feeder 12 hosting study"
              />
            </label>
            <button className="primary" type="submit" disabled={busy || !name.trim()}>
              Create
            </button>
          </form>

          {desktop && (
            <p>
              <button disabled={busy} onClick={() => void run(call('projects.openDialog', null))}>
                Open a project file…
              </button>
            </p>
          )}

          <h2>Recent projects</h2>
          {recent === null ? (
            <p className="muted">Loading…</p>
          ) : recent.length === 0 ? (
            <p className="empty">No recent projects. Create one, or start from the bundled example.</p>
          ) : (
            <ul className="list" aria-label="Recent projects">
              {recent.map((r) => (
                <li key={r.path}>
                  <button className="link" onClick={() => void run(call('projects.open', { path: r.path }))}>
                    {r.name}
                  </button>
                  <span className="muted small">
                    {current?.path === r.path ? 'open now · ' : ''}
                    {r.path} · {new Date(r.openedAt).toLocaleString()}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </div>
        <div>
          <h2>Bundled examples</h2>
          {examples.length === 0 ? (
            <p className="empty">No bundled examples were found in this installation.</p>
          ) : (
            <ul className="cards" aria-label="Bundled examples">
              {examples.map((e) => (
                <li key={e.id} className="card">
                  <h3>{e.title}</h3>
                  <p>{e.description}</p>
                  <button
                    disabled={busy}
                    onClick={() => void run(call('projects.openExample', { id: e.id }))}
                    aria-label={`Open ${e.title}`}
                  >
                    Open
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
    </section>
  );
}
