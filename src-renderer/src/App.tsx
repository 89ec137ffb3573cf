import { useEffect, useState } from 'react';
import type { AppInfo, ExampleSummary } from '../../src-main/contract';
import { call } from './api/transport';

type View = { kind: 'home' } | { kind: 'example'; example: ExampleSummary } | { kind: 'about' };

export function App() {
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [view, setView] = useState<View>({ kind: 'home' });

  useEffect(() => {
    call('app.info', null).then(setInfo, (e: Error) => setError(e.message));
  }, []);

  return (
    <div className="shell">
      <header className="topbar">
        <button className="brand" onClick={() => setView({ kind: 'home' })}>
          Tessera
        </button>
        <nav>
          <button aria-current={view.kind === 'home'} onClick={() => setView({ kind: 'home' })}>
            Projects
          </button>
          <button aria-current={view.kind === 'about'} onClick={() => setView({ kind: 'about' })}>
            About
          </button>
        </nav>
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
        {!info && !error && <p className="muted">Connecting to the Tessera backend…</p>}
        {info && view.kind === 'home' && (
          <Home examples={info.examples} onOpen={(example) => setView({ kind: 'example', example })} />
        )}
        {info && view.kind === 'example' && <ExampleDetail example={view.example} onBack={() => setView({ kind: 'home' })} />}
        {info && view.kind === 'about' && <About info={info} />}
      </main>
    </div>
  );
}

function Home({ examples, onOpen }: { examples: readonly ExampleSummary[]; onOpen: (e: ExampleSummary) => void }) {
  return (
    <section>
      <h1>Projects</h1>
      <p className="muted">
        Multi-period optimal power flow for distribution feeders with PV and batteries. Start from a bundled example.
      </p>
      <h2>Bundled examples</h2>
      {examples.length === 0 ? (
        <p className="empty">No bundled examples were found in this installation.</p>
      ) : (
        <ul className="cards" aria-label="Bundled examples">
          {examples.map((e) => (
            <li key={e.id} className="card">
              <h3>{e.title}</h3>
              <p>{e.description}</p>
              <button onClick={() => onOpen(e)} aria-label={`Open ${e.title}`}>
                Open
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function ExampleDetail({ example, onBack }: { example: ExampleSummary; onBack: () => void }) {
  return (
    <section>
      <button className="link" onClick={onBack}>
        ← All projects
      </button>
      <h1 data-testid="example-title">{example.title}</h1>
      <p>{example.description}</p>
      <dl className="facts">
        <dt>Example id</dt>
        <dd>{example.id}</dd>
      </dl>
    </section>
  );
}

function About({ info }: { info: AppInfo }) {
  return (
    <section>
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
    </section>
  );
}
