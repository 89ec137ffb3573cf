/** The backend's verdict on a partition (authoritative reasons), a moment after each change. */
import { useEffect, useState } from 'react';
import type { CutBranch, PartitionCheck } from '../../../../src-main/contract';
import { call } from '../../api/transport';

export function usePartitionCheck(
  feederId: number | null,
  active: boolean,
  cuts: readonly CutBranch[],
): PartitionCheck | null {
  const [check, setCheck] = useState<PartitionCheck | null>(null);
  useEffect(() => {
    setCheck(null);
    if (feederId === null || !active) return;
    let live = true;
    const t = setTimeout(() => {
      call('partition.check', { feederId, cuts: [...cuts] }).then(
        (c) => live && setCheck(c),
        () => undefined,
      );
    }, 120);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [feederId, active, cuts]);
  return check;
}
