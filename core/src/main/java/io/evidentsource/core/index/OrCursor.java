package io.evidentsource.core.index;

import java.util.List;

/**
 * Revisions matching any of a few children (merge by scanning them all): each seek costs one step
 * per child, charged to the read's {@link ScanBudget}. Many children go through {@link
 * HeapOrCursor}.
 */
final class OrCursor extends Cursor {
  private final Cursor[] children;
  private final boolean forward;
  private final ScanBudget budget;

  OrCursor(List<Cursor> children, boolean forward, ScanBudget budget) {
    this.children = children.toArray(new Cursor[0]);
    this.forward = forward;
    this.budget = budget;
  }

  @Override
  long seek(long target) {
    budget.charge(children.length);
    long best = 0;
    for (var c : children) {
      long r = c.seek(target);
      if (r != 0 && (best == 0 || (forward ? r < best : r > best))) {
        best = r;
      }
    }
    return best;
  }
}
