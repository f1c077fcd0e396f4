package io.evidentsource.core.index;

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
