// The filter form of the Events and Live tail screens: stream / subject / type / tag, each exact
// or by prefix, and the textual selector `q`. A `q` syntax error from the server is shown at its
// column, in the editor and as text.
import { useEffect, useId, useState } from "react";
import type { EventFilters, MatchMode } from "../lib/filters";
import { emptyFilters, FILTER_ATTRIBUTES } from "../lib/filters";
import { CodeEditor, type EditorError } from "./CodeEditor";

const LABELS: Record<string, string> = { stream: "Stream (source)", subject: "Subject", type: "Type", tag: "Tag" };

export interface QError {
  /** 1-based column in the q text. */
  column: number;
  message: string;
}

export function FilterBar(props: {
  filters: EventFilters;
  onApply: (filters: EventFilters) => void;
  qError?: QError | null;
  /** Values seen so far, offered as suggestions. */
  suggestions?: Partial<Record<"stream" | "subject" | "type" | "tag", string[]>>;
}) {
  const [draft, setDraft] = useState<EventFilters>(props.filters);
  const id = useId();
  useEffect(() => {
    setDraft(props.filters);
  }, [props.filters]);
  const apply = () => props.onApply(draft);
  const set = (attr: (typeof FILTER_ATTRIBUTES)[number], value: string, mode: MatchMode) =>
    setDraft((d) => ({ ...d, [attr]: { value, mode } }));
  const editorError: EditorError | null = props.qError
    ? { from: props.qError.column - 1, message: props.qError.message }
    : null;
  return (
    <form
      className="card filters-card"
      aria-label="Filters"
      onSubmit={(e) => {
        e.preventDefault();
        apply();
      }}
    >
      <div className="filters">
        {FILTER_ATTRIBUTES.map((attr) => {
          const f = draft[attr];
          const listId = `${id}-${attr}-values`;
          return (
            <div className="field" key={attr}>
              <label htmlFor={`${id}-${attr}`}>{LABELS[attr]}</label>
              <div className="filter-input">
                <select
                  aria-label={`${LABELS[attr]} match`}
                  value={f.mode}
                  onChange={(e) => set(attr, f.value, e.target.value as MatchMode)}
                >
                  <option value="equals">=</option>
                  <option value="prefix">prefix</option>
                </select>
                <input
                  id={`${id}-${attr}`}
                  type="text"
                  name={attr}
                  value={f.value}
                  list={props.suggestions?.[attr]?.length ? listId : undefined}
                  onChange={(e) => set(attr, e.target.value, f.mode)}
                  autoComplete="off"
                />
                {props.suggestions?.[attr]?.length ? (
                  <datalist id={listId}>
                    {props.suggestions[attr]!.map((v) => (
                      <option key={v} value={v} />
                    ))}
                  </datalist>
                ) : null}
              </div>
            </div>
          );
        })}
        <div className="field q">
          <div className="q-row">
            <div className="field" style={{ flex: 1 }}>
              <span className="label" id={`${id}-q-label`}>
                Selector <span className="mono">q</span>
              </span>
              <CodeEditor
                id="q"
                language="selector"
                singleLine
                labelledBy={`${id}-q-label`}
                describedBy={`${id}-q-help`}
                value={draft.q}
                onChange={(q) => setDraft((d) => ({ ...d, q }))}
                onSubmit={apply}
                error={editorError}
                placeholder="e.g. subject LIKE 'issues/%' AND (type = 'com.github.issues.opened' OR tag = 'x')"
              />
            </div>
            <button type="submit" className="primary">
              Apply filters
            </button>
            <button
              type="button"
              onClick={() => {
                const cleared = { ...emptyFilters(), direction: draft.direction, order: draft.order };
                setDraft(cleared);
                props.onApply(cleared);
              }}
            >
              Clear
            </button>
          </div>
          {props.qError ? (
            <div className="q-error" role="alert" data-testid="q-error">
              <div className="caret" aria-hidden="true">
                {props.filters.q}
                {"\n"}
                {" ".repeat(Math.max(props.qError.column - 1, 0))}^
              </div>
              Column {props.qError.column}: {props.qError.message}
            </div>
          ) : (
            <span className="hint" id={`${id}-q-help`}>
              <span className="mono">attr = 'v'</span>, <span className="mono">attr LIKE 'prefix%'</span>,{" "}
              <span className="mono">subject IS NULL</span>, <span className="mono">ANY</span>, with AND, OR and
              parentheses; attr is stream, subject, type or tag.
            </span>
          )}
        </div>
      </div>
    </form>
  );
}
