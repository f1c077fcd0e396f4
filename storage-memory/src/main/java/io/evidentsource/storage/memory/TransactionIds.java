package io.evidentsource.storage.memory;

import java.util.Arrays;
import java.util.UUID;

/**
 * The transaction ids of one log, by ordinal (the transaction's position in the log), with an
 * open-addressing index from id to ordinal: 16 bytes per id plus 4-8 bytes of table, where a {@code
 * HashMap<UUID, ...>} plus the UUID objects cost well over 100. Accessed under the log's lock.
 */
final class TransactionIds {
  private long[] most = new long[16];
  private long[] least = new long[16];
  private int count;
  private int[] table = new int[32]; // ordinal + 1; 0 marks an empty slot

  /** Records the id of the next transaction and returns its ordinal. */
  int add(UUID id) {
    if (count == most.length) {
      most = Arrays.copyOf(most, count * 2);
      least = Arrays.copyOf(least, count * 2);
    }
    most[count] = id.getMostSignificantBits();
    least[count] = id.getLeastSignificantBits();
    if ((count + 1) * 2 > table.length) {
      rehash(table.length * 2);
    }
    insert(table, count);
    return count++;
  }

  /** The ordinal of the transaction with this id, or -1. */
  int find(UUID id) {
    long m = id.getMostSignificantBits();
    long l = id.getLeastSignificantBits();
    int mask = table.length - 1;
    int slot = slot(m, l, mask);
    while (table[slot] != 0) {
      int ordinal = table[slot] - 1;
      if (most[ordinal] == m && least[ordinal] == l) {
        return ordinal;
      }
      slot = (slot + 1) & mask;
    }
    return -1;
  }

  /** The id of the transaction at {@code ordinal}. */
  UUID id(int ordinal) {
    return new UUID(most[ordinal], least[ordinal]);
  }

  private void insert(int[] t, int ordinal) {
    int mask = t.length - 1;
    int slot = slot(most[ordinal], least[ordinal], mask);
    while (t[slot] != 0) {
      slot = (slot + 1) & mask;
    }
    t[slot] = ordinal + 1;
  }

  private void rehash(int capacity) {
    int[] t = new int[capacity];
    for (int ordinal = 0; ordinal < count; ordinal++) {
      insert(t, ordinal);
    }
    table = t;
  }

  private static int slot(long m, long l, int mask) {
    long h = m ^ (l * 0x9E3779B97F4A7C15L);
    h ^= h >>> 32;
    return (int) h & mask;
  }
}
