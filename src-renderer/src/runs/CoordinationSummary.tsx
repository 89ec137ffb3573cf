/**
 * A distributed run's coordination at a glance (Solver view): the mode (exact / published),
 * rounds, the critical path in CPU seconds, the wall time, and for the published mode its
 * measured difference from a centralized run (src-shared/coordination.ts, as in the PDF report).
 */
import type { RunDistributedInfo } from '../../../src-main/contract';
import { coordinationFacts, coordinationOf } from '../../../src-shared/coordination';

export function CoordinationSummary({ d }: { d: RunDistributedInfo }) {
  return (
    <table
      className="grid coordination-summary"
      data-testid="coordination-summary"
      data-coordination={coordinationOf(d)}
    >
      <tbody>
        {coordinationFacts(d).map(([k, v]) => (
          <tr key={k}>
            <th scope="row">{k}</th>
            <td>{v}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
