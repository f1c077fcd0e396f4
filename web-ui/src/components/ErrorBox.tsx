import { ApiError, describeError } from "../api/client";
import type { Condition } from "../api/types";
import { conditionText } from "../lib/selectors";

interface FailedCondition {
  condition: Condition;
  actual_revision: number;
}

/** An error as the user should read it: the server's detail, its stable code and named fields. */
export function ErrorBox({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const problem = error instanceof ApiError ? error.problem : null;
  const failed = (problem?.failed_conditions as FailedCondition[] | undefined) ?? [];
  const fields = problem
    ? Object.entries(problem).filter(
        ([k]) => !["type", "title", "status", "detail", "code", "instance", "failed_conditions"].includes(k),
      )
    : [];
  return (
    <div className="alert error" role="alert">
      <strong>{title ?? problem?.title ?? "Error"}</strong>
      {problem?.status ? <span className="code"> (HTTP {problem.status})</span> : null}
      <div>{describeError(error)}</div>
      {problem?.code ? (
        <div className="code">
          code: {problem.code}
          {fields.map(([k, v]) => ` · ${k}: ${typeof v === "object" ? JSON.stringify(v) : String(v)}`)}
        </div>
      ) : null}
      {failed.length > 0 ? (
        <table className="data" aria-label="Failed conditions">
          <thead>
            <tr>
              <th>Condition</th>
              <th className="num">Actual highest revision (L)</th>
            </tr>
          </thead>
          <tbody>
            {failed.map((f, i) => (
              <tr key={i}>
                <td className="mono">{conditionText(f.condition)}</td>
                <td className="num">{f.actual_revision}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}
