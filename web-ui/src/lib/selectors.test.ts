import { describe, expect, it } from "vitest";
import type { Selector } from "../api/types";
import { conditionHolds, fillTemplate, placeholders, prefixText, quote, selectorText } from "./selectors";

describe("textual selectors", () => {
  it("quotes a quote by doubling it", () => {
    expect(quote("o'brien")).toBe("'o''brien'");
  });

  it("writes a prefix as LIKE with one final %", () => {
    expect(prefixText("subject", "50%")).toBe("subject LIKE '50%%'");
  });

  it("prints nested selectors with event_type as type and null subject as IS NULL", () => {
    const s: Selector = {
      type: "and",
      selectors: [
        { type: "equals", attr: { stream: "orders" } },
        {
          type: "or",
          selectors: [
            { type: "equals", attr: { event_type: "Placed" } },
            { type: "starts_with", attr: { subject: "order-" } },
            { type: "equals", attr: { subject: null } },
          ],
        },
      ],
    };
    expect(selectorText(s)).toBe(
      "stream = 'orders' AND (type = 'Placed' OR subject LIKE 'order-%' OR subject IS NULL)",
    );
  });
});

describe("view selector templates", () => {
  const template: Selector = {
    type: "and",
    selectors: [
      { type: "equals", attr: { subject: "account/{account_id}" } },
      { type: "starts_with", attr: { tag: "{region}:" } },
    ],
  };

  it("lists the placeholders once, in order", () => {
    expect(placeholders(template)).toEqual(["account_id", "region"]);
  });

  it("fills every placeholder", () => {
    expect(fillTemplate(template, { account_id: "a1", region: "eu" })).toEqual({
      type: "and",
      selectors: [
        { type: "equals", attr: { subject: "account/a1" } },
        { type: "starts_with", attr: { tag: "eu:" } },
      ],
    });
  });

  it("names a missing parameter", () => {
    expect(() => fillTemplate(template, { account_id: "a1" })).toThrow("'region'");
  });
});

describe("append conditions", () => {
  const any: Selector = { type: "any" };
  it("max holds up to its revision", () => {
    expect(conditionHolds({ type: "max", selector: any, revision: 0 }, 0)).toBe(true);
    expect(conditionHolds({ type: "max", selector: any, revision: 0 }, 1)).toBe(false);
  });
  it("min holds from its revision", () => {
    expect(conditionHolds({ type: "min", selector: any, revision: 5 }, 4)).toBe(false);
    expect(conditionHolds({ type: "min", selector: any, revision: 5 }, 5)).toBe(true);
  });
  it("range is inclusive at both ends", () => {
    const c = { type: "range", selector: any, start: 2, end: 4 } as const;
    expect([1, 2, 4, 5].map((l) => conditionHolds(c, l))).toEqual([false, true, true, false]);
  });
});
