import { useCallback, useMemo } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { usePageTitle } from "../App";
import { ApiError, apiUrl } from "../api/client";
import { getDatabase } from "../api/endpoints";
import { CopyButton } from "../components/CopyButton";
import { ErrorBox } from "../components/ErrorBox";
import { EventsTable } from "../components/EventsTable";
import { FilterBar, type QError } from "../components/FilterBar";
import { TimeTravelBar } from "../components/TimeTravelBar";
import {
  filtersFromUrl,
  queryParams,
  selectorParams,
  toUrl,
  travelFromUrl,
  withTravel,
  type EventFilters,
  type TimeTravel,
} from "../lib/filters";
import { count } from "../lib/format";
import { useAsync } from "../lib/useAsync";
import { useEventPages } from "../lib/useEventPages";

const PAGE_SIZE = 100;

/** The position of a `q` syntax error the server reported (problem fields parameter, position). */
export function qErrorOf(error: unknown): QError | null {
  if (!(error instanceof ApiError)) return null;
  const p = error.problem;
  if (p.code !== "invalid_selector" || p.parameter !== "q" || typeof p.position !== "number") return null;
  const expected = typeof p.expected === "string" ? p.expected : "";
  const found = typeof p.found === "string" ? p.found : "";
  return {
    column: p.position,
    message: expected ? `expected ${expected} but found ${found}` : (p.detail ?? "syntax error"),
  };
}

export function Events() {
  const { db = "" } = useParams();
  usePageTitle(`Events of ${db}`);
  const [search, setSearch] = useSearchParams();
  const filters = useMemo(() => filtersFromUrl(search), [search]);
  const travel = useMemo(() => travelFromUrl(search), [search]);
  const params = useMemo(() => queryParams(filters, travel, { limit: PAGE_SIZE }), [filters, travel]);
  const pages = useEventPages(db, params);
  const database = useAsync((signal) => getDatabase(db, signal), [db, pages.revision]);

  const applyFilters = useCallback((f: EventFilters) => setSearch(toUrl(f, travel)), [setSearch, travel]);
  const applyTravel = useCallback(
    (t: TimeTravel) => setSearch(withTravel(search, t), { replace: true }),
    [search, setSearch],
  );
  const setDirection = (direction: EventFilters["direction"]) => setSearch(toUrl({ ...filters, direction }, travel));

  const suggestions = useMemo(() => {
    const distinct = (pick: (e: (typeof pages.events)[number]) => string | undefined) =>
      [...new Set(pages.events.slice(0, 1000).map(pick).filter((v): v is string => !!v))].sort().slice(0, 200);
    return { type: distinct((e) => e.type), stream: distinct((e) => e.source), subject: distinct((e) => e.subject) };
  }, [pages.events]);

  const qError = qErrorOf(pages.error);
  const linkQuery = travel.revision !== undefined || travel.asOfEffectiveTime ? "?" + withTravel(new URLSearchParams(), travel) : "";
  const apiRequest = apiUrl(`/databases/${encodeURIComponent(db)}/events`, params);
  const live = selectorParams(filters).toString();
  return (
    <>
      <div className="row center" style={{ justifyContent: "space-between" }}>
        <h1 style={{ marginBottom: ".5rem" }}>Events</h1>
        <div className="row center">
          <div className="segmented" role="group" aria-label="Order">
            <button type="button" aria-pressed={filters.direction === "backward"} onClick={() => setDirection("backward")}>
              Newest first
            </button>
            <button type="button" aria-pressed={filters.direction === "forward"} onClick={() => setDirection("forward")}>
              Oldest first
            </button>
          </div>
          <Link className="button" to={`/databases/${encodeURIComponent(db)}/live${live ? "?" + live : ""}`}>
            Follow live
          </Link>
        </div>
      </div>
      <FilterBar filters={filters} onApply={applyFilters} qError={qError} suggestions={suggestions} />
      <TimeTravelBar head={database.data?.revision} travel={travel} onChange={applyTravel} />
      {qError ? null : <ErrorBox error={pages.error} />}
      <div className="table-status" role="status" data-testid="events-status">
        <span>
          {pages.loading && pages.events.length === 0
            ? "Loading…"
            : `${count(pages.events.length)} ${pages.events.length === 1 ? "event" : "events"}${
                pages.hasMore ? " loaded, more below" : pages.error ? "" : ", all loaded"
              }`}
        </span>
        {pages.revision !== undefined ? <span>read at revision {pages.revision}</span> : null}
        {pages.hasMore ? (
          <button type="button" className="small" onClick={pages.loadMore} disabled={pages.loading}>
            Load more
          </button>
        ) : null}
        <details>
          <summary>API request</summary>
          <code style={{ overflowWrap: "anywhere" }}>GET {apiRequest}</code> <CopyButton text={apiRequest} label="API request URL" />
        </details>
      </div>
      <EventsTable
        database={db}
        rows={pages.events}
        label={`Events of ${db}`}
        hasMore={pages.hasMore}
        loading={pages.loading}
        onLoadMore={pages.loadMore}
        linkQuery={linkQuery}
      />
    </>
  );
}
