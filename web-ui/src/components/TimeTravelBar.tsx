// Time travel: "as known at revision R" (a slider over 1..head) and "as in effect at time T" (a
// date-time picker). Both live in the page URL (`revision`, `as_of_effective_time`), so the state
// view reader and shared links follow them.
import { useEffect, useId, useState } from "react";
import type { TimeTravel } from "../lib/filters";

const COMMIT_DELAY_MS = 350;

/** A datetime-local value (local time) as an RFC 3339 UTC instant. */
export function localToInstant(local: string): string | undefined {
  if (!local) return undefined;
  const ms = Date.parse(local);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/** An RFC 3339 instant as a datetime-local value (local time, seconds). */
export function instantToLocal(instant: string | undefined): string {
  if (!instant) return "";
  const ms = Date.parse(instant);
  if (!Number.isFinite(ms)) return "";
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function TimeTravelBar(props: { head: number | undefined; travel: TimeTravel; onChange: (t: TimeTravel) => void }) {
  const { head, travel, onChange } = props;
  const id = useId();
  const current = travel.revision ?? head ?? 0;
  const [revision, setRevision] = useState(current);
  const [time, setTime] = useState(instantToLocal(travel.asOfEffectiveTime));
  useEffect(() => {
    setRevision(current);
  }, [current]);
  useEffect(() => {
    setTime(instantToLocal(travel.asOfEffectiveTime));
  }, [travel.asOfEffectiveTime]);

  // the slider and the number re-run the query once the user pauses
  useEffect(() => {
    if (head === undefined || revision === current) return;
    const timer = window.setTimeout(() => {
      const r = Math.min(Math.max(Math.round(revision), 0), head);
      onChange({ ...travel, revision: r >= head && travel.revision === undefined ? undefined : r });
    }, COMMIT_DELAY_MS);
    return () => window.clearTimeout(timer);
  }, [revision, current, head, travel, onChange]);

  const atHead = travel.revision === undefined;
  return (
    <section className="card travel-card" aria-labelledby={`${id}-title`}>
      <div className="travel">
        <h2 id={`${id}-title`}>Time travel</h2>
        <div className="field">
          <label htmlFor={`${id}-slider`}>As known at revision</label>
          <input
            id={`${id}-slider`}
            type="range"
            min={0}
            max={head ?? 0}
            value={revision}
            disabled={head === undefined}
            onChange={(e) => setRevision(Number(e.target.value))}
            aria-valuetext={`revision ${revision} of ${head ?? 0}`}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-revision`}>Revision</label>
          <input
            id={`${id}-revision`}
            type="number"
            min={0}
            max={head ?? undefined}
            value={revision}
            disabled={head === undefined}
            onChange={(e) => setRevision(Number(e.target.value))}
            style={{ width: "7.5rem" }}
          />
        </div>
        <button type="button" onClick={() => onChange({ ...travel, revision: undefined })} disabled={atHead}>
          Latest
        </button>
        <div className="field">
          <label htmlFor={`${id}-time`}>As in effect at (local time)</label>
          <input
            id={`${id}-time`}
            type="datetime-local"
            step={1}
            value={time}
            onChange={(e) => setTime(e.target.value)}
            onBlur={() => {
              const instant = localToInstant(time);
              if (instant !== travel.asOfEffectiveTime) onChange({ ...travel, asOfEffectiveTime: instant });
            }}
          />
        </div>
        <button
          type="button"
          onClick={() => onChange({ ...travel, asOfEffectiveTime: localToInstant(time) })}
          disabled={!time}
        >
          Apply
        </button>
        <button type="button" onClick={() => onChange({ ...travel, asOfEffectiveTime: undefined })} disabled={!travel.asOfEffectiveTime}>
          Clear time
        </button>
      </div>
      <p className="hint travel-status" role="status" data-testid="travel-status">
        {atHead ? `Latest: revision ${head ?? "…"}` : `As known at revision ${travel.revision} of ${head ?? "…"}`}
        {travel.asOfEffectiveTime ? `; only events in effect at ${travel.asOfEffectiveTime}` : ""}
      </p>
    </section>
  );
}
