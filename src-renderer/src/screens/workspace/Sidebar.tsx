/**
 * The workspace's left column: the project (name and report details edited in place), its
 * feeders, and the feeder's scenarios with rename (in place), duplicate and delete (in-app
 * confirmation). Scenario actions are disabled while a switch to another scenario is still
 * loading, so they never act on the previous one; a fresh copy opens with its name in edit.
 */
import { useState } from 'react';
import type { ProjectSummary, ScenarioSummary } from '../../../../src-main/contract';
import { call } from '../../api/transport';
import { useConfirm } from '../../components/ConfirmDialog';
import { EditableName } from '../../components/EditableName';
import { plural } from '../../../../src-shared/format';
import { LogoSetting } from './LogoSetting';

export function Sidebar({
  project,
  onProject,
  onImport,
  feederId,
  onFeeder,
  scenarios,
  scenarioId,
  loadedScenarioId,
  onScenario,
  onRenameScenario,
  onMessage,
}: {
  project: ProjectSummary;
  onProject: (p: ProjectSummary) => void;
  onImport: () => void;
  feederId: number | null;
  onFeeder: (id: number) => void;
  scenarios: readonly ScenarioSummary[];
  scenarioId: number | null;
  /** The scenario the editor has loaded (differs from scenarioId while a switch is pending). */
  loadedScenarioId: number | null;
  onScenario: (id: number) => void;
  onRenameScenario: (name: string) => Promise<void>;
  onMessage: (m: string | null) => void;
}) {
  const [editNameOf, setEditNameOf] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirmDialog, ask] = useConfirm();
  const switching = scenarioId !== null && loadedScenarioId !== scenarioId;
  const current = scenarios.find((s) => s.id === scenarioId) ?? null;
  const actionsDisabled = switching || busy || !current;

  const duplicate = async () => {
    if (!current) return;
    setBusy(true);
    try {
      const copy = await call('scenarios.duplicate', { id: current.id });
      const p = await call('projects.current', null);
      if (p) onProject(p);
      onScenario(copy.id);
      setEditNameOf(copy.id);
    } catch (e) {
      onMessage((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    if (!current) return;
    const ok = await ask({
      title: `Delete scenario “${current.name}”?`,
      body: <p>Its placements, areas, study settings and every run of it are deleted. This cannot be undone.</p>,
      confirmLabel: 'Delete scenario',
      danger: true,
    });
    if (!ok) return;
    setBusy(true);
    try {
      onProject(await call('scenarios.delete', { id: current.id, confirm: true }));
    } catch (e) {
      onMessage((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <aside className="sidebar">
      <div className="side-head">
        <EditableName
          as="h2"
          className="project-name"
          label="Project name"
          value={project.name}
          onRename={async (name) => onProject(await call('projects.update', { name }))}
        />
        <span className="muted small path" title={project.path} data-testid="project-path">
          {project.path.split(/[\\/]/).at(-1)}
        </span>
        <ReportDetails project={project} onProject={onProject} />
      </div>
      <h3>Feeders</h3>
      {project.feeders.length === 0 ? (
        <p className="empty small">No feeder yet. Import an OpenDSS or CSV feeder to begin.</p>
      ) : (
        <ul className="list select" aria-label="Feeders">
          {project.feeders.map((f) => (
            <li key={f.id} aria-current={f.id === feederId}>
              <button onClick={() => onFeeder(f.id)}>
                <strong>{f.name}</strong>
                <span className="muted small">
                  {plural(f.buses, 'bus', 'buses')} · {plural(f.loads, 'load')} · {f.source}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <button className="primary block" onClick={onImport}>
        Import feeder…
      </button>
      {feederId !== null && (
        <>
          <h3>Scenarios</h3>
          {scenarios.length === 0 ? (
            <p className="empty small">This feeder has no scenario.</p>
          ) : (
            <ul className="list select" aria-label="Scenarios" aria-busy={switching}>
              {scenarios.map((s) => {
                const counts = `${plural(s.pvCount, 'PV', 'PV')} · ${plural(s.batteryCount, 'battery', 'batteries')} · ${plural(s.areaCount, 'area')}`;
                return (
                  <li key={s.id} aria-current={s.id === scenarioId} data-scenario={s.id}>
                    {s.id === scenarioId ? (
                      <div className="current-item">
                        <EditableName
                          as="strong"
                          label="Scenario name"
                          value={s.name}
                          disabled={switching}
                          editing={editNameOf === s.id && !switching}
                          onEditingDone={() => setEditNameOf(null)}
                          onRename={onRenameScenario}
                        />
                        <span className="muted small">{switching ? 'Opening…' : counts}</span>
                      </div>
                    ) : (
                      <button onClick={() => onScenario(s.id)}>
                        <strong>{s.name}</strong>
                        <span className="muted small">{counts}</span>
                      </button>
                    )}
                  </li>
                );
              })}
            </ul>
          )}
          {current && (
            <div className="button-row" role="group" aria-label="Scenario actions">
              <button
                onClick={() => void duplicate()}
                disabled={actionsDisabled}
                title="A copy of this scenario, with its placements, areas and study"
              >
                Duplicate
              </button>
              <button onClick={() => setEditNameOf(current.id)} disabled={actionsDisabled}>
                Rename
              </button>
              <button
                disabled={actionsDisabled || scenarios.length < 2}
                title={scenarios.length < 2 ? 'A feeder keeps at least one scenario' : undefined}
                onClick={() => void remove()}
              >
                Delete
              </button>
            </div>
          )}
        </>
      )}
      {confirmDialog}
    </aside>
  );
}

/** Author and organisation: the report's title page shows them. */
function ReportDetails({ project, onProject }: { project: ProjectSummary; onProject: (p: ProjectSummary) => void }) {
  const save = async (field: 'author' | 'organisation', value: string) => {
    if ((project[field] ?? '') === value.trim()) return;
    onProject(await call('projects.update', { [field]: value }));
  };
  return (
    <details className="report-details">
      <summary className="small">Report details{project.author ? ` · ${project.author}` : ''}</summary>
      <label className="small">
        Author
        <input
          key={`a-${project.path}-${project.author ?? ''}`}
          defaultValue={project.author ?? ''}
          placeholder="Your name"
          onBlur={(e) => void save('author', e.target.value)}
          onKeyDown={(e) => e.key === 'Enter' && e.currentTarget.blur()}
        />
      </label>
      <label className="small">
        Organisation
        <input
          key={`o-${project.path}-${project.organisation ?? ''}`}
          defaultValue={project.organisation ?? ''}
          placeholder="Utility or company"
          onBlur={(e) => void save('organisation', e.target.value)}
          onKeyDown={(e) => e.key === 'Enter' && e.currentTarget.blur()}
        />
      </label>
      <LogoSetting project={project} onProject={onProject} />
    </details>
  );
}
