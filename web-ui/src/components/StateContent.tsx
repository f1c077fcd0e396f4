import type { StateViewResult } from "../api/types";
import { JsonTree } from "./JsonTree";

/** A view's state: a JSON tree for JSON content, else the text or base64 the API returned. */
export function StateContent({ result, label }: { result: StateViewResult; label: string }) {
  if (result.content === null || result.content === undefined) return <p className="hint">No state (no matching events folded yet).</p>;
  const isJson = /(^application\/json|\+json)(;|$)/i.test(result.content_type);
  if (isJson && typeof result.content === "object") {
    return <JsonTree value={result.content} label={label} expandAll />;
  }
  return (
    <pre aria-label={label} data-testid="state-text" tabIndex={0}>
      {isJson ? JSON.stringify(result.content) : String(result.content)}
    </pre>
  );
}
