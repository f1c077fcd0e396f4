// Event selectors and append conditions on the client: the textual form for display and for the
// `q` parameter, view selector templates, and the condition rules (DESIGN of the REST API:
// README "A walk-through with curl" and docs/adr/0002-revisions-and-conditions.md).
import type { Condition, Selector } from "../api/types";

/** The attributes of the textual selector language (`q`). */
export const TEXT_ATTRIBUTES = ["stream", "subject", "type", "tag"] as const;
export type TextAttribute = (typeof TEXT_ATTRIBUTES)[number];

/** A string literal of the textual selector language: single quotes, '' for a quote. */
export function quote(value: string): string {
  return "'" + value.replaceAll("'", "''") + "'";
}

/** `attr LIKE 'prefix%'`: only the final % means "prefix", so the value needs no escaping. */
export function prefixText(attribute: TextAttribute, prefix: string): string {
  return `${attribute} LIKE ${quote(prefix + "%")}`;
}

/** JSON attribute names (`event_type`) in the textual form's names (`type`). */
function textName(jsonName: string): string {
  return jsonName === "event_type" ? "type" : jsonName;
}

function attribute(attr: Record<string, unknown>): [string, unknown] {
  const entry = Object.entries(attr)[0];
  return entry ? [textName(entry[0]), entry[1]] : ["?", null];
}

/** The textual form of a JSON selector, e.g. `subject = 'order-1' AND type LIKE 'Order%'`. */
export function selectorText(selector: Selector): string {
  return text(selector, false);
}

function text(selector: Selector, nested: boolean): string {
  switch (selector.type) {
    case "any":
      return "ANY";
    case "equals": {
      const [name, value] = attribute(selector.attr);
      return value === null ? `${name} IS NULL` : `${name} = ${quote(String(value))}`;
    }
    case "starts_with": {
      const [name, value] = attribute(selector.attr);
      return `${name} LIKE ${quote(String(value) + "%")}`;
    }
    case "and": {
      const joined = selector.selectors.map((s) => text(s, true)).join(" AND ");
      return joined;
    }
    case "or": {
      const joined = selector.selectors.map((s) => text(s, true)).join(" OR ");
      return nested ? `(${joined})` : joined;
    }
  }
}

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

function values(selector: Selector): string[] {
  switch (selector.type) {
    case "any":
      return [];
    case "equals":
    case "starts_with":
      return Object.values(selector.attr).filter((v): v is string => typeof v === "string");
    case "and":
    case "or":
      return selector.selectors.flatMap(values);
  }
}

/** The `{param}` placeholders of a state view's selector: the view's parameters, in order. */
export function placeholders(selector: Selector): string[] {
  const names = new Set<string>();
  for (const value of values(selector)) {
    for (const match of value.matchAll(PLACEHOLDER)) names.add(match[1]!);
  }
  return [...names];
}

/** The selector with `{param}` placeholders filled, as the server does when a view is read. */
export function fillTemplate(selector: Selector, params: Record<string, string>): Selector {
  const fill = (value: string) =>
    value.replace(PLACEHOLDER, (_whole, name: string) => {
      const given = params[name];
      if (given === undefined) throw new Error(`the view's selector needs the parameter '${name}'`);
      return given;
    });
  switch (selector.type) {
    case "any":
      return selector;
    case "equals":
      return {
        type: "equals",
        attr: Object.fromEntries(
          Object.entries(selector.attr).map(([k, v]) => [k, v === null ? null : fill(v)]),
        ),
      };
    case "starts_with":
      return {
        type: "starts_with",
        attr: Object.fromEntries(Object.entries(selector.attr).map(([k, v]) => [k, fill(v)])),
      };
    case "and":
    case "or":
      return { type: selector.type, selectors: selector.selectors.map((s) => fillTemplate(s, params)) };
  }
}

/** Whether a condition holds when L(S), the highest revision matching its selector, is `highest`. */
export function conditionHolds(condition: Condition, highest: number): boolean {
  switch (condition.type) {
    case "max":
      return highest <= condition.revision;
    case "min":
      return highest >= condition.revision;
    case "range":
      return condition.start <= highest && highest <= condition.end;
  }
}

/** e.g. `max(subject = 'order-1', 0)`: L ≤ 0. */
export function conditionText(condition: Condition): string {
  const s = selectorText(condition.selector);
  switch (condition.type) {
    case "max":
      return `max(${s}, ${condition.revision}) — holds when L ≤ ${condition.revision}`;
    case "min":
      return `min(${s}, ${condition.revision}) — holds when L ≥ ${condition.revision}`;
    case "range":
      return `range(${s}, ${condition.start}, ${condition.end}) — holds when ${condition.start} ≤ L ≤ ${condition.end}`;
  }
}
