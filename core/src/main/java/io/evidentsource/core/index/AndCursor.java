package io.evidentsource.core.index;

import java.util.List;

/**
 * Revisions matching every child (leapfrog intersection); each child seek is one step charged to
 * the read's {@link ScanBudget}, since an intersection may step through many entries without a
 * match.
 */
final class AndCursor extends Cursor {
  private final Cursor[] children;
  private final ScanBudget budget;

  AndCursor(List<Cursor> children, ScanBudget budget) {
    this.children = children.toArray(new Cursor[0]);
    this.budget = budget;
  }

  @Override
  long seek(long target) {
    long candidate = target;
    while (true) {
      budget.charge(1);
      long r = children[0].seek(candidate);
      if (r == 0) {
        return 0;
      }
      boolean agreed = true;
      for (int i = 1; i < children.length; i++) {
        budget.charge(1);
        long x = children[i].seek(r);
        if (x == 0) {
          return 0;
        }
        if (x != r) {
          candidate = x;
          agreed = false;
          break;
        }
      }
      if (agreed) {
        return r;
      }
    }
  }
}
