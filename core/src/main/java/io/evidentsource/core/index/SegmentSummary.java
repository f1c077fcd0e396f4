package io.evidentsource.core.index;

import io.evidentsource.core.selector.Attribute;
import io.evidentsource.core.selector.EventSelector;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Objects;
import java.util.SortedMap;
import java.util.zip.CRC32;

/**
 * What a sealed {@link IndexSegment} may hold, in a few hundred bytes (ADR 0011): its range, for
 * each of stream, subject, type and tag the number of distinct keys, the smallest and largest key
 * (cut to {@value #BOUND_CHARS} characters) and a {@link KeyBloomFilter} of the keys, and whether
 * the range has events without a subject; the recorded times of its first and last revision and the
 * range of its effective times; and a filter of its events' (source, id) hashes ({@link
 * #mayHoldId}, the duplicate check). {@link #mayMatch} answers false only when no event of the
 * range can match a selector, so a reader skips that segment without loading it; it never answers
 * false for a segment that holds a match (no false negatives), and answers true for about 1 % of
 * segments that do not hold a key.
 *
 * <p>{@link #encode()} gives the stored form: magic {@code ESSM}, format version {@value
 * #FORMAT_VERSION}, the range (two big-endian longs), a flags byte (bit 0: events without a
 * subject), the first and last recorded and the least and greatest effective time (four big-endian
 * longs, nanoseconds), then per attribute in {@link Attribute} order the key count (varint), the
 * smallest and largest key (varint length, UTF-8) and the filter's 64-bit words (varint count,
 * big-endian longs), then the id filter's words likewise, and a CRC-32 of every preceding byte.
 * Deterministic: the bytes depend only on the segment's keys. {@link #decode} refuses anything else
 * with an {@link IndexSegment.CorruptSegmentException}. Immutable.
 */
public final class SegmentSummary {
  /** The format version written by {@link #encode()} and the only one {@link #decode} reads. */
  public static final int FORMAT_VERSION = 1;

  /** The most characters of the smallest and largest key a summary keeps. */
  static final int BOUND_CHARS = 64;

  private static final int MAGIC = 0x4553534D; // "ESSM"
  private static final int NO_SUBJECT = 1;

  private final long firstRevision;
  private final long lastRevision;
  private final boolean noSubject;
  private final long firstRecordedNanos;
  private final long lastRecordedNanos;
  private final long minEffectiveNanos;
  private final long maxEffectiveNanos;
  private final EnumMap<Attribute, Keys> keys;
  private final KeyBloomFilter ids;

  /** The keys of one attribute: how many, their bounds (cut), and their filter. */
  private record Keys(int count, String min, String max, KeyBloomFilter filter) {
    static final Keys NONE = new Keys(0, "", "", KeyBloomFilter.of(java.util.List.of()));

    /** False when no key is {@code key}. */
    boolean mayHold(String key) {
      return count > 0 && mayHoldPrefix(key) && filter.mightContain(key);
    }

    /**
     * False when no key starts with {@code prefix}: a key {@code k ≥ min} starting with it has
     * {@code cut(min, |prefix|) ≤ prefix}, and a key {@code k ≤ max} starting with it has {@code
     * cut(prefix, |max|) ≤ max}, where {@code max} (and {@code min}) may be cut prefixes of the
     * true bounds (cutting preserves both inequalities).
     */
    boolean mayHoldPrefix(String prefix) {
      if (count == 0) {
        return false;
      }
      String lo = min.length() > prefix.length() ? min.substring(0, prefix.length()) : min;
      String hi = prefix.length() > max.length() ? prefix.substring(0, max.length()) : prefix;
      return lo.compareTo(prefix) <= 0 && hi.compareTo(max) <= 0;
    }
  }

  private SegmentSummary(
      long firstRevision,
      long lastRevision,
      boolean noSubject,
      long[] times,
      EnumMap<Attribute, Keys> keys,
      KeyBloomFilter ids) {
    this.firstRevision = firstRevision;
    this.lastRevision = lastRevision;
    this.noSubject = noSubject;
    this.firstRecordedNanos = times[0];
    this.lastRecordedNanos = times[1];
    this.minEffectiveNanos = times[2];
    this.maxEffectiveNanos = times[3];
    this.keys = keys;
    this.ids = ids;
  }

  /** The summary of {@code segment}. */
  public static SegmentSummary of(IndexSegment segment) {
    var keys = new EnumMap<Attribute, Keys>(Attribute.class);
    for (Attribute a : Attribute.values()) {
      SortedMap<String, int[]> map = segment.keys(a);
      keys.put(
          a,
          map.isEmpty()
              ? Keys.NONE
              : new Keys(
                  map.size(),
                  lowerBound(map.firstKey()),
                  upperBound(map.lastKey()),
                  KeyBloomFilter.of(map.keySet())));
    }
    long first = segment.firstRevision();
    long last = segment.lastRevision();
    long minEffective = Long.MAX_VALUE;
    long maxEffective = Long.MIN_VALUE;
    var idHashes = new long[segment.eventCount()];
    for (long r = first; r <= last; r++) {
      minEffective = Math.min(minEffective, segment.effectiveNanos(r));
      maxEffective = Math.max(maxEffective, segment.effectiveNanos(r));
      idHashes[(int) (r - first)] = segment.idHash(r);
    }
    long[] times = {
      segment.recordedNanos(first), segment.recordedNanos(last), minEffective, maxEffective
    };
    return new SegmentSummary(
        first, last, segment.noSubject().length > 0, times, keys, KeyBloomFilter.ofIds(idHashes));
  }

  /**
   * An estimate of the heap this summary holds, in bytes: its filters' words and key bounds, plus
   * fixed fields.
   */
  long estimatedBytes() {
    long bytes = 128L + 8L * ids.words().length;
    for (Keys k : keys.values()) {
      bytes += 64L + 8L * k.filter().words().length + 2L * (k.min().length() + k.max().length());
    }
    return bytes;
  }

  /** The first revision of the summarized segment. */
  public long firstRevision() {
    return firstRevision;
  }

  /** The last revision of the summarized segment. */
  public long lastRevision() {
    return lastRevision;
  }

  /** The recorded time of the segment's first revision, in nanoseconds since the epoch. */
  public long firstRecordedNanos() {
    return firstRecordedNanos;
  }

  /** The recorded time of the segment's last revision, in nanoseconds since the epoch. */
  public long lastRecordedNanos() {
    return lastRecordedNanos;
  }

  /** The earliest effective time of the segment's events, in nanoseconds since the epoch. */
  public long minEffectiveNanos() {
    return minEffectiveNanos;
  }

  /** The latest effective time of the segment's events, in nanoseconds since the epoch. */
  public long maxEffectiveNanos() {
    return maxEffectiveNanos;
  }

  /**
   * False only when no event of the segment has this (source, id) hash ({@link
   * DatabaseIndex#idHash}); true for about 1 % of segments without it.
   */
  public boolean mayHoldId(long idHash) {
    return ids.mightContainId(idHash);
  }

  /** The number of distinct keys of {@code attribute} in the segment. */
  public int keyCount(Attribute attribute) {
    return at(attribute).count();
  }

  /**
   * False only when no event of the segment matches {@code selector}: an {@code and} may match when
   * each of its terms may, an {@code or} when one of its terms may (so an {@code and} of two keys
   * the segment holds on different events still answers true).
   */
  public boolean mayMatch(EventSelector selector) {
    return selector.match(
        any -> true,
        equals ->
            equals.value() == null ? noSubject : at(equals.attribute()).mayHold(equals.value()),
        startsWith -> at(startsWith.attribute()).mayHoldPrefix(startsWith.prefix()),
        and -> and.selectors().stream().allMatch(this::mayMatch),
        or -> or.selectors().stream().anyMatch(this::mayMatch));
  }

  private Keys at(Attribute attribute) {
    return Objects.requireNonNull(keys.get(attribute), attribute.name());
  }

  /** The stored form (see the class comment). */
  public byte[] encode() {
    var bytes = new ByteArrayOutputStream(64);
    try (var out = new DataOutputStream(bytes)) {
      out.writeInt(MAGIC);
      out.writeByte(FORMAT_VERSION);
      out.writeLong(firstRevision);
      out.writeLong(lastRevision);
      out.writeByte(noSubject ? NO_SUBJECT : 0);
      out.writeLong(firstRecordedNanos);
      out.writeLong(lastRecordedNanos);
      out.writeLong(minEffectiveNanos);
      out.writeLong(maxEffectiveNanos);
      for (Attribute a : Attribute.values()) {
        Keys k = at(a);
        writeVarInt(out, k.count());
        writeString(out, k.min());
        writeString(out, k.max());
        writeVarInt(out, k.filter().wordCount());
        for (int i = 0; i < k.filter().wordCount(); i++) {
          out.writeLong(k.filter().word(i));
        }
      }
      writeVarInt(out, ids.wordCount());
      for (int i = 0; i < ids.wordCount(); i++) {
        out.writeLong(ids.word(i));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
    byte[] content = bytes.toByteArray();
    var crc = new CRC32();
    crc.update(content);
    return ByteBuffer.allocate(content.length + 4)
        .put(content)
        .putInt((int) crc.getValue())
        .array();
  }

  /**
   * Reads a summary written by {@link #encode()}.
   *
   * @throws IndexSegment.CorruptSegmentException when the bytes are not a whole summary of format
   *     version {@value #FORMAT_VERSION} with a matching checksum, or their content is inconsistent
   *     ({@link IndexSegment.CorruptSegmentException#newerFormat()} for a newer version)
   */
  public static SegmentSummary decode(byte[] bytes) {
    if (bytes.length < 4 + 1 + 8 + 8 + 1 + 32 + 4) {
      throw new IndexSegment.CorruptSegmentException(
          "summary of " + bytes.length + " bytes is truncated");
    }
    var crc = new CRC32();
    crc.update(bytes, 0, bytes.length - 4);
    var in = ByteBuffer.wrap(bytes, 0, bytes.length - 4);
    if (ByteBuffer.wrap(bytes).getInt(bytes.length - 4) != (int) crc.getValue()) {
      throw new IndexSegment.CorruptSegmentException("summary checksum mismatch");
    }
    try {
      int magic = in.getInt();
      if (magic != MAGIC) {
        throw new IndexSegment.CorruptSegmentException(
            "not a segment summary (magic " + magic + ")");
      }
      int version = in.get();
      if (version != FORMAT_VERSION) {
        throw new IndexSegment.CorruptSegmentException(
            "summary format version " + version + ", this server reads " + FORMAT_VERSION,
            version > FORMAT_VERSION);
      }
      long first = in.getLong();
      long last = in.getLong();
      if (first < 1 || last < first || last - first + 1 > IndexSegment.MAX_EVENTS) {
        throw new IndexSegment.CorruptSegmentException(
            "summary range " + first + ".." + last + " is invalid");
      }
      int flags = in.get();
      if ((flags & ~NO_SUBJECT) != 0) {
        throw new IndexSegment.CorruptSegmentException("summary flags " + flags + " are unknown");
      }
      long[] times = {in.getLong(), in.getLong(), in.getLong(), in.getLong()};
      var keys = new EnumMap<Attribute, Keys>(Attribute.class);
      for (Attribute a : Attribute.values()) {
        int count = readVarInt(in, Integer.MAX_VALUE, a + " key count");
        String min = readString(in);
        String max = readString(in);
        int words = readVarInt(in, KeyBloomFilter.MAX_BITS / 64, a + " filter words");
        var bits = new long[words];
        for (int i = 0; i < words; i++) {
          bits[i] = in.getLong();
        }
        if ((count == 0) != (words == 0)) {
          throw new IndexSegment.CorruptSegmentException(
              a + " has " + count + " keys and a filter of " + words + " words");
        }
        keys.put(
            a, count == 0 ? Keys.NONE : new Keys(count, min, max, KeyBloomFilter.ofWords(bits)));
      }
      var idWords = new long[readVarInt(in, KeyBloomFilter.MAX_BITS / 64, "id filter words")];
      for (int i = 0; i < idWords.length; i++) {
        idWords[i] = in.getLong();
      }
      if (idWords.length == 0) {
        throw new IndexSegment.CorruptSegmentException("summary has no id filter");
      }
      if (in.hasRemaining()) {
        throw new IndexSegment.CorruptSegmentException("summary has trailing bytes");
      }
      return new SegmentSummary(
          first, last, (flags & NO_SUBJECT) != 0, times, keys, KeyBloomFilter.ofWords(idWords));
    } catch (BufferUnderflowException e) {
      throw new IndexSegment.CorruptSegmentException("summary is truncated");
    }
  }

  /**
   * A lower bound of {@code key} that survives UTF-8: its cut, or the empty string when the cut
   * holds a lone surrogate (which UTF-8 cannot carry).
   */
  private static String lowerBound(String key) {
    String c = cut(key);
    return utf8Exact(c) ? c : "";
  }

  /**
   * An upper bound of every key starting with {@code key}'s cut that survives UTF-8: the cut, or
   * {@code U+FFFF} (above every first character: no bound) when it holds a lone surrogate.
   */
  private static String upperBound(String key) {
    String c = cut(key);
    return utf8Exact(c) ? c : "\uFFFF";
  }

  private static boolean utf8Exact(String s) {
    return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8).equals(s);
  }

  /**
   * The first {@value #BOUND_CHARS} characters of {@code key}, never splitting a surrogate pair.
   */
  static String cut(String key) {
    if (key.length() <= BOUND_CHARS) {
      return key;
    }
    int end = BOUND_CHARS;
    if (Character.isHighSurrogate(key.charAt(end - 1))) {
      end--;
    }
    return key.substring(0, end);
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    writeVarInt(out, b.length);
    out.write(b);
  }

  private static String readString(ByteBuffer in) {
    int length = readVarInt(in, BOUND_CHARS * 4, "key bound length");
    byte[] b = new byte[length];
    in.get(b);
    return new String(b, StandardCharsets.UTF_8);
  }

  private static void writeVarInt(DataOutputStream out, int v) throws IOException {
    while ((v & ~0x7F) != 0) {
      out.writeByte((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    out.writeByte(v);
  }

  private static int readVarInt(ByteBuffer in, int max, String what) {
    long v = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      int b = in.get() & 0xFF;
      v |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        if (v > max) {
          throw new IndexSegment.CorruptSegmentException(what + " " + v + " exceeds " + max);
        }
        return (int) v;
      }
    }
    throw new IndexSegment.CorruptSegmentException(what + " varint is too long");
  }
}
