package io.evidentsource.core.index;

import java.util.List;

/** Revisions matching any child (merge). */
final class OrCursor extends Cursor {
  private final List<Cursor> children;
  private final boolean forward;

  OrCursor(List<Cursor> children, boolean forward) {
    this.children = children;
    this.forward = forward;
  }

  @Override
  long seek(long target) {
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
