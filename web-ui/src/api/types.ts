// Wire shapes of the public REST API (/api/v1, documented in /api/v1/openapi.json).

export interface Database {
  name: string;
  created_at: string;
  revision: number;
  revision_time: string | null;
}

/** A stored CloudEvent: the attributes as sent plus `revision` and `recordedtime`. */
export interface StoredEvent {
  specversion: string;
  id: string;
  source: string;
  type: string;
  subject?: string;
  time?: string;
  datacontenttype?: string;
  dataschema?: string;
  data?: unknown;
  data_base64?: string;
  revision: number;
  recordedtime: string;
  tags?: string;
  [extension: string]: unknown;
}

export interface QueryPage {
  revision: number;
  events: StoredEvent[];
  next_page_token: string | null;
}

export type Selector =
  | { type: "any" }
  | { type: "equals"; attr: Record<string, string | null> }
  | { type: "starts_with"; attr: Record<string, string> }
  | { type: "and"; selectors: Selector[] }
  | { type: "or"; selectors: Selector[] };

export type Condition =
  | { type: "max"; selector: Selector; revision: number }
  | { type: "min"; selector: Selector; revision: number }
  | { type: "range"; selector: Selector; start: number; end: number };

export interface TransactionResult {
  transaction_id: string;
  first_revision: number;
  revision: number;
  event_count: number;
  recorded_time: string;
  duplicate: boolean;
}

export interface BulkLoadResult {
  event_count: number;
  first_revision: number;
  revision: number;
}

export interface StateView {
  name: string;
  version: number;
  created_at: string;
  state_view_name: string;
  description: string | null;
  content_type: string;
  content_schema: string | null;
  event_selector: Selector;
  query_temporality: "revision" | "effective";
  module_size: number;
  module_sha256: string;
}

export interface StateChange {
  name: string;
  version: number;
  created_at: string;
  state_change_name: string;
  description: string | null;
  module_size: number;
  module_sha256: string;
}

export interface StateViewResult {
  database: string;
  name: string;
  version: number;
  revision: number;
  last_modified_revision: number;
  last_modified_time: string | null;
  content_type: string;
  content: unknown;
}

/** A condition as a dry run or a check reports it: its L(S) now and whether it holds. */
export interface ConditionCheck {
  condition: Condition;
  actual_revision: number;
  holds: boolean;
}

export interface CommandResult {
  basis_revision: number;
  transaction: TransactionResult | null;
  events: StoredEvent[];
}

/** The answer of a command's dry run: what it would append, nothing stored. */
export interface DryRunResult {
  dry_run: true;
  /** The head revision the decision read its views at and the conditions were checked at. */
  basis_revision: number;
  /** The events as they would be appended (with provenance, without revision and recordedtime). */
  events: Omit<StoredEvent, "revision" | "recordedtime">[];
  conditions: ConditionCheck[];
}

/** GET /api/v1/server: version, Spring profiles in force (the storage profile among them), limits. */
export interface ServerInfo {
  version: string;
  profiles: string[];
  /** Sizes in bytes, timeouts in milliseconds (`_ms`), counts. */
  limits: Record<string, number>;
}

/** RFC 9457 problem details with the server's stable `code` and the error's own fields. */
export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  code?: string;
  [field: string]: unknown;
}
