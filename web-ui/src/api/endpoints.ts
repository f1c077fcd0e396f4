// One function per REST endpoint the UI uses; each is a plain call a user could make with curl.
import { API, ApiError, apiUrl, call, problemOf, problemOfXhr, send, type QueryValue } from "./client";
import type {
  BulkLoadResult,
  CommandResult,
  Condition,
  Database,
  DryRunResult,
  QueryPage,
  Selector,
  ServerInfo,
  StateChange,
  StateView,
  StateViewResult,
  StoredEvent,
  TransactionResult,
} from "./types";

const db = (name: string) => `/databases/${encodeURIComponent(name)}`;

export const listDatabases = (signal?: AbortSignal) =>
  call<{ databases: Database[] }>("GET", "/databases", { signal }).then((r) => r.databases);

export const getDatabase = (name: string, signal?: AbortSignal) => call<Database>("GET", db(name), { signal });

export const createDatabase = (name: string) =>
  call<{ database: Database }>("POST", "/databases", { json: { name } }).then((r) => r.database);

export const deleteDatabase = (name: string) => send("DELETE", db(name)).then(() => undefined);

/** Who is signed in: the API key's name and scopes (`anonymous` with every right when security is off). */
export interface SessionInfo {
  principal: string;
  scopes: string[];
  security_enabled: boolean;
}

/**
 * Exchanges an API key for a session cookie (HttpOnly, SameSite=Strict). Sent directly, not through
 * `send`, so that a wrong key is reported to the form instead of asking for a key again.
 */
export async function login(apiKey: string): Promise<SessionInfo> {
  const response = await fetch(API + "/session", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ api_key: apiKey }),
    credentials: "same-origin",
  });
  if (!response.ok) throw new ApiError(await problemOf(response));
  return (await response.json()) as SessionInfo;
}

/** Who is signed in, or null without a session; sent directly, so a 401 asks for no key. */
export async function currentSession(): Promise<SessionInfo | null> {
  const response = await fetch(API + "/session", { headers: { Accept: "application/json" }, credentials: "same-origin" });
  return response.ok ? ((await response.json()) as SessionInfo) : null;
}

export const logout = () => send("DELETE", "/session").then(() => undefined);

export const serverInfo = (signal?: AbortSignal) => call<ServerInfo>("GET", "/server", { signal });

/** GET .../events with URL filters (stream, subject, type, tag, q, revision, ...). */
export const queryEvents = (database: string, query: URLSearchParams | Record<string, QueryValue>, signal?: AbortSignal) =>
  call<QueryPage>("GET", db(database) + "/events", { query, signal });

export interface SelectorQuery {
  selector: Selector;
  revision?: number;
  as_of_transaction_time?: string;
  as_of_effective_time?: string;
  from_revision?: number;
  to_revision?: number;
  direction?: "forward" | "backward";
  order?: "revision" | "effective_time";
  limit?: number;
  page_token?: string;
}

/** POST .../events/query with a JSON selector. */
export const queryBySelector = (database: string, body: SelectorQuery, signal?: AbortSignal) =>
  call<QueryPage>("POST", db(database) + "/events/query", { json: body, signal });

export const getEvent = (database: string, revision: number, signal?: AbortSignal) =>
  call<StoredEvent>("GET", `${db(database)}/events/${revision}`, { signal });

export interface TransactionBody {
  transaction_id?: string;
  events: unknown[];
  conditions?: Condition[];
}

export const transact = (database: string, body: TransactionBody) =>
  call<TransactionResult>("POST", db(database) + "/transactions", { json: body });

/** The URL of the live tail (Server-Sent Events) for EventSource. */
export const liveUrl = (database: string, query: URLSearchParams) => apiUrl(db(database) + "/events/live", query);

/**
 * NDJSON bulk load of a file in one request, so the server validates every line before it stores
 * any. `onSent` reports the bytes handed to the network (XMLHttpRequest reports upload progress;
 * fetch does not).
 */
export function bulkLoad(
  database: string,
  file: Blob,
  onSent: (bytes: number) => void,
  signal?: AbortSignal,
): Promise<BulkLoadResult> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", apiUrl(db(database) + "/events"));
    xhr.withCredentials = true;
    xhr.setRequestHeader("Content-Type", "application/x-ndjson");
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = (e) => onSent(e.loaded);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onSent(file.size);
        resolve(JSON.parse(xhr.responseText) as BulkLoadResult);
      } else {
        reject(new ApiError(problemOfXhr(xhr)));
      }
    };
    xhr.onerror = () => reject(new Error("the upload failed: the server could not be reached"));
    xhr.onabort = () => reject(new DOMException("the upload was cancelled", "AbortError"));
    signal?.addEventListener("abort", () => xhr.abort());
    xhr.send(file);
  });
}

export const listStateViews = (database: string, signal?: AbortSignal) =>
  call<{ state_views: StateView[] }>("GET", db(database) + "/state-views", { signal }).then((r) => r.state_views);

export const listStateChanges = (database: string, signal?: AbortSignal) =>
  call<{ state_changes: StateChange[] }>("GET", db(database) + "/state-changes", { signal }).then(
    (r) => r.state_changes,
  );

function multipart(metadata: object, wasm: Blob): FormData {
  const form = new FormData();
  form.append("metadata", new Blob([JSON.stringify(metadata)], { type: "application/json" }), "metadata.json");
  form.append("wasm", wasm, "module.wasm");
  return form;
}

export const publishStateView = (database: string, metadata: object, wasm: Blob) =>
  call<StateView>("POST", db(database) + "/state-views", { body: multipart(metadata, wasm) });

export const publishStateChange = (database: string, metadata: object, wasm: Blob) =>
  call<StateChange>("POST", db(database) + "/state-changes", { body: multipart(metadata, wasm) });

export interface ViewReadOptions {
  version?: number;
  params: Record<string, string>;
  revision?: number;
  as_of_effective_time?: string;
}

export function readStateView(database: string, name: string, options: ViewReadOptions, signal?: AbortSignal) {
  const path =
    `${db(database)}/state-views/${encodeURIComponent(name)}` +
    (options.version ? `/versions/${options.version}` : "");
  return call<StateViewResult>("GET", path, {
    query: { ...options.params, revision: options.revision, as_of_effective_time: options.as_of_effective_time },
    signal,
  });
}

export interface CommandOptions {
  version?: number;
  contentType: string;
  body: string;
  idempotencyKey?: string;
}

function commandPath(database: string, name: string, version?: number) {
  return (
    `${db(database)}/state-changes/${encodeURIComponent(name)}` + (version ? `/versions/${version}` : "") + "/commands"
  );
}

function commandHeaders(options: CommandOptions): Record<string, string> {
  const headers: Record<string, string> = { "Content-Type": options.contentType };
  if (options.idempotencyKey) headers["Idempotency-Key"] = options.idempotencyKey;
  return headers;
}

export const executeCommand = (database: string, name: string, options: CommandOptions) =>
  call<CommandResult>("POST", commandPath(database, name, options.version), {
    body: options.body,
    headers: commandHeaders(options),
  });

/** The command's decision and a check of its conditions, with nothing appended. */
export const dryRunCommand = (database: string, name: string, options: CommandOptions) =>
  call<DryRunResult>("POST", commandPath(database, name, options.version), {
    query: { dry_run: "true" },
    body: options.body,
    headers: commandHeaders(options),
  });
