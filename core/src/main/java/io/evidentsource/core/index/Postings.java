package io.evidentsource.core.index;

import java.util.Arrays;

/**
 * An append-only, ascending list of revisions for one key, written by one thread and read by many.
 * A reader that has seen {@link #size()} = n may read entries 0..n-1 of {@link #array()}: the array
 * is replaced only by a longer copy, and the size is published after the entry is written.
 */
final class Postings {
  private volatile int[] revisions = new int[2];
  private volatile int size;

  /** Appends a revision greater than every revision already held. Single writer only. */
  void add(long revision) {
    int n = size;
    int[] arr = revisions;
    if (n > 0 && arr[n - 1] == revision) {
      return; // an event carrying the same tag twice is listed once
    }
    if (n == arr.length) {
      arr = Arrays.copyOf(arr, n < 1024 ? n * 2 : n + (n >> 1));
      revisions = arr;
    }
    arr[n] = (int) revision;
    size = n + 1;
  }

  int size() {
    return size;
  }

  int[] array() {
    return revisions;
  }

  /** Highest revision ≤ {@code bound}, or 0. */
  long last(long bound) {
    int n = size;
    int[] arr = revisions;
    int idx = countAtMost(arr, n, bound) - 1;
    return idx >= 0 ? arr[idx] : 0;
  }

  /** A cursor over the entries ≤ {@code bound}. */
  Cursor cursor(long bound, boolean forward) {
    int n = size;
    int[] arr = revisions;
    return new ArrayCursor(arr, countAtMost(arr, n, bound), forward);
  }

  /** Number of entries in {@code arr[0..n)} that are ≤ bound. */
  static int countAtMost(int[] arr, int n, long bound) {
    if (n == 0 || arr[n - 1] <= bound) {
      return n;
    }
    int lo = 0;
    int hi = n; // first index with arr[i] > bound lies in [lo, hi]
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (arr[mid] <= bound) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
