package io.evidentsource.core.index;

/**
 * A chunked, append-only column of longs indexed by revision (1-based), one writer, many readers.
 * Chunks never move, so a reader holding a revision ≤ the published size reads a stable value.
 */
final class LongColumn {
  private static final int CHUNK_BITS = 12;
  private static final int CHUNK = 1 << CHUNK_BITS;
  private volatile long[][] chunks = new long[0][];

  void set(long revision, long value) {
    long i = revision - 1;
    int c = (int) (i >>> CHUNK_BITS);
    long[][] cs = chunks;
    if (c >= cs.length) {
      long[][] grown = java.util.Arrays.copyOf(cs, Math.max(c + 1, cs.length * 2));
      for (int k = cs.length; k < grown.length; k++) {
        grown[k] = new long[CHUNK];
      }
      chunks = grown;
      cs = grown;
    }
    cs[c][(int) (i & (CHUNK - 1))] = value;
  }

  long get(long revision) {
    long i = revision - 1;
    return chunks[(int) (i >>> CHUNK_BITS)][(int) (i & (CHUNK - 1))];
  }
}
