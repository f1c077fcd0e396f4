package io.evidentsource.core.index;

import java.util.List;

/**
 * Revisions matching any of many children, merged through a binary heap of the children's current
 * positions, so a page costs O(page × log k) after an O(k) start instead of a full merge. Each
 * child seek is one step charged to the read's {@link ScanBudget}.
 */
final class HeapOrCursor extends Cursor {
  private final Cursor[] children;
  private final long[] current;
  private final int[] heap;
  private final boolean forward;
  private final ScanBudget budget;
  private int size;
  private boolean started;

  HeapOrCursor(List<Cursor> children, boolean forward, ScanBudget budget) {
    this.budget = budget;
    this.children = children.toArray(new Cursor[0]);
    this.current = new long[this.children.length];
    this.heap = new int[this.children.length];
    this.forward = forward;
  }

  @Override
  long seek(long target) {
    if (!started) {
      started = true;
      budget.charge(children.length);
      for (int i = 0; i < children.length; i++) {
        long r = children[i].seek(target);
        if (r != 0) {
          current[i] = r;
          heap[size++] = i;
        }
      }
      for (int i = size / 2 - 1; i >= 0; i--) {
        siftDown(i);
      }
    } else {
      while (size > 0 && before(current[heap[0]], target)) {
        int child = heap[0];
        budget.charge(1);
        long r = children[child].seek(target);
        if (r == 0) {
          heap[0] = heap[--size];
        } else {
          current[child] = r;
        }
        if (size > 0) {
          siftDown(0);
        }
      }
    }
    return size == 0 ? 0 : current[heap[0]];
  }

  /** Whether revision {@code a} comes before {@code b} in this cursor's direction. */
  private boolean before(long a, long b) {
    return forward ? a < b : a > b;
  }

  private void siftDown(int i) {
    int node = heap[i];
    while (true) {
      int l = 2 * i + 1;
      if (l >= size) {
        break;
      }
      int r = l + 1;
      int best = r < size && before(current[heap[r]], current[heap[l]]) ? r : l;
      if (!before(current[heap[best]], current[node])) {
        break;
      }
      heap[i] = heap[best];
      i = best;
    }
    heap[i] = node;
  }
}
