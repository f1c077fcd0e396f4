package io.evidentsource.core.index;

import io.evidentsource.core.model.Event;
import io.evidentsource.core.port.IndexSegments;
import io.evidentsource.core.selector.Attribute;
import io.evidentsource.core.selector.EventSelector;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * The index of one sealed revision range {@code firstRevision..lastRevision} of a database
 * generation (ADR 0011): for stream, subject, type and tag the sorted keys of the range with the
 * ascending revisions of each key, the revisions without a subject, and per revision its effective
 * time, recorded time and (source, id) hash ({@link DatabaseIndex#idHash}). Immutable.
 *
 * <p>{@link #encode()} gives the stored form: magic {@code ESIX}, format version {@value
 * #FORMAT_VERSION}, the range (two big-endian longs), a DEFLATE-compressed body, and a CRC-32 of
 * every preceding byte. {@link #decode} refuses anything else with a {@link
 * CorruptSegmentException}.
 */
public final class IndexSegment {
  /** The format version written by {@link #encode()} and the only one {@link #decode} reads. */
  public static final int FORMAT_VERSION = 1;

  /** The most revisions one segment may cover (bounds what a decoder allocates). */
  public static final int MAX_EVENTS = IndexSegments.MAX_EVENTS;

  private static final int MAGIC = 0x45534958; // "ESIX"
  private static final int HEADER_BYTES = 4 + 1 + 8 + 8;
  private static final int MAX_KEY_BYTES = 1 << 20;

  private final long firstRevision;
  private final long lastRevision;
  private final EnumMap<Attribute, SortedMap<String, int[]>> keys;
  private final int[] noSubject;
  private final long[] effectiveNanos;
  private final long[] recordedNanos;
  private final long[] idHashes;

  private IndexSegment(
      long firstRevision,
      long lastRevision,
      EnumMap<Attribute, SortedMap<String, int[]>> keys,
      int[] noSubject,
      long[] effectiveNanos,
      long[] recordedNanos,
      long[] idHashes) {
    this.firstRevision = firstRevision;
    this.lastRevision = lastRevision;
    this.keys = keys;
    this.noSubject = noSubject;
    this.effectiveNanos = effectiveNanos;
    this.recordedNanos = recordedNanos;
    this.idHashes = idHashes;
  }

  /** The first revision this segment covers (≥ 1). */
  public long firstRevision() {
    return firstRevision;
  }

  /** The last revision this segment covers (≥ {@link #firstRevision()}). */
  public long lastRevision() {
    return lastRevision;
  }

  /** The number of revisions covered. */
  public int eventCount() {
    return (int) (lastRevision - firstRevision + 1);
  }

  /** The keys of an attribute in this range, sorted, each with its ascending revisions. */
  SortedMap<String, int[]> keys(Attribute attribute) {
    return at(keys, attribute);
  }

  int[] noSubject() {
    return noSubject;
  }

  long effectiveNanos(long revision) {
    return effectiveNanos[(int) (revision - firstRevision)];
  }

  long recordedNanos(long revision) {
    return recordedNanos[(int) (revision - firstRevision)];
  }

  long idHash(long revision) {
    return idHashes[(int) (revision - firstRevision)];
  }

  /** The revisions of this segment whose (source, id) hash is {@code hash}, ascending. */
  long[] revisionsWithId(long hash) {
    long[] out = new long[0];
    for (int i = 0; i < idHashes.length; i++) {
      if (idHashes[i] == hash) {
        out = Arrays.copyOf(out, out.length + 1);
        out[out.length - 1] = firstRevision + i;
      }
    }
    return out;
  }

  /**
   * An estimate of the heap this segment holds once decoded, in bytes: per key its characters and
   * about 100 bytes (string, tree node, array header), 4 per postings entry, 24 per revision (its
   * effective time, recorded time and id hash).
   */
  long estimatedBytes() {
    long bytes = 64L + 4L * noSubject.length + 24L * eventCount();
    for (var map : keys.values()) {
      for (var e : map.entrySet()) {
        bytes += 100 + 2L * e.getKey().length() + 4L * e.getValue().length;
      }
    }
    return bytes;
  }

  /**
   * The revisions of this segment whose event matches {@code selector}, ascending: the postings of
   * an equality, the union of the keys a prefix covers, intersections for {@code and}, unions for
   * {@code or}. Linear in the postings it touches, at most a few times {@link #eventCount()}; for
   * walking a segment loaded on its own (ADR 0011).
   */
  public int[] matching(EventSelector selector) {
    return selector.match(
        any -> {
          int[] all = new int[eventCount()];
          for (int i = 0; i < all.length; i++) {
            all[i] = (int) (firstRevision + i);
          }
          return all;
        },
        equals -> {
          if (equals.value() == null) {
            return noSubject.clone();
          }
          int[] p = keys(equals.attribute()).get(equals.value());
          return p == null ? new int[0] : p.clone();
        },
        startsWith -> {
          int[] out = new int[0];
          String prefix = startsWith.prefix();
          for (var e : keys(startsWith.attribute()).tailMap(prefix).entrySet()) {
            if (!e.getKey().startsWith(prefix)) {
              break;
            }
            out = union(out, e.getValue());
          }
          return out;
        },
        and -> {
          int[] out = null;
          for (var s : and.selectors()) {
            out = out == null ? matching(s) : intersection(out, matching(s));
          }
          return out == null ? new int[0] : out;
        },
        or -> {
          int[] out = new int[0];
          for (var s : or.selectors()) {
            out = union(out, matching(s));
          }
          return out;
        });
  }

  private static int[] union(int[] a, int[] b) {
    int[] out = new int[a.length + b.length];
    int i = 0;
    int j = 0;
    int n = 0;
    while (i < a.length || j < b.length) {
      int next;
      if (j >= b.length || (i < a.length && a[i] < b[j])) {
        next = a[i++];
      } else if (i >= a.length || b[j] < a[i]) {
        next = b[j++];
      } else {
        next = a[i++];
        j++;
      }
      out[n++] = next;
    }
    return Arrays.copyOf(out, n);
  }

  private static int[] intersection(int[] a, int[] b) {
    int[] out = new int[Math.min(a.length, b.length)];
    int i = 0;
    int j = 0;
    int n = 0;
    while (i < a.length && j < b.length) {
      if (a[i] < b[j]) {
        i++;
      } else if (b[j] < a[i]) {
        j++;
      } else {
        out[n++] = a[i];
        i++;
        j++;
      }
    }
    return Arrays.copyOf(out, n);
  }

  /** The stored form of this segment (see the class comment). */
  public byte[] encode() {
    var out = new ByteArrayOutputStream(64 + eventCount() * 24);
    try {
      var header = new DataOutputStream(out);
      header.writeInt(MAGIC);
      header.writeByte(FORMAT_VERSION);
      header.writeLong(firstRevision);
      header.writeLong(lastRevision);
      header.flush();
      var deflater = new Deflater(Deflater.DEFAULT_COMPRESSION);
      try (var body = new DataOutputStream(new DeflaterOutputStream(new NoClose(out), deflater))) {
        for (Attribute attribute : Attribute.values()) {
          var map = at(keys, attribute);
          writeVarLong(body, map.size());
          for (var e : map.entrySet()) {
            byte[] key = e.getKey().getBytes(StandardCharsets.UTF_8);
            writeVarLong(body, key.length);
            body.write(key);
            writePostings(body, e.getValue());
          }
        }
        writePostings(body, noSubject);
        long previous = 0;
        for (long t : effectiveNanos) {
          writeVarLong(body, zigzag(t - previous));
          previous = t;
        }
        // recorded times as runs of revisions sharing one commit time
        var runs = new ArrayList<long[]>();
        for (long t : recordedNanos) {
          if (!runs.isEmpty() && runs.get(runs.size() - 1)[0] == t) {
            runs.get(runs.size() - 1)[1]++;
          } else {
            runs.add(new long[] {t, 1});
          }
        }
        writeVarLong(body, runs.size());
        previous = 0;
        for (long[] run : runs) {
          writeVarLong(body, zigzag(run[0] - previous));
          writeVarLong(body, run[1]);
          previous = run[0];
        }
        for (long h : idHashes) {
          body.writeLong(h);
        }
      } finally {
        deflater.end();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
    var crc = new CRC32();
    byte[] content = out.toByteArray();
    crc.update(content);
    return ByteBuffer.allocate(content.length + 4)
        .put(content)
        .putInt((int) crc.getValue())
        .array();
  }

  /**
   * Reads a segment written by {@link #encode()}.
   *
   * @throws CorruptSegmentException when the bytes are not a whole segment of format version
   *     {@value #FORMAT_VERSION} with a matching checksum, or their content is inconsistent
   */
  public static IndexSegment decode(byte[] bytes) {
    if (bytes.length < HEADER_BYTES + 4) {
      throw new CorruptSegmentException("segment of " + bytes.length + " bytes is truncated");
    }
    var crc = new CRC32();
    crc.update(bytes, 0, bytes.length - 4);
    int stored = ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt();
    if (stored != (int) crc.getValue()) {
      throw new CorruptSegmentException("segment checksum mismatch");
    }
    var header = ByteBuffer.wrap(bytes);
    int magic = header.getInt();
    if (magic != MAGIC) {
      throw new CorruptSegmentException("not an index segment (magic " + magic + ")");
    }
    int version = header.get();
    if (version != FORMAT_VERSION) {
      throw new CorruptSegmentException(
          "segment format version " + version + ", this server reads " + FORMAT_VERSION,
          version > FORMAT_VERSION);
    }
    long first = header.getLong();
    long last = header.getLong();
    if (first < 1 || last < first || last - first + 1 > MAX_EVENTS) {
      throw new CorruptSegmentException("segment range " + first + ".." + last + " is invalid");
    }
    int n = (int) (last - first + 1);
    var inflater = new Inflater();
    try (var body =
        new DataInputStream(
            new InflaterInputStream(
                new java.io.ByteArrayInputStream(
                    bytes, HEADER_BYTES, bytes.length - 4 - HEADER_BYTES),
                inflater))) {
      var keys = new EnumMap<Attribute, SortedMap<String, int[]>>(Attribute.class);
      for (Attribute attribute : Attribute.values()) {
        int count = count(body, n * 32L, attribute + " keys");
        var map = new TreeMap<String, int[]>();
        for (int i = 0; i < count; i++) {
          int len = count(body, MAX_KEY_BYTES, "key length");
          byte[] key = new byte[len];
          body.readFully(key);
          map.put(new String(key, StandardCharsets.UTF_8), readPostings(body, first, last));
        }
        keys.put(attribute, Collections.unmodifiableSortedMap(map));
      }
      int[] noSubject = readPostings(body, first, last);
      long[] effective = new long[n];
      long previous = 0;
      for (int i = 0; i < n; i++) {
        previous += unzigzag(readVarLong(body));
        effective[i] = previous;
      }
      long[] recorded = new long[n];
      int runs = count(body, n, "recorded-time runs");
      int at = 0;
      previous = 0;
      for (int i = 0; i < runs; i++) {
        previous += unzigzag(readVarLong(body));
        int length = count(body, n - at, "recorded-time run");
        Arrays.fill(recorded, at, at + length, previous);
        at += length;
      }
      if (at != n) {
        throw new CorruptSegmentException("recorded times cover " + at + " of " + n + " revisions");
      }
      long[] ids = new long[n];
      for (int i = 0; i < n; i++) {
        ids[i] = body.readLong();
      }
      if (body.read() != -1) {
        throw new CorruptSegmentException("segment body has trailing bytes");
      }
      return new IndexSegment(first, last, keys, noSubject, effective, recorded, ids);
    } catch (EOFException e) {
      throw new CorruptSegmentException("segment body is truncated");
    } catch (IOException e) {
      throw new CorruptSegmentException("segment body does not inflate: " + e.getMessage());
    } finally {
      inflater.end();
    }
  }

  /** The value every attribute has in a map filled for all of them. */
  private static <V> V at(Map<Attribute, V> byAttribute, Attribute attribute) {
    return Objects.requireNonNull(byAttribute.get(attribute), attribute.name());
  }

  private static void writePostings(DataOutputStream out, int[] revisions) throws IOException {
    writeVarLong(out, revisions.length);
    long previous = 0;
    for (int r : revisions) {
      writeVarLong(out, r - previous);
      previous = r;
    }
  }

  private static int[] readPostings(DataInputStream in, long first, long last) throws IOException {
    int count = count(in, last - first + 1, "postings");
    int[] out = new int[count];
    long r = 0;
    for (int i = 0; i < count; i++) {
      r += readVarLong(in);
      if (r < first || r > last || (i > 0 && r <= out[i - 1])) {
        throw new CorruptSegmentException(
            "posting " + r + " is outside " + first + ".." + last + " or out of order");
      }
      out[i] = (int) r;
    }
    return out;
  }

  private static int count(DataInputStream in, long max, String what) throws IOException {
    long v = readVarLong(in);
    if (v < 0 || v > max) {
      throw new CorruptSegmentException(what + " count " + v + " exceeds " + max);
    }
    return (int) v;
  }

  private static void writeVarLong(DataOutputStream out, long v) throws IOException {
    while ((v & ~0x7FL) != 0) {
      out.writeByte((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.writeByte((int) v);
  }

  private static long readVarLong(DataInputStream in) throws IOException {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = in.readUnsignedByte();
      v |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return v;
      }
    }
    throw new CorruptSegmentException("varint longer than 64 bits");
  }

  private static long zigzag(long v) {
    return (v << 1) ^ (v >> 63);
  }

  private static long unzigzag(long v) {
    return (v >>> 1) ^ -(v & 1);
  }

  /** Stops {@link DeflaterOutputStream#close()} from closing the shared buffer. */
  private static final class NoClose extends java.io.FilterOutputStream {
    NoClose(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      flush();
    }
  }

  /** Collects the index of one range while events are applied in revision order. */
  static final class Builder {
    private final long first;
    private final long last;
    private final EnumMap<Attribute, TreeMap<String, IntList>> keys =
        new EnumMap<>(Attribute.class);
    private final IntList noSubject = new IntList();
    private final long[] effective;
    private final long[] recorded;
    private final long[] ids;
    private long next;

    Builder(long first, long last) {
      if (first < 1 || last < first || last - first + 1 > MAX_EVENTS) {
        throw new IllegalArgumentException("segment range " + first + ".." + last);
      }
      this.first = first;
      this.last = last;
      this.next = first;
      int n = (int) (last - first + 1);
      this.effective = new long[n];
      this.recorded = new long[n];
      this.ids = new long[n];
      for (Attribute a : Attribute.values()) {
        keys.put(a, new TreeMap<>());
      }
    }

    long lastRevision() {
      return last;
    }

    /** Adds the next revision; true when it completed the range. */
    boolean add(long revision, Event e, long effectiveNanos, long recordedNanos, long idHash) {
      if (revision != next) {
        throw new IllegalStateException(
            "segment builder at " + next + " cannot take revision " + revision);
      }
      int r = (int) revision;
      at(keys, Attribute.STREAM).computeIfAbsent(e.source(), k -> new IntList()).add(r);
      at(keys, Attribute.EVENT_TYPE).computeIfAbsent(e.type(), k -> new IntList()).add(r);
      if (e.subject() == null) {
        noSubject.add(r);
      } else {
        at(keys, Attribute.SUBJECT).computeIfAbsent(e.subject(), k -> new IntList()).add(r);
      }
      if (!e.extensions().isEmpty()) {
        for (String tag : e.tags()) {
          at(keys, Attribute.TAG).computeIfAbsent(tag, k -> new IntList()).add(r);
        }
      }
      int i = (int) (revision - first);
      effective[i] = effectiveNanos;
      recorded[i] = recordedNanos;
      ids[i] = idHash;
      next = revision + 1;
      return revision == last;
    }

    IndexSegment build() {
      if (next != last + 1) {
        throw new IllegalStateException("segment " + first + ".." + last + " is at " + next);
      }
      var frozen = new EnumMap<Attribute, SortedMap<String, int[]>>(Attribute.class);
      keys.forEach(
          (attribute, byKey) -> {
            var map = new TreeMap<String, int[]>();
            byKey.forEach((k, v) -> map.put(k, v.toArray()));
            frozen.put(attribute, Collections.unmodifiableSortedMap(map));
          });
      return new IndexSegment(first, last, frozen, noSubject.toArray(), effective, recorded, ids);
    }
  }

  /** A growable list of ascending ints that drops an immediate repeat (a tag listed twice). */
  private static final class IntList {
    private int[] values = new int[2];
    private int size;

    void add(int v) {
      if (size > 0 && values[size - 1] == v) {
        return;
      }
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = v;
    }

    int[] toArray() {
      return Arrays.copyOf(values, size);
    }
  }

  /** A stored segment that cannot be read: truncated, damaged, or of another format version. */
  public static final class CorruptSegmentException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final boolean newerFormat;

    CorruptSegmentException(String message) {
      this(message, false);
    }

    CorruptSegmentException(String message, boolean newerFormat) {
      super(message);
      this.newerFormat = newerFormat;
    }

    /**
     * True when the segment is whole but of a format version newer than this server reads (written
     * by a newer server during a rolling upgrade): it must not be replaced, only bypassed.
     */
    public boolean newerFormat() {
      return newerFormat;
    }
  }
}
