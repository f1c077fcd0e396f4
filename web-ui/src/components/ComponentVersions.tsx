// What the state view reader and the command screen share: a component's versions, the page
// header, and the version menu.
import { Link } from "react-router";
import { call } from "../api/client";
import { ErrorBox } from "./ErrorBox";
import { shortTime } from "../lib/format";
import { useAsync, type Async } from "../lib/useAsync";

type Kind = "state-views" | "state-changes";

/** GET .../{kind}/{name}/versions: every version, ascending. */
export function useVersions<T extends { version: number; created_at: string }>(
  db: string,
  kind: Kind,
  name: string,
): Async<T[]> {
  return useAsync(
    (signal) =>
      call<{ versions: T[] }>(
        "GET",
        `/databases/${encodeURIComponent(db)}/${kind}/${encodeURIComponent(name)}/versions`,
        { signal },
      ).then((r) => r.versions),
    [db, kind, name],
  );
}

export function ComponentHeader(props: { db: string; kind: Kind; name: string; error: unknown }) {
  return (
    <>
      <h1>
        {props.kind === "state-views" ? "State view" : "State change"} <span className="mono">{props.name}</span>
      </h1>
      <p>
        <Link to={`/databases/${encodeURIComponent(props.db)}/components`}>All state views and changes</Link>
      </p>
      <ErrorBox error={props.error} />
    </>
  );
}

/** A version menu: "latest" (the empty value) or one version. */
export function VersionSelect(props: {
  id: string;
  versions: { version: number; created_at: string }[];
  value: string;
  onChange: (value: string) => void;
}) {
  const latest = props.versions[props.versions.length - 1];
  return (
    <div className="field">
      <label htmlFor={props.id}>Version</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        <option value="">latest ({latest?.version})</option>
        {props.versions.map((v) => (
          <option key={v.version} value={v.version}>
            {v.version} ({shortTime(v.created_at)})
          </option>
        ))}
      </select>
    </div>
  );
}
