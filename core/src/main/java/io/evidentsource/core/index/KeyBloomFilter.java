package io.evidentsource.core.index;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;

/**
 * A Bloom filter of strings for a {@link SegmentSummary} (ADR 0011): {@value #BITS_PER_KEY} bits
 * and {@value #HASHES} probes per key (about 1 % false positives), at most {@value #MAX_BITS} bits
 * (beyond {@code MAX_BITS / BITS_PER_KEY} keys the rate grows, never to a false negative).
 *
 * <p>Deterministic: the bits depend only on the set of keys, never on insertion order, process or
 * JVM. A key's UTF-8 bytes are hashed with 64-bit FNV-1a, finished by the SplitMix64 mixer; probe
 * {@code i} sets bit {@code (h1 + i·h2) mod m} (Kirsch–Mitzenmacher double hashing, {@code h2} the
 * mixer applied once more, made odd). Immutable.
 */
final class KeyBloomFilter {
  /** Bits per key of a filter sized by {@link #of}. */
  static final int BITS_PER_KEY = 10;

  /** Probes per key (≈ BITS_PER_KEY · ln 2). */
  static final int HASHES = 7;

  /** The most bits one filter holds (32 KiB), so a summary fits one DynamoDB item. */
  static final int MAX_BITS = 1 << 18;

  private static final KeyBloomFilter EMPTY = new KeyBloomFilter(new long[0]);

  private final long[] words;

  private KeyBloomFilter(long[] words) {
    this.words = words;
  }

  /** The filter of {@code keys}: {@link #BITS_PER_KEY} bits per key, rounded up to 64. */
  static KeyBloomFilter of(Collection<String> keys) {
    var hashes = new long[keys.size()];
    int i = 0;
    for (String key : keys) {
      hashes[i++] = hash(key);
    }
    return ofHashed(hashes);
  }

  /**
   * The filter of 64-bit (source, id) hashes ({@link DatabaseIndex#idHash}), one per event (a
   * repeated hash counts once in the bits, not in the size).
   */
  static KeyBloomFilter ofIds(long[] idHashes) {
    var hashes = new long[idHashes.length];
    for (int i = 0; i < idHashes.length; i++) {
      hashes[i] = mix(idHashes[i]);
    }
    return ofHashed(hashes);
  }

  private static KeyBloomFilter ofHashed(long[] hashes) {
    if (hashes.length == 0) {
      return EMPTY;
    }
    long bits = Math.min((long) hashes.length * BITS_PER_KEY, MAX_BITS);
    var words = new long[(int) ((bits + 63) / 64)];
    long m = words.length * 64L;
    for (long h1 : hashes) {
      long h2 = mix(h1) | 1;
      for (int i = 0; i < HASHES; i++) {
        long bit = Long.remainderUnsigned(h1 + i * h2, m);
        words[(int) (bit >>> 6)] |= 1L << bit;
      }
    }
    return new KeyBloomFilter(words);
  }

  /** A filter read back from {@link #words()}; an empty array is the filter of no keys. */
  static KeyBloomFilter ofWords(long[] words) {
    if (words.length > MAX_BITS / 64) {
      throw new IllegalArgumentException(
          "bloom filter of " + words.length * 64L + " bits exceeds " + MAX_BITS);
    }
    return words.length == 0 ? EMPTY : new KeyBloomFilter(words.clone());
  }

  /** False only when {@code key} was certainly not among the keys. */
  boolean mightContain(String key) {
    return mightContainHashed(hash(key));
  }

  /** False only when no event of the filter {@link #ofIds} built had this (source, id) hash. */
  boolean mightContainId(long idHash) {
    return mightContainHashed(mix(idHash));
  }

  private boolean mightContainHashed(long h1) {
    if (words.length == 0) {
      return false;
    }
    long m = words.length * 64L;
    long h2 = mix(h1) | 1;
    for (int i = 0; i < HASHES; i++) {
      long bit = Long.remainderUnsigned(h1 + i * h2, m);
      if ((words[(int) (bit >>> 6)] & (1L << bit)) == 0) {
        return false;
      }
    }
    return true;
  }

  /** The filter's bits, 64 per word; a copy. */
  long[] words() {
    return words.clone();
  }

  int wordCount() {
    return words.length;
  }

  long word(int i) {
    return words[i];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyBloomFilter f && Arrays.equals(words, f.words);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(words);
  }

  /** FNV-1a over the key's UTF-8 bytes, then the SplitMix64 finalizer. */
  static long hash(String key) {
    long h = 0xcbf29ce484222325L;
    for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return mix(h);
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
