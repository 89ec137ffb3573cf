import { Fragment, useCallback, useEffect, useRef, useState } from 'react';
import type { AppInfo, ProjectSummary } from '../../src-main/contract';
import { backend, call } from './api/transport';
import { Home } from './screens/Home';
import { ImportWizard } from './screens/ImportWizard';
import { Workspace } from './screens/Workspace';
import { SHORTCUTS } from './state/shortcuts';

type View = 'home' | 'workspace' | 'import' | 'about';

/** The example opened on first start (no project open, none recent). */
const FIRST_START_EXAMPLE = 'ieee123';

export function App() {
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [view, setView] = useState<View>('home');
  const [project, setProject] = useState<ProjectSummary | null>(null);
  const [importedFeeder, setImportedFeeder] = useState<string | null>(null);
  const [starting, setStarting] = useState(true);
  // A screen the user picked while start-up was still asking the backend wins over the
  // start-up's own choice (a click during loading is never undone by a late reply).
  const navigated = useRef(false);
  const go = useCallback((v: View) => {
    navigated.current = true;
    setView(v);
  }, []);

  useEffect(() => {
    let live = true;
    (async () => {
      try {
        const i = await call('app.info', null);
        if (!live) return;
        setInfo(i);
        // Reopen what was open; on first start, open the bundled example.
        const current = await call('projects.current', null).catch(() => null);
        if (current) {
          setProject(current);
          if (!navigated.current) setView('workspace');
        } else {
          const recent = await call('projects.recent', null).catch(() => null);
          if (recent && recent.length === 0 && i.examples.some((e) => e.id === FIRST_START_EXAMPLE)) {
            const p = await call('projects.openExample', { id: FIRST_START_EXAMPLE }).catch(() => null);
            if (p && live) {
              setProject(p);
              if (!navigated.current) setView('workspace');
            }
          }
        }
      } catch (e) {
        if (live) setError((e as Error).message);
      } finally {
        if (live) setStarting(false);
      }
    })();
    return () => {
      live = false;
    };
  }, []);

  const opened = useCallback(
    (p: ProjectSummary) => {
      setProject(p);
      setImportedFeeder(null);
      go('workspace');
    },
    [go],
  );

  // Desktop only: the main process shows the native Save dialog (which asks before replacing a file).
  const saveAs = async () => {
    try {
      const saved = await call('projects.saveAsDialog', null);
      if (saved) setProject(saved);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const close = async () => {
    try {
      // With a run going the backend asks for confirmation; closing then cancels the run.
      const r = await backend().invoke('projects.close', null);
      if (!r.ok && r.error.code === 'confirmRequired') {
        if (!confirm(r.error.message)) return;
        await call('projects.close', { confirm: true });
      } else if (!r.ok) throw new Error(r.error.message);
    } catch (e) {
      setError((e as Error).message);
      return;
    }
    setProject(null);
    go('home');
  };

  return (
    <div className={`shell ${view === 'workspace' ? 'full' : ''}`}>
      <header className="topbar">
        <button className="brand" onClick={() => go(project ? 'workspace' : 'home')}>
          Tessera
        </button>
        <nav>
          <button aria-current={view === 'home'} onClick={() => go('home')}>
            Projects
          </button>
          {project && (
            <button aria-current={view === 'workspace' || view === 'import'} onClick={() => go('workspace')}>
              {project.name}
            </button>
          )}
          <button aria-current={view === 'about'} onClick={() => go('about')}>
            About
          </button>
        </nav>
        {project && window.tessera && (
          <button className="topbar-action" onClick={() => void saveAs()}>
            Save as…
          </button>
        )}
        {project && (
          <button className="topbar-action" onClick={() => void close()}>
            Close project
          </button>
        )}
        <span className="status" data-testid="solver-version">
          {info ? `solver ${info.solver.version}` : error ? 'backend unavailable' : 'connecting…'}
        </span>
      </header>
      <main>
        {error && (
          <div role="alert" className="error">
            {error}
          </div>
        )}
        {project?.readOnly && (
          <div role="status" className="error" data-testid="project-read-only">
            Read-only: {project.readOnly}. Close it there to edit it here.
          </div>
        )}
        {!info && !error && <p className="muted">Connecting to the Tessera backend…</p>}
        {info && starting && <p className="muted">Opening…</p>}
        {info && !starting && view === 'home' && <Home examples={info.examples} current={project} onOpened={opened} />}
        {info && !starting && view === 'workspace' && project && (
          <Workspace
            project={project}
            onProject={setProject}
            onImport={() => go('import')}
            initialFeederName={importedFeeder}
          />
        )}
        {info && !starting && view === 'import' && (
          <ImportWizard
            onCancel={() => go(project ? 'workspace' : 'home')}
            onSaved={(p, name) => {
              setProject(p);
              setImportedFeeder(name);
              go('workspace');
            }}
          />
        )}
        {info && view === 'about' && <About info={info} />}
      </main>
    </div>
  );
}

function About({ info }: { info: AppInfo }) {
  return (
    <section className="page">
      <h1>About Tessera</h1>
      <dl className="facts">
        <dt>Solver core</dt>
        <dd data-testid="about-solver">
          {info.solver.name} {info.solver.version}
        </dd>
        <dt>Backend</dt>
        <dd data-testid="about-host">{info.host === 'electron' ? 'Electron main process' : 'Node host (browser)'}</dd>
        <dt>Bundled examples</dt>
        <dd>{info.examples.length}</dd>
      </dl>
      <h2>Keyboard shortcuts</h2>
      <dl className="facts" data-testid="shortcut-table">
        {SHORTCUTS.map((k) => (
          <Fragment key={k.action}>
            <dt>{k.keys}</dt>
            <dd>{k.does}</dd>
          </Fragment>
        ))}
      </dl>
    </section>
  );
}
