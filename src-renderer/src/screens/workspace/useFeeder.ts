/** The open feeder: which one is picked, and its model loaded from the backend. */
import { useEffect, useState } from 'react';
import type { ProjectSummary } from '../../../../src-main/contract';
import type { Feeder } from '../../../../src-solver/model/feeder';
import { call } from '../../api/transport';

export function useFeeder(project: ProjectSummary, initialFeederName?: string | null) {
  const [feederId, setFeederId] = useState<number | null>(null);
  const [feeder, setFeeder] = useState<Feeder | null>(null);
  const [error, setError] = useState<string | null>(null);

  // Pick a feeder: the one just imported, else keep the current one, else the first.
  useEffect(() => {
    const byName = initialFeederName ? project.feeders.filter((f) => f.name === initialFeederName).at(-1) : undefined;
    setFeederId(
      (cur) =>
        byName?.id ??
        (cur !== null && project.feeders.some((f) => f.id === cur) ? cur : (project.feeders[0]?.id ?? null)),
    );
  }, [project, initialFeederName]);

  useEffect(() => {
    setFeeder(null);
    setError(null);
    if (feederId === null) return;
    let live = true;
    call('feeders.get', { id: feederId }).then(
      (f) => live && setFeeder(f),
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [feederId]);

  return { feederId, setFeederId, feeder, error };
}
