package io.evidentsource.core.index;

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
