/** A feeder's phases (three-phase feeders) from `feeders.phases`; null while loading or for none. */
import { useEffect, useState } from 'react';
import type { FeederPhases } from '../../../src-main/contract';
import { call } from '../api/transport';

export function useFeederPhases(feederId: number | null, model: string | undefined): FeederPhases | null {
  const [phases, setPhases] = useState<FeederPhases | null>(null);
  useEffect(() => {
    setPhases(null);
    if (feederId === null || model !== 'three-phase') return;
    let live = true;
    call('feeders.phases', { id: feederId }).then(
      (p) => live && setPhases(p),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [feederId, model]);
  return phases;
}
