/**
 * The open project: feeders and scenarios on the left, the one-line graph in the middle, and the
 * panel of the current tab (network, areas, PV & batteries, study) on the right. Every scenario
 * edit goes through useScenario (undo/redo + immediate autosave).
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { BatteryPlacement, CutBranch, PartitionCheck, ProjectSummary, PvPlacement, Scenario } from '../../../src-main/contract';
import type { Feeder } from '../../../src-solver/model/feeder';
import { call } from '../api/transport';
import { NetworkGraph, type GraphMode, type NetworkGraphHandle } from '../graph/NetworkGraph';
import { areasFromCuts, buildTree, cutsForSelection, toggleCut } from '../../../src-shared/topology';
import { useShortcuts } from '../state/shortcuts';
import { useScenario } from '../state/useScenario';
import { AreasPanel } from './AreasPanel';
import { newDevice, PlacementsPanel, type PlaceKind } from './PlacementsPanel';
import { StudySettingsPanel } from './StudySettingsPanel';
import { RunsView } from '../runs/RunsView';
import { SitingView } from '../siting/SitingView';

type Tab = 'network' | 'areas' | 'devices' | 'study' | 'runs' | 'siting';
const TABS: [Tab, string][] = [
  ['network', 'Network'],
  ['areas', 'Areas'],
  ['devices', 'PV & batteries'],
  ['study', 'Study settings'],
  ['runs', 'Runs'],
  ['siting', 'Siting'],
];

export function Workspace({
  project,
  onProject,
  onImport,
  initialFeederName,
}: {
  project: ProjectSummary;
  onProject: (p: ProjectSummary) => void;
  onImport: () => void;
  initialFeederName?: string | null;
}) {
  const [feederId, setFeederId] = useState<number | null>(null);
  const [scenarioId, setScenarioId] = useState<number | null>(null);
  const [feeder, setFeeder] = useState<Feeder | null>(null);
  const [feederError, setFeederError] = useState<string | null>(null);
  const [tab, setTab] = useState<Tab>('network');
  const [placing, setPlacing] = useState<PlaceKind | null>(null);
  const [selection, setSelection] = useState<string[]>([]);
  const [check, setCheck] = useState<PartitionCheck | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const graph = useRef<NetworkGraphHandle>(null);
  const search = useRef<HTMLInputElement>(null);

  // Pick a feeder: the one just imported, else keep the current one, else the first.
  useEffect(() => {
    const byName = initialFeederName ? project.feeders.filter((f) => f.name === initialFeederName).at(-1) : undefined;
    setFeederId((cur) => byName?.id ?? (cur !== null && project.feeders.some((f) => f.id === cur) ? cur : (project.feeders[0]?.id ?? null)));
  }, [project, initialFeederName]);

  const scenarios = useMemo(() => project.scenarios.filter((s) => s.feederId === feederId), [project, feederId]);
  useEffect(() => {
    setScenarioId((cur) => (cur !== null && scenarios.some((s) => s.id === cur) ? cur : (scenarios[0]?.id ?? null)));
  }, [scenarios]);

  useEffect(() => {
    setFeeder(null);
    setFeederError(null);
    if (feederId === null) return;
    let live = true;
    call('feeders.get', { id: feederId }).then(
      (f) => live && setFeeder(f),
      (e: Error) => live && setFeederError(e.message),
    );
    return () => {
      live = false;
    };
  }, [feederId]);

  const refreshProject = useCallback(() => {
    call('projects.current', null).then((p) => p && onProject(p), () => undefined);
  }, [onProject]);
  const editor = useScenario(scenarioId, refreshProject);
  const scenario = editor.scenario;
  const tree = useMemo(() => (feeder ? buildTree(feeder) : null), [feeder]);
  const cuts = scenario?.partition.cuts ?? [];
  const local = useMemo(() => (tree ? areasFromCuts(tree, cuts) : null), [tree, cuts]);

  // Backend validation of the partition (authoritative reasons), a moment after each change.
  useEffect(() => {
    setCheck(null);
    if (feederId === null || !scenario) return;
    let live = true;
    const t = setTimeout(() => {
      call('partition.check', { feederId, cuts }).then(
        (c) => live && setCheck(c),
        () => undefined,
      );
    }, 120);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [feederId, scenario, cuts]);

  const setCuts = (label: string, next: CutBranch[]) => void editor.edit(label, { partition: { cuts: next } });

  const onTapEdge = (from: string, to: string) => {
    if (tab !== 'areas' || !tree || !scenario) return;
    const cut = cuts.some((c) => (c.from === from && c.to === to) || (c.from === to && c.to === from));
    setCuts(`${cut ? 'Join' : 'Cut'} ${from}–${to}`, toggleCut(tree, cuts, from, to));
  };
  const onTapBus = (bus: string) => {
    if (tab !== 'devices' || !placing || !feeder || !scenario) return;
    const d = newDevice(placing, bus, feeder, scenario.placements);
    const p = scenario.placements;
    void editor.edit(
      `Add ${d.name}`,
      placing === 'pv' ? { placements: { ...p, pv: [...p.pv, d as PvPlacement] } } : { placements: { ...p, batteries: [...p.batteries, d as BatteryPlacement] } },
    );
  };

  const focus = (name: string) => {
    if (!graph.current?.focusBus(name)) setMessage(`No bus named “${name}”.`);
    else setMessage(null);
  };

  useShortcuts({
    undo: () => void editor.undo(),
    redo: () => void editor.redo(),
    search: () => search.current?.focus(),
    fit: () => graph.current?.fit(),
    zoomIn: () => graph.current?.zoom(1.25),
    zoomOut: () => graph.current?.zoom(0.8),
    escape: () => setPlacing(null),
    tab: (i) => TABS[i] && setTab(TABS[i][0]),
  });

  const mode: GraphMode = tab === 'areas' ? 'areas' : tab === 'devices' && placing ? (placing === 'pv' ? 'place-pv' : 'place-battery') : 'view';
  const feederSummary = project.feeders.find((f) => f.id === feederId);

  return (
    <div className="workspace" data-testid="workspace">
      <aside className="sidebar">
        <div className="side-head">
          <h2 data-testid="project-name">{project.name}</h2>
          <span className="muted small" title={project.path}>
            {project.path}
          </span>
        </div>
        <h3>Feeders</h3>
        {project.feeders.length === 0 ? (
          <p className="empty small">No feeder yet. Import an OpenDSS or CSV feeder to begin.</p>
        ) : (
          <ul className="list select" aria-label="Feeders">
            {project.feeders.map((f) => (
              <li key={f.id} aria-current={f.id === feederId}>
                <button onClick={() => setFeederId(f.id)}>
                  <strong>{f.name}</strong>
                  <span className="muted small">
                    {f.buses} buses · {f.loads} loads · {f.source}
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
              <ul className="list select" aria-label="Scenarios">
                {scenarios.map((s) => (
                  <li key={s.id} aria-current={s.id === scenarioId}>
                    <button onClick={() => setScenarioId(s.id)}>
                      <strong>{s.name}</strong>
                      <span className="muted small">
                        {s.pvCount} PV · {s.batteryCount} batteries · {s.areaCount} area{s.areaCount === 1 ? '' : 's'}
                      </span>
                    </button>
                  </li>
                ))}
              </ul>
            )}
            {scenario && (
              <div className="button-row">
                <button
                  onClick={async () => {
                    try {
                      const copy = await call('scenarios.duplicate', { id: scenario.id, name: `${scenario.name} (copy)` });
                      const p = await call('projects.current', null);
                      if (p) onProject(p);
                      setScenarioId(copy.id);
                    } catch (e) {
                      setMessage((e as Error).message);
                    }
                  }}
                >
                  Duplicate
                </button>
                <button
                  onClick={() => {
                    const name = prompt('Scenario name', scenario.name);
                    if (name && name.trim() && name !== scenario.name) void editor.edit('Rename scenario', { name: name.trim() });
                  }}
                >
                  Rename
                </button>
                <button
                  disabled={scenarios.length < 2}
                  title={scenarios.length < 2 ? 'A feeder keeps at least one scenario' : undefined}
                  onClick={async () => {
                    if (!confirm(`Delete scenario “${scenario.name}”? This cannot be undone.`)) return;
                    try {
                      onProject(await call('scenarios.delete', { id: scenario.id, confirm: true }));
                    } catch (e) {
                      setMessage((e as Error).message);
                    }
                  }}
                >
                  Delete
                </button>
              </div>
            )}
          </>
        )}
      </aside>

      <section className="stage">
        <div className="toolbar">
          <nav className="tabs" role="tablist">
            {TABS.map(([id, label], i) => (
              <button key={id} role="tab" aria-selected={tab === id} title={`${label} (${i + 1})`} onClick={() => setTab(id)}>
                {label}
              </button>
            ))}
          </nav>
          <div className="tools">
            <button onClick={() => void editor.undo()} disabled={!editor.canUndo} title={`Undo ${editor.undoLabel ?? ''} (Ctrl+Z)`} aria-label="Undo">
              ↶ Undo
            </button>
            <button onClick={() => void editor.redo()} disabled={!editor.canRedo} title={`Redo ${editor.redoLabel ?? ''} (Ctrl+Shift+Z)`} aria-label="Redo">
              ↷ Redo
            </button>
            <form
              className="search"
              onSubmit={(e) => {
                e.preventDefault();
                const v = search.current?.value.trim();
                if (v) focus(v);
              }}
            >
              <input ref={search} type="search" placeholder="Find bus  ( / )" aria-label="Find bus" list="bus-names" disabled={!feeder} />
              {feeder && feeder.buses.length <= 5000 && (
                <datalist id="bus-names">
                  {feeder.buses.map((b) => (
                    <option key={b.name} value={b.name} />
                  ))}
                </datalist>
              )}
            </form>
            <button onClick={() => graph.current?.fit()} title="Fit (F)" disabled={!feeder}>
              Fit
            </button>
            <button onClick={() => graph.current?.zoom(1.25)} aria-label="Zoom in" disabled={!feeder}>
              +
            </button>
            <button onClick={() => graph.current?.zoom(0.8)} aria-label="Zoom out" disabled={!feeder}>
              −
            </button>
            <SaveBadge editor={editor} />
          </div>
        </div>
        {message && (
          <div className="notice" role="status">
            {message}{' '}
            <button className="icon" aria-label="Dismiss" onClick={() => setMessage(null)}>
              ×
            </button>
          </div>
        )}
        {editor.save.kind === 'failed' && (
          <div role="alert" className="error">
            Your last edit was not saved: {editor.save.message}
          </div>
        )}
        {feederError && (
          <div role="alert" className="error">
            {feederError}
          </div>
        )}
        {editor.loadError && (
          <div role="alert" className="error">
            {editor.loadError}
          </div>
        )}
        {project.feeders.length === 0 ? (
          <div className="empty big">
            <h2>No feeder in this project</h2>
            <p>Import an OpenDSS Master.dss (folder or zip) or a CSV pair to see the network here.</p>
            <button className="primary" onClick={onImport}>
              Import feeder…
            </button>
          </div>
        ) : (
          <div className={`stage-body ${tab === 'study' || tab === 'runs' || tab === 'siting' ? 'study-tab' : ''}`}>
            <div className="graph-pane" hidden={tab === 'study' || tab === 'runs' || tab === 'siting'}>
              {feeder && tree ? (
                <>
                  <NetworkGraph
                    ref={graph}
                    feeder={feeder}
                    tree={tree}
                    placements={scenario?.placements}
                    areas={local}
                    cuts={cuts}
                    mode={mode}
                    onTapEdge={onTapEdge}
                    onTapBus={onTapBus}
                    onSelectionChange={setSelection}
                  />
                  <Legend feeder={feeder} summary={feederSummary?.source} mode={mode} />
                </>
              ) : (
                !feederError && <p className="muted pad">Loading the feeder…</p>
              )}
            </div>
            <div className="panel">
              {!scenario ? (
                <p className="muted">{scenarioId === null ? 'No scenario selected.' : 'Loading the scenario…'}</p>
              ) : tab === 'network' ? (
                <NetworkPanel feeder={feeder} scenario={scenario} summary={feederSummary?.source} />
              ) : tab === 'areas' && tree && local ? (
                <AreasPanel
                  tree={tree}
                  cuts={cuts}
                  local={local}
                  check={check}
                  selection={selection}
                  onCuts={setCuts}
                  onFromSelection={() => {
                    const r = cutsForSelection(tree, cuts, selection);
                    if ('error' in r) setMessage(r.error);
                    else setCuts(`Make area of ${selection.length} buses`, r.cuts);
                  }}
                  onSuggest={async (k) => {
                    const p = await call('partition.suggest', { feederId: feederId!, k });
                    setCuts(`Suggest ${k} areas`, [...p.cuts]);
                  }}
                />
              ) : tab === 'devices' ? (
                <PlacementsPanel
                  placements={scenario.placements}
                  placing={placing}
                  onPlacing={setPlacing}
                  onEdit={(label, placements) => void editor.edit(label, { placements })}
                  onBulk={async (rule) => {
                    const before: Scenario = scenario;
                    const after = await call('placements.bulk', { scenarioId: scenario.id, rule });
                    editor.record(`Bulk ${rule.kind === 'pv' ? 'PV' : 'batteries'} (seed ${rule.seed})`, before, after, ['placements']);
                  }}
                  onFocusBus={focus}
                />
              ) : tab === 'study' ? (
                <StudySettingsPanel study={scenario.study} onEdit={(label, study) => void editor.edit(label, { study })} />
              ) : tab === 'runs' ? (
                <RunsView scenario={scenario} scenarios={scenarios} feeder={feeder} tree={tree} />
              ) : tab === 'siting' ? (
                <SitingView scenario={scenario} selection={selection} />
              ) : null}
            </div>
          </div>
        )}
      </section>
    </div>
  );
}

function SaveBadge({ editor }: { editor: ReturnType<typeof useScenario> }) {
  const s = editor.save;
  const text = s.kind === 'saving' ? 'Saving…' : s.kind === 'saved' ? 'All changes saved' : s.kind === 'failed' ? 'Not saved' : editor.scenario ? 'Saved' : '';
  return (
    <span className={`save-badge ${s.kind}`} data-testid="save-state" aria-live="polite">
      {text}
    </span>
  );
}

function NetworkPanel({ feeder, scenario, summary }: { feeder: Feeder | null; scenario: Scenario; summary?: string }) {
  if (!feeder) return <p className="muted">Loading…</p>;
  const peakKw = feeder.loads.reduce((s, l) => s + l.pKw, 0);
  const peakKvar = feeder.loads.reduce((s, l) => s + l.qKvar, 0);
  const capKvar = feeder.capacitors.reduce((s, c) => s + c.qKvar, 0);
  const pvKw = scenario.placements.pv.reduce((s, p) => s + p.pRatedKw, 0);
  const batKw = scenario.placements.batteries.reduce((s, b) => s + b.pRatedKw, 0);
  const batKwh = scenario.placements.batteries.reduce((s, b) => s + b.energyKwh, 0);
  return (
    <div>
      <h2>{feeder.name}</h2>
      {summary && <p className="muted small">{summary}</p>}
      <dl className="facts" data-testid="feeder-facts">
        <dt>Buses</dt>
        <dd>{feeder.buses.length}</dd>
        <dt>Branches</dt>
        <dd>{feeder.branches.length}</dd>
        <dt>Substation</dt>
        <dd>
          bus {feeder.substation.bus}, {feeder.substation.vSetPu} pu
        </dd>
        <dt>Peak load</dt>
        <dd>
          {peakKw.toFixed(0)} kW, {peakKvar.toFixed(0)} kvar ({feeder.loads.length} loads)
        </dd>
        <dt>Capacitors</dt>
        <dd>
          {feeder.capacitors.length} ({capKvar.toFixed(0)} kvar)
        </dd>
        <dt>PV</dt>
        <dd>
          {scenario.placements.pv.length} ({pvKw.toFixed(0)} kW)
        </dd>
        <dt>Batteries</dt>
        <dd>
          {scenario.placements.batteries.length} ({batKw.toFixed(0)} kW, {batKwh.toFixed(0)} kWh)
        </dd>
        <dt>Areas</dt>
        <dd>{scenario.partition.cuts.length + 1}</dd>
      </dl>
      <p className="muted small">
        Hover a bus for its data. Shortcuts: / find a bus, F fit, + / − zoom, Ctrl+Z undo, Ctrl+Shift+Z redo, 1–4 switch tabs.
      </p>
    </div>
  );
}

function Legend({ feeder, summary, mode }: { feeder: Feeder; summary?: string; mode: GraphMode }) {
  const hint =
    mode === 'areas'
      ? 'Click a branch to cut or join · Shift-drag to select buses'
      : mode === 'place-pv'
        ? 'Click a bus to add PV · Esc to stop'
        : mode === 'place-battery'
          ? 'Click a bus to add a battery · Esc to stop'
          : summary ?? '';
  return (
    <div className="legend" aria-label="Legend">
      <span>
        <i className="g sub" /> substation
      </span>
      <span>
        <i className="g load" /> load (size ∝ kW)
      </span>
      <span>
        <i className="g pv" /> PV
      </span>
      <span>
        <i className="g bat" /> battery
      </span>
      {feeder.capacitors.length > 0 && (
        <span>
          <i className="g cap" /> capacitor
        </span>
      )}
      <span className="hint" data-testid="graph-hint">
        {hint}
      </span>
    </div>
  );
}
