package io.evidentsource.storage.memory;

import java.util.UUID;

/**
 * Open-addressing map from a transaction id to the transaction's ordinal in its log, in about 40
 * bytes per transaction (a {@code HashMap<UUID, ...>} costs ~150). Accessed under the log's lock.
 */
final class TransactionIds {
  private long[] most = new long[16];
  private long[] least = new long[16];
  private int[] ordinals = new int[16]; // ordinal + 1; 0 marks an empty slot
  private int size;

  /** The ordinal stored for {@code id}, or -1. */
  int get(UUID id) {
    int mask = ordinals.length - 1;
    int slot = slot(id, mask);
    while (ordinals[slot] != 0) {
      if (most[slot] == id.getMostSignificantBits() && least[slot] == id.getLeastSignificantBits()) {
        return ordinals[slot] - 1;
      }
      slot = (slot + 1) & mask;
    }
    return -1;
  }

  void put(UUID id, int ordinal) {
    if ((size + 1) * 2 > ordinals.length) {
      grow();
    }
    insert(id.getMostSignificantBits(), id.getLeastSignificantBits(), ordinal + 1);
    size++;
  }

  private void insert(long m, long l, int ordinalPlusOne) {
    int mask = ordinals.length - 1;
    int slot = slot(m, l, mask);
    while (ordinals[slot] != 0) {
      slot = (slot + 1) & mask;
    }
    most[slot] = m;
    least[slot] = l;
    ordinals[slot] = ordinalPlusOne;
  }

  private void grow() {
    long[] m = most;
    long[] l = least;
    int[] o = ordinals;
    most = new long[m.length * 2];
    least = new long[m.length * 2];
    ordinals = new int[m.length * 2];
    for (int i = 0; i < o.length; i++) {
      if (o[i] != 0) {
        insert(m[i], l[i], o[i]);
      }
    }
  }

  private static int slot(UUID id, int mask) {
    return slot(id.getMostSignificantBits(), id.getLeastSignificantBits(), mask);
  }

  private static int slot(long m, long l, int mask) {
    long h = m ^ (l * 0x9E3779B97F4A7C15L);
    h ^= h >>> 32;
    return (int) h & mask;
  }
}
