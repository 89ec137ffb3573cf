/**
 * The open project: feeders and scenarios on the left (workspace/Sidebar), the one-line graph in
 * the middle, and the panel of the current tab (network, areas, PV & batteries, study, runs) on
 * the right. Every scenario edit goes through useScenario (undo/redo + immediate autosave).
 */
import { useMemo, useRef, useState, useEffect } from 'react';
import type { BatteryPlacement, CutBranch, ProjectSummary, PvPlacement, Scenario } from '../../../src-main/contract';
import { call } from '../api/transport';
import { NetworkGraph, type GraphMode, type NetworkGraphHandle } from '../graph/NetworkGraph';
import { areasFromCuts, buildTree, cutsForSelection, toggleCut } from '../../../src-shared/topology';
import { useShortcuts, WORKSPACE_TABS, type WorkspaceTab } from '../state/shortcuts';
import { useScenario } from '../state/useScenario';
import { AreasPanel } from './AreasPanel';
import { newDevice, PlacementsPanel, type PlaceKind } from './PlacementsPanel';
import { StudySettingsPanel } from './StudySettingsPanel';
import { RunsView } from '../runs/RunsView';
import { Sidebar } from './workspace/Sidebar';
import { Legend, NetworkPanel } from './workspace/NetworkPanel';
import { useFeeder } from './workspace/useFeeder';
import { usePartitionCheck } from './workspace/usePartitionCheck';
import { plainSaveError } from './workspace/plainErrors';
import { Details, type Inspected } from './workspace/Details';
import { SitingView } from '../siting/SitingView';
import { BaseCaseView, powerLabel } from '../basecase/BaseCaseView';
import { useBaseCase } from '../basecase/useBaseCase';
import { useFeederPhases } from '../basecase/useFeederPhases';
import { setRunOverlay, useRunOverlay } from '../threephase/runOverlay';
import { VoltageOverlay, voltageColors, voltageRows, type ColourView } from '../basecase/VoltageOverlay';

/** Tabs that show the graph (the others use the whole stage for their panel). */
const GRAPH_TABS: ReadonlySet<WorkspaceTab> = new Set(['network', 'areas', 'devices']);

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
  const { feederId, setFeederId, feeder, error: feederError } = useFeeder(project, initialFeederName);
  const [scenarioId, setScenarioId] = useState<number | null>(null);
  const [tab, setTab] = useState<WorkspaceTab>('network');
  /** The run the Siting tab asked to open in Runs. */
  const [openRunId, setOpenRunId] = useState<number | null>(null);
  const [placing, setPlacing] = useState<PlaceKind | null>(null);
  const [selection, setSelection] = useState<string[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const [inspect, setInspect] = useState<Inspected | null>(null);
  const graph = useRef<NetworkGraphHandle>(null);
  const search = useRef<HTMLInputElement>(null);

  const scenarios = useMemo(() => project.scenarios.filter((s) => s.feederId === feederId), [project, feederId]);
  useEffect(() => setInspect(null), [feederId]);
  useEffect(() => {
    setScenarioId((cur) => (cur !== null && scenarios.some((s) => s.id === cur) ? cur : (scenarios[0]?.id ?? null)));
  }, [scenarios]);

  const refreshProject = () => {
    call('projects.current', null).then(
      (p) => p && onProject(p),
      () => undefined,
    );
  };
  const editor = useScenario(scenarioId, refreshProject);
  // While a switch is pending the editor still holds the previous scenario: nothing acts on it.
  const scenario = editor.scenario && editor.scenario.id === scenarioId ? editor.scenario : null;
  const tree = useMemo(() => (feeder ? buildTree(feeder) : null), [feeder]);
  const cuts = useMemo<CutBranch[]>(() => [...(scenario?.partition.cuts ?? [])], [scenario?.partition.cuts]);
  const local = useMemo(() => (tree ? areasFromCuts(tree, cuts) : null), [tree, cuts]);
  const check = usePartitionCheck(feederId, scenario !== null, cuts);
  const feederModel = project.feeders.find((f) => f.id === feederId)?.model ?? 'balanced';
  const phases = useFeederPhases(feederId, feederModel);
  const baseCase = useBaseCase(scenarioId);
  const [bcPeriod, setBcPeriod] = useState(0);
  const [colourView, setColourView] = useState<ColourView>('worst');
  // A three-phase run's voltages, when "Show on the network" was asked from its per-phase panel, else the base case's.
  const runOverlay = useRunOverlay();
  const [runPeriod, setRunPeriod] = useState(0);
  useEffect(() => {
    if (!runOverlay) return;
    setRunPeriod(runOverlay.period);
    setColourView('worst');
    setTab('network');
  }, [runOverlay]);
  // Another feeder (or leaving the workspace): the run's voltages no longer apply.
  useEffect(() => () => setRunOverlay(null), [feederId]);
  const baseBc = baseCase.result && baseCase.result.feederId === feederId ? baseCase.result : null;
  const bc = runOverlay ? runOverlay.voltages : baseBc;
  const period = bc ? Math.min(runOverlay ? runPeriod : bcPeriod, bc.periods.length - 1) : 0;
  const busColors = useMemo(() => (bc ? voltageColors(bc, period, colourView) : null), [bc, period, colourView]);
  const graphPhases = useMemo(() => (phases ? { bus: phases.busPhases, branch: phases.branchPhases } : null), [phases]);
  const locate = (bus: string) => {
    setTab('network');
    setInspect({ kind: 'bus', name: bus });
    // The graph pane is shown again on the next render; centre on the bus once it is.
    setTimeout(() => graph.current?.focusBus(bus), 50);
  };

  const setCuts = (label: string, next: CutBranch[]) => void editor.edit(label, { partition: { cuts: next } });

  const onTapEdge = (from: string, to: string) => {
    if (tab === 'network') return setInspect({ kind: 'branch', from, to });
    if (tab !== 'areas' || !tree || !scenario) return;
    const cut = cuts.some((c) => (c.from === from && c.to === to) || (c.from === to && c.to === from));
    setCuts(`${cut ? 'Join' : 'Cut'} ${from}–${to}`, toggleCut(tree, cuts, from, to));
  };
  const onTapBus = (bus: string) => {
    if (tab === 'network' || (tab === 'devices' && !placing)) {
      setTab('network');
      return setInspect({ kind: 'bus', name: bus });
    }
    if (tab !== 'devices' || !placing || !feeder || !scenario) return;
    const d = newDevice(placing, bus, feeder, scenario.placements);
    const p = scenario.placements;
    void editor.edit(
      `Add ${d.name}`,
      placing === 'pv'
        ? { placements: { ...p, pv: [...p.pv, d as PvPlacement] } }
        : { placements: { ...p, batteries: [...p.batteries, d as BatteryPlacement] } },
    );
  };

  const focus = (name: string) => {
    if (!graph.current?.focusBus(name)) setMessage(`No bus named “${name}”.`);
    else setMessage(null);
  };

  const hasGraph = GRAPH_TABS.has(tab);
  useShortcuts({
    undo: () => void editor.undo(),
    redo: () => void editor.redo(),
    search: () => {
      if (!hasGraph) setTab('network');
      setTimeout(() => search.current?.focus(), 0);
    },
    fit: () => graph.current?.fit(),
    zoomIn: () => graph.current?.zoom(1.25),
    zoomOut: () => graph.current?.zoom(0.8),
    escape: () => setPlacing(null),
    tab: (i) => WORKSPACE_TABS[i] && setTab(WORKSPACE_TABS[i].id),
  });

  const mode: GraphMode =
    tab === 'areas'
      ? 'areas'
      : tab === 'devices' && placing
        ? placing === 'pv'
          ? 'place-pv'
          : 'place-battery'
        : 'view';
  const feederSummary = project.feeders.find((f) => f.id === feederId);
  const saveError = editor.save.kind === 'failed' ? plainSaveError(editor.save.message) : null;

  return (
    <div className="workspace" data-testid="workspace">
      <Sidebar
        project={project}
        onProject={onProject}
        onImport={onImport}
        feederId={feederId}
        onFeeder={setFeederId}
        scenarios={scenarios}
        scenarioId={scenarioId}
        loadedScenarioId={editor.scenario?.id ?? null}
        onScenario={setScenarioId}
        onRenameScenario={(name) => editor.edit('Rename scenario', { name })}
        onMessage={setMessage}
      />

      <section className="stage">
        <div className="toolbar">
          <nav className="tabs" role="tablist">
            {WORKSPACE_TABS.map(({ id, label, key }) => (
              <button
                key={id}
                role="tab"
                aria-selected={tab === id}
                title={`${label} (key ${key})`}
                onClick={() => setTab(id)}
              >
                {label}
              </button>
            ))}
          </nav>
          <div className="tools">
            <button
              onClick={() => void editor.undo()}
              disabled={!editor.canUndo}
              title={`Undo ${editor.undoLabel ?? ''} (Ctrl+Z)`}
              aria-label="Undo"
            >
              ↶ Undo
            </button>
            <button
              onClick={() => void editor.redo()}
              disabled={!editor.canRedo}
              title={`Redo ${editor.redoLabel ?? ''} (Ctrl+Shift+Z)`}
              aria-label="Redo"
            >
              ↷ Redo
            </button>
            {hasGraph && (
              <div className="graph-tools" role="group" aria-label="Graph tools">
                <form
                  className="search"
                  onSubmit={(e) => {
                    e.preventDefault();
                    const v = search.current?.value.trim();
                    if (v) focus(v);
                  }}
                >
                  <input
                    ref={search}
                    type="search"
                    placeholder="Find bus  ( / )"
                    aria-label="Find bus"
                    list="bus-names"
                    disabled={!feeder}
                  />
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
              </div>
            )}
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
        {saveError && (
          <div role="alert" className="error" title={editor.save.kind === 'failed' ? editor.save.message : undefined}>
            Your last edit was not saved: {saveError}
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
          <div className={`stage-body ${hasGraph ? '' : 'study-tab'}`}>
            <div className="graph-pane" hidden={!hasGraph}>
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
                    busColors={busColors}
                    phases={graphPhases}
                    hoverRows={bc ? (bus) => voltageRows(bc, period, bus) : null}
                    powerLabel={feederModel === 'balanced' ? undefined : powerLabel(feederModel)}
                  />
                  <Legend feeder={feeder} summary={feederSummary?.source} mode={mode} />
                  {bc && (
                    <VoltageOverlay
                      result={bc}
                      period={period}
                      onPeriod={runOverlay ? setRunPeriod : setBcPeriod}
                      view={colourView}
                      onView={setColourView}
                      {...(runOverlay ? { title: runOverlay.label, onClose: () => setRunOverlay(null) } : {})}
                    />
                  )}
                </>
              ) : (
                !feederError && <p className="muted pad">Loading the feeder…</p>
              )}
            </div>
            <div className="panel">
              {!scenario ? (
                <p className="muted">{scenarioId === null ? 'No scenario selected.' : 'Opening the scenario…'}</p>
              ) : tab === 'network' && inspect && feeder && tree ? (
                <Details
                  item={inspect}
                  feeder={feeder}
                  tree={tree}
                  scenario={scenario}
                  areaOf={(bus) => {
                    const i = tree.index.get(bus);
                    return i === undefined || !local || cuts.length === 0 ? null : (local.areaOf[i] ?? null);
                  }}
                  onClose={() => setInspect(null)}
                  onBus={(bus) => {
                    setInspect({ kind: 'bus', name: bus });
                    graph.current?.focusBus(bus);
                  }}
                />
              ) : tab === 'network' ? (
                <NetworkPanel
                  feeder={feeder}
                  scenario={scenario}
                  summary={feederSummary?.source}
                  powerLabel={feederModel === 'balanced' ? undefined : powerLabel(feederModel)}
                />
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
                  saving={editor.save.kind === 'saving'}
                  threePhase={feederModel === 'three-phase'}
                  onRun={async (coordination) => {
                    await call('runs.start', { scenarioId: scenario.id, kind: 'distributed', coordination });
                    setTab('runs');
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
                    editor.record(
                      `Bulk ${rule.kind === 'pv' ? 'PV' : 'batteries'} (seed ${rule.seed})`,
                      before,
                      after,
                      ['placements'],
                    );
                  }}
                  onFocusBus={focus}
                  busPhases={phases?.model === 'three-phase' ? phases.busPhases : null}
                />
              ) : tab === 'study' ? (
                <StudySettingsPanel
                  study={scenario.study}
                  onEdit={(label, study) => void editor.edit(label, { study })}
                />
              ) : tab === 'runs' ? (
                <RunsView scenario={scenario} scenarios={scenarios} feeder={feeder} tree={tree} openRunId={openRunId} />
              ) : tab === 'basecase' ? (
                <BaseCaseView
                  scenario={scenario}
                  model={feederModel}
                  state={baseCase}
                  period={period}
                  onPeriod={setBcPeriod}
                  onLocate={locate}
                />
              ) : tab === 'siting' ? (
                <SitingView
                  scenario={scenario}
                  selection={selection}
                  feeder={feeder}
                  tree={tree}
                  onOpenRun={(id) => {
                    setOpenRunId(id);
                    setTab('runs');
                  }}
                />
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
  const text =
    s.kind === 'saving'
      ? 'Saving…'
      : s.kind === 'saved'
        ? 'All changes saved'
        : s.kind === 'failed'
          ? 'Not saved'
          : editor.scenario
            ? 'Saved'
            : '';
  return (
    <span className={`save-badge ${s.kind}`} data-testid="save-state" aria-live="polite">
      {text}
    </span>
  );
}
