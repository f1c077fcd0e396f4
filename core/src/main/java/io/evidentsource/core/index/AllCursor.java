package io.evidentsource.core.index;

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
