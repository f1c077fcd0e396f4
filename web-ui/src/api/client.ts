// The UI's only way to the server: the public REST API under /api/v1 (so everything the UI does a
// user can script). Every request goes through `send`, which is where authentication plugs in:
// requests carry the same-origin cookies, and a 401 is handed to the registered `Authenticator`
// (a login form that exchanges an API key for an HttpOnly, SameSite=Strict session cookie), after
// which the request is sent once more. API keys are never put in URLs or local storage.
import type { Problem } from "./types";

export const API = "/api/v1";

/** An error answer of the API, with its problem details. */
export class ApiError extends Error {
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
    this.name = "ApiError";
    this.problem = problem;
  }
  get status(): number {
    return this.problem.status;
  }
  get code(): string | undefined {
    return this.problem.code;
  }
}

/** Called on 401; resolves true when the user logged in and the request should be sent again. */
export type Authenticator = (problem: Problem) => Promise<boolean>;
let authenticator: Authenticator | null = null;

export function setAuthenticator(a: Authenticator | null): void {
  authenticator = a;
}

export type QueryValue = string | number | boolean | null | undefined | readonly string[];

export interface RequestOptions {
  query?: Record<string, QueryValue> | URLSearchParams;
  json?: unknown;
  body?: BodyInit;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** `path` relative to /api/v1 with its query string. */
export function apiUrl(path: string, query?: Record<string, QueryValue> | URLSearchParams): string {
  const params = query instanceof URLSearchParams ? query : toSearchParams(query ?? {});
  const qs = params.toString();
  return API + path + (qs ? "?" + qs : "");
}

export function toSearchParams(query: Record<string, QueryValue>): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === "") continue;
    if (Array.isArray(value)) {
      for (const v of value) params.append(key, v);
    } else {
      params.append(key, String(value));
    }
  }
  return params;
}

/** Sends a request; resolves with the response of a 2xx answer, rejects with ApiError otherwise. */
export async function send(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { Accept: "application/json", ...options.headers };
  let body = options.body;
  if (options.json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(options.json);
  }
  const url = apiUrl(path, options.query);
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(url, {
      method,
      headers,
      body,
      credentials: "same-origin",
      signal: options.signal,
    });
    if (response.ok) return response;
    const problem = await problemOf(response);
    if (response.status === 401 && attempt === 0 && authenticator && (await authenticator(problem))) {
      continue;
    }
    throw new ApiError(problem);
  }
}

/** Sends a request and parses the JSON answer (null for 204). */
export async function call<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const response = await send(method, path, options);
  if (response.status === 204) return null as T;
  return (await response.json()) as T;
}

export async function problemOf(response: Response): Promise<Problem> {
  const text = await response.text();
  try {
    const parsed = JSON.parse(text) as Problem;
    if (parsed && typeof parsed === "object") return { ...parsed, status: response.status };
  } catch {
    // not JSON: a proxy's or the container's answer
  }
  return { status: response.status, title: response.statusText, detail: text.slice(0, 500) || response.statusText };
}

/** A problem from an XMLHttpRequest answer (uploads, which report progress). */
export function problemOfXhr(xhr: XMLHttpRequest): Problem {
  try {
    const parsed = JSON.parse(xhr.responseText) as Problem;
    if (parsed && typeof parsed === "object") return { ...parsed, status: xhr.status };
  } catch {
    // fall through
  }
  return { status: xhr.status, title: xhr.statusText || "Request failed", detail: xhr.responseText.slice(0, 500) };
}

/** The human-readable text of any error. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    const p = error.problem;
    return p.detail ?? p.title ?? `HTTP ${p.status}`;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}
