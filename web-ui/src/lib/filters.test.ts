import { describe, expect, it } from "vitest";
import { emptyFilters, filtersFromUrl, queryParams, selectorParams, toUrl, travelFromUrl } from "./filters";

describe("filters in the page URL", () => {
  it("round-trip through the URL, defaults left out", () => {
    const f = emptyFilters();
    f.type = { value: "com.github.push", mode: "equals" };
    f.subject = { value: "issues/", mode: "prefix" };
    f.q = "tag = 'a'";
    f.direction = "forward";
    const url = toUrl(f, { revision: 100 });
    expect(url.toString()).toBe(
      "subject_prefix=issues%2F&type=com.github.push&q=tag+%3D+%27a%27&direction=forward&revision=100",
    );
    expect(filtersFromUrl(url)).toEqual(f);
    expect(travelFromUrl(url)).toEqual({ revision: 100 });
  });

  it("default to newest first, revision order, no time travel", () => {
    const f = filtersFromUrl(new URLSearchParams(""));
    expect(f.direction).toBe("backward");
    expect(f.order).toBe("revision");
    expect(travelFromUrl(new URLSearchParams("revision=abc"))).toEqual({});
  });
});

describe("API query parameters", () => {
  it("send exact filters as parameters and prefixes as q before the user's q", () => {
    const f = emptyFilters();
    f.stream = { value: "https://github.com/o/r", mode: "equals" };
    f.subject = { value: "o'x/", mode: "prefix" };
    f.q = "type = 'T'";
    const p = selectorParams(f);
    expect(p.getAll("stream")).toEqual(["https://github.com/o/r"]);
    expect(p.getAll("q")).toEqual(["subject LIKE 'o''x/%'", "type = 'T'"]);
  });

  it("carry the page, direction and time travel", () => {
    const p = queryParams(emptyFilters(), { revision: 7, asOfEffectiveTime: "2020-01-01T00:00:00Z" }, {
      limit: 50,
      pageToken: "tok",
    });
    expect(Object.fromEntries(p)).toEqual({
      revision: "7",
      as_of_effective_time: "2020-01-01T00:00:00Z",
      direction: "backward",
      limit: "50",
      page_token: "tok",
    });
  });
});
