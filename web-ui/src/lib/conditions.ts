// "Would this condition pass now?": L(S) for each condition's selector, all read at one revision
// through the public query API (the highest matching revision is the first event of a backward
// query with limit 1), then the condition's rule.
import { queryBySelector } from "../api/endpoints";
import type { Condition, ConditionCheck } from "../api/types";
import { conditionHolds } from "./selectors";

export interface ConditionReport {
  /** The revision every L(S) was read at. */
  revision: number;
  checks: ConditionCheck[];
}

export async function checkConditions(database: string, conditions: Condition[]): Promise<ConditionReport> {
  let revision: number | undefined;
  const checks: ConditionCheck[] = [];
  for (const condition of conditions) {
    const page = await queryBySelector(database, {
      selector: condition.selector,
      direction: "backward",
      limit: 1,
      ...(revision === undefined ? {} : { revision }),
    });
    revision ??= page.revision;
    const highest = page.events[0]?.revision ?? 0;
    checks.push({ condition, actual_revision: highest, holds: conditionHolds(condition, highest) });
  }
  return { revision: revision ?? 0, checks };
}
