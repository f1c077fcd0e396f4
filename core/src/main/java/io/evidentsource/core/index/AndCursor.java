package io.evidentsource.core.index;

import java.util.List;

/** Revisions matching every child (leapfrog intersection). */
final class AndCursor extends Cursor {
  private final List<Cursor> children;

  AndCursor(List<Cursor> children) {
    this.children = children;
  }

  @Override
  long seek(long target) {
    long candidate = target;
    while (true) {
      long r = children.get(0).seek(candidate);
      if (r == 0) {
        return 0;
      }
      boolean agreed = true;
      for (int i = 1; i < children.size(); i++) {
        long x = children.get(i).seek(r);
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
