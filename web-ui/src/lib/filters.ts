// The Events screen's state lives in the page URL, so every view can be bookmarked and shared.
// The URL uses the REST API's parameter names where one exists (stream, subject, type, tag, q,
// direction, order, revision, as_of_effective_time); a prefix filter is `<attr>_prefix`, which the
// UI sends as `q=<attr> LIKE '<prefix>%'`. Absent `direction` means newest first.
import { prefixText, TEXT_ATTRIBUTES, type TextAttribute } from "./selectors";

export type MatchMode = "equals" | "prefix";

export interface AttributeFilter {
  value: string;
  mode: MatchMode;
}

export interface EventFilters {
  stream: AttributeFilter;
  subject: AttributeFilter;
  type: AttributeFilter;
  tag: AttributeFilter;
  /** The textual selector typed by the user. */
  q: string;
  direction: "forward" | "backward";
  order: "revision" | "effective_time";
}

/** "As known at revision R" / "as in effect at time T". */
export interface TimeTravel {
  revision?: number;
  asOfEffectiveTime?: string;
}

export const FILTER_ATTRIBUTES: readonly TextAttribute[] = TEXT_ATTRIBUTES;

export function emptyFilters(): EventFilters {
  const none = (): AttributeFilter => ({ value: "", mode: "equals" });
  return {
    stream: none(),
    subject: none(),
    type: none(),
    tag: none(),
    q: "",
    direction: "backward",
    order: "revision",
  };
}

/** Reads the filters of a page URL. */
export function filtersFromUrl(params: URLSearchParams): EventFilters {
  const filters = emptyFilters();
  for (const attr of FILTER_ATTRIBUTES) {
    const prefix = params.get(`${attr}_prefix`);
    const exact = params.get(attr);
    if (prefix !== null) filters[attr] = { value: prefix, mode: "prefix" };
    else if (exact !== null) filters[attr] = { value: exact, mode: "equals" };
  }
  filters.q = params.get("q") ?? "";
  filters.direction = params.get("direction") === "forward" ? "forward" : "backward";
  filters.order = params.get("order") === "effective_time" ? "effective_time" : "revision";
  return filters;
}

export function travelFromUrl(params: URLSearchParams): TimeTravel {
  const travel: TimeTravel = {};
  const revision = params.get("revision");
  if (revision !== null && /^\d+$/.test(revision)) travel.revision = Number(revision);
  const time = params.get("as_of_effective_time");
  if (time) travel.asOfEffectiveTime = time;
  return travel;
}

/** Writes filters and time travel into a page URL's parameters (defaults are left out). */
export function toUrl(filters: EventFilters, travel: TimeTravel = {}): URLSearchParams {
  const params = new URLSearchParams();
  for (const attr of FILTER_ATTRIBUTES) {
    const f = filters[attr];
    if (f.value !== "") params.set(f.mode === "prefix" ? `${attr}_prefix` : attr, f.value);
  }
  if (filters.q.trim() !== "") params.set("q", filters.q);
  if (filters.direction === "forward") params.set("direction", "forward");
  if (filters.order === "effective_time") params.set("order", "effective_time");
  return withTravel(params, travel);
}

export function withTravel(params: URLSearchParams, travel: TimeTravel): URLSearchParams {
  const out = new URLSearchParams(params);
  out.delete("revision");
  out.delete("as_of_effective_time");
  if (travel.revision !== undefined) out.set("revision", String(travel.revision));
  if (travel.asOfEffectiveTime) out.set("as_of_effective_time", travel.asOfEffectiveTime);
  return out;
}

/**
 * The selector part of an API query (GET .../events and the live tail): exact filters as
 * parameters, prefixes as generated `q` texts, and the user's `q` last — so a syntax error the
 * server reports for `q` is always in the user's text (generated texts are always well-formed).
 */
export function selectorParams(filters: EventFilters): URLSearchParams {
  const params = new URLSearchParams();
  const texts: string[] = [];
  for (const attr of FILTER_ATTRIBUTES) {
    const f = filters[attr];
    if (f.value === "") continue;
    if (f.mode === "prefix") texts.push(prefixText(attr, f.value));
    else params.append(attr, f.value);
  }
  if (filters.q.trim() !== "") texts.push(filters.q);
  for (const text of texts) params.append("q", text);
  return params;
}

/** The parameters of one page of GET .../events. */
export function queryParams(
  filters: EventFilters,
  travel: TimeTravel,
  page: { limit: number; pageToken?: string | null },
): URLSearchParams {
  const params = selectorParams(filters);
  if (travel.revision !== undefined) params.set("revision", String(travel.revision));
  if (travel.asOfEffectiveTime) params.set("as_of_effective_time", travel.asOfEffectiveTime);
  params.set("direction", filters.direction);
  if (filters.order !== "revision") params.set("order", filters.order);
  params.set("limit", String(page.limit));
  if (page.pageToken) params.set("page_token", page.pageToken);
  return params;
}

/** Whether any selector filter is set. */
export function hasSelector(filters: EventFilters): boolean {
  return FILTER_ATTRIBUTES.some((a) => filters[a].value !== "") || filters.q.trim() !== "";
}
