package io.evidentsource.core.index;

import java.util.List;

/**
 * Walks the revisions matching a selector in one direction. {@link #seek(long)} returns, going
 * forward, the smallest matching revision ≥ target, going backward the largest ≤ target, or 0 when
 * there is none (revisions start at 1). Targets passed to one cursor move only in its direction.
 */
abstract class Cursor {
  abstract long seek(long target);

  static Cursor empty() {
    return new Cursor() {
      @Override
      long seek(long target) {
        return 0;
      }
    };
  }
}

/** Every revision in [1, bound]. */
final class AllCursor extends Cursor {
  private final long bound;
  private final boolean forward;

  AllCursor(long bound, boolean forward) {
    this.bound = bound;
    this.forward = forward;
  }

  @Override
  long seek(long target) {
    if (forward) {
      long t = Math.max(target, 1);
      return t <= bound ? t : 0;
    }
    long t = Math.min(target, bound);
    return t >= 1 ? t : 0;
  }
}

/** The entries of a sorted array prefix, found by galloping from the last position. */
final class ArrayCursor extends Cursor {
  private final int[] arr;
  private final int n;
  private final boolean forward;
  private int pos;

  ArrayCursor(int[] arr, int n, boolean forward) {
    this.arr = arr;
    this.n = n;
    this.forward = forward;
    this.pos = forward ? 0 : n - 1;
  }

  @Override
  long seek(long target) {
    if (forward) {
      if (pos >= n) {
        return 0;
      }
      if (arr[pos] >= target) {
        return arr[pos];
      }
      // gallop: find hi with arr[hi] >= target
      int step = 1;
      int lo = pos;
      int hi = pos + 1;
      while (hi < n && arr[hi] < target) {
        lo = hi;
        step <<= 1;
        hi = Math.min(n, hi + step);
      }
      if (hi > n) {
        hi = n;
      }
      // first index in (lo, hi] with arr >= target; hi may be n
      int a = lo + 1;
      int b = hi;
      while (a < b) {
        int mid = (a + b) >>> 1;
        if (arr[mid] < target) {
          a = mid + 1;
        } else {
          b = mid;
        }
      }
      pos = a;
      return pos < n ? arr[pos] : 0;
    }
    if (pos < 0) {
      return 0;
    }
    if (arr[pos] <= target) {
      return arr[pos];
    }
    int step = 1;
    int hi = pos;
    int lo = pos - 1;
    while (lo >= 0 && arr[lo] > target) {
      hi = lo;
      step <<= 1;
      lo = Math.max(-1, lo - step);
    }
    // last index in [lo, hi) with arr <= target; lo may be -1
    int a = lo;
    int b = hi - 1;
    while (a < b) {
      int mid = (a + b + 1) >> 1;
      if (arr[mid] <= target) {
        a = mid;
      } else {
        b = mid - 1;
      }
    }
    pos = a;
    return pos >= 0 ? arr[pos] : 0;
  }
}

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

/**
 * Revisions matching any of many children, merged through a binary heap of the children's
 * current positions, so a page costs O(page × log k) after an O(k) start instead of a full merge.
 */
final class HeapOrCursor extends Cursor {
  private final Cursor[] children;
  private final long[] current;
  private final int[] heap;
  private final boolean forward;
  private int size;
  private boolean started;

  HeapOrCursor(List<Cursor> children, boolean forward) {
    this.children = children.toArray(new Cursor[0]);
    this.current = new long[this.children.length];
    this.heap = new int[this.children.length];
    this.forward = forward;
  }

  @Override
  long seek(long target) {
    if (!started) {
      started = true;
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
