import type { ConditionCheck } from "../api/types";
import { conditionText } from "../lib/selectors";

/** Each condition, its actual highest matching revision L, and whether it holds. */
export function ConditionTable({ checks, label }: { checks: ConditionCheck[]; label: string }) {
  if (checks.length === 0) return <p className="hint">No conditions.</p>;
  return (
    <table className="data" aria-label={label}>
      <thead>
        <tr>
          <th scope="col">Condition</th>
          <th scope="col" className="num">
            Actual highest revision (L)
          </th>
          <th scope="col">Now</th>
        </tr>
      </thead>
      <tbody>
        {checks.map((c, i) => (
          <tr key={i} data-holds={c.holds}>
            <td className="mono">{conditionText(c.condition)}</td>
            <td className="num">{c.actual_revision}</td>
            <td>{c.holds ? <span className="badge ok">✓ holds</span> : <span className="badge bad">✗ fails</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
