package io.evidentsource.core.index;

/**
 * Open-addressing hash table from a 64-bit hash of (source, id) to the revision holding that event;
 * about 24 bytes per event. Hashes may collide, so a hit is a candidate the caller verifies against
 * the stored event. Accessed only under the index's write lock.
 */
final class IdSet {
  private long[] keys = new long[16];
  private int[] revisions = new int[16];
  private int size;

  static long hash(String source, String id) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < source.length(); i++) {
      h = (h ^ source.charAt(i)) * 0x100000001b3L;
    }
    h = (h ^ 0xffff) * 0x100000001b3L;
    for (int i = 0; i < id.length(); i++) {
      h = (h ^ id.charAt(i)) * 0x100000001b3L;
    }
    // murmur3 fmix64 for a good spread of the low bits used as the slot
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h == 0 ? 1 : h;
  }

  void put(long hash, long revision) {
    if ((size + 1) * 2 > keys.length) {
      grow();
    }
    insert(keys, revisions, hash, (int) revision);
    size++;
  }

  private static final long[] NONE = new long[0];

  /** The revisions whose key equals {@code hash} (usually none or one). */
  long[] candidates(long hash) {
    int mask = keys.length - 1;
    int slot = (int) hash & mask;
    long[] out = NONE;
    while (keys[slot] != 0) {
      if (keys[slot] == hash) {
        out = java.util.Arrays.copyOf(out, out.length + 1);
        out[out.length - 1] = revisions[slot];
      }
      slot = (slot + 1) & mask;
    }
    return out;
  }

  private static void insert(long[] keys, int[] revs, long hash, int revision) {
    int mask = keys.length - 1;
    int slot = (int) hash & mask;
    while (keys[slot] != 0) {
      slot = (slot + 1) & mask;
    }
    keys[slot] = hash;
    revs[slot] = revision;
  }

  private void grow() {
    long[] k = new long[keys.length * 2];
    int[] r = new int[keys.length * 2];
    for (int i = 0; i < keys.length; i++) {
      if (keys[i] != 0) {
        insert(k, r, keys[i], revisions[i]);
      }
    }
    keys = k;
    revisions = r;
  }
}
