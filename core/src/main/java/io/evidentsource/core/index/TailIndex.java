package io.evidentsource.core.index;

import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.EventTime;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.selector.Attribute;
import io.evidentsource.core.selector.EventSelector;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;
import org.jspecify.annotations.Nullable;

/**
 * The in-memory index of the revisions after {@code base} of one database generation: postings of
 * revisions per stream, subject, type and tag in sorted maps (so prefix selectors walk a key
 * range), events without a subject, the effective time of each revision, the recorded time of each
 * transaction and a hash of each (source, id). Without segments its base is 0 and it is the whole
 * index of its database; with segments (ADR 0011) it is the unsealed tail after the last sealed
 * range, and {@link DatabaseIndex} replaces it by an empty one when its range is complete.
 *
 * <p>One writer extends it in revision order ({@link IndexManager} holds the lock); readers go
 * through an {@link IndexSnapshot} bounded by a revision and never see later entries.
 */
final class TailIndex {
  /** Largest revision the int-based postings can hold. */
  static final long MAX_REVISION = Integer.MAX_VALUE;

  private final DatabaseName database;
  private final long generation;
  private final ConcurrentSkipListMap<String, Postings> streams = new ConcurrentSkipListMap<>();
  private final ConcurrentSkipListMap<String, Postings> subjects = new ConcurrentSkipListMap<>();
  private final ConcurrentSkipListMap<String, Postings> types = new ConcurrentSkipListMap<>();
  private final ConcurrentSkipListMap<String, Postings> tags = new ConcurrentSkipListMap<>();
  private final Postings noSubject = new Postings();
  // writer-side hash lookups (the skip lists serve readers and prefix walks)
  private final HashMap<String, Postings> streamsByKey = new HashMap<>();
  private final HashMap<String, Postings> subjectsByKey = new HashMap<>();
  private final HashMap<String, Postings> typesByKey = new HashMap<>();
  private final HashMap<String, Postings> tagsByKey = new HashMap<>();
  private final LongColumn effectiveNanos = new LongColumn();
  private final IdSet ids = new IdSet();
  // recorded time per group of revisions sharing it: times[i] covers revisions up to lastRevs[i]
  private volatile long[] recordedNanos = new long[16];
  private volatile long[] recordedLast = new long[16];
  private volatile int recordedCount;
  private volatile long revision;
  // writer-kept counters for estimatedBytes(): key characters plus overhead, postings entries;
  // published to readers by the volatile write of `revision` that follows them in apply()
  private long keyBytes;
  private long postingsEntries;
  // segments (ADR 0011): 0 = off; else the range being collected and the ranges completed since
  // the last drainCompletedSegments(), writer only
  private final int segmentEvents;
  private IndexSegment.@Nullable Builder segment;
  private final List<IndexSegment> completedSegments = new ArrayList<>();

  // the revision before the first this index holds (0: it holds the whole log)
  private final long base;

  TailIndex(DatabaseName database, long generation) {
    this(database, generation, 0, 0);
  }

  /**
   * @param segmentEvents the revisions per sealed segment (ADR 0011), 0 to collect none
   * @param base the revision after which this index starts; the range it collects for sealing
   *     starts at {@code base + 1} and ends at the next multiple of {@code segmentEvents}
   */
  TailIndex(DatabaseName database, long generation, int segmentEvents, long base) {
    if (segmentEvents < 0 || segmentEvents > IndexSegment.MAX_EVENTS) {
      throw new IllegalArgumentException(
          "segmentEvents must be in 0.." + IndexSegment.MAX_EVENTS + ", was " + segmentEvents);
    }
    if (base < 0) {
      throw new IllegalArgumentException("base must be >= 0, was " + base);
    }
    this.database = database;
    this.generation = generation;
    this.segmentEvents = segmentEvents;
    this.base = base;
    this.revision = base;
  }

  /** The revision before the first this index holds. */
  long base() {
    return base;
  }

  /**
   * The last revision of the range this index collects for sealing: the first multiple of the
   * segment size above {@link #base()}.
   */
  long rangeEnd() {
    return (base / segmentEvents + 1) * segmentEvents;
  }

  /** The database this index belongs to. */
  DatabaseName database() {
    return database;
  }

  /** The database generation this index belongs to. */
  long generation() {
    return generation;
  }

  /** The highest revision indexed. */
  long revision() {
    return revision;
  }

  /** The recorded time of the highest revision indexed, or null when nothing is indexed. */
  @Nullable Instant lastRecordedTime() {
    int n = recordedCount;
    return n == 0 ? null : Instant.ofEpochSecond(0, recordedNanos[n - 1]);
  }

  /** Adds the next events; their revisions must continue the index densely. Writer only. */
  void apply(List<StoredEvent> events) {
    apply(events, null);
  }

  /**
   * Adds the next events whose {@link DatabaseIndex#idHash} values the caller computed already (one
   * per event, in order), or null to compute them here. Writer only.
   */
  void apply(List<StoredEvent> events, long @Nullable [] idHashes) {
    for (int k = 0; k < events.size(); k++) {
      var stored = events.get(k);
      long r = stored.revision();
      if (r != revision + 1) {
        throw new IllegalStateException(
            "index of " + database + " at " + revision + " cannot take revision " + r);
      }
      if (r > MAX_REVISION) {
        throw new IllegalStateException(
            "in-memory index holds at most " + MAX_REVISION + " events");
      }
      Event e = stored.event();
      long idHash = idHashes != null ? idHashes[k] : IdSet.hash(e.source(), e.id());
      long effective = nanos(stored.effectiveTime());
      long recorded = nanos(stored.recordedTime());
      if (segmentEvents > 0) {
        collect(r, e, effective, recorded, idHash);
      }
      postings(streamsByKey, streams, e.source()).add(r);
      postings(typesByKey, types, e.type()).add(r);
      if (e.subject() == null) {
        noSubject.add(r);
        postingsEntries++;
      } else {
        postings(subjectsByKey, subjects, e.subject()).add(r);
      }
      if (!e.extensions().isEmpty()) {
        for (String tag : e.tags()) {
          postings(tagsByKey, tags, tag).add(r);
        }
      }
      effectiveNanos.set(r - base, effective);
      recordTime(r, recorded);
      ids.put(idHash, r);
      revision = r;
    }
  }

  /** Feeds the segment of {@code r}'s range, if this index saw that range from its start. */
  private void collect(long r, Event e, long effective, long recorded, long idHash) {
    var b = segment;
    if (b == null) {
      if (r != base + 1) {
        return; // past the one range this index collects
      }
      b = new IndexSegment.Builder(r, rangeEnd());
      segment = b;
    }
    if (b.add(r, e, effective, recorded, idHash)) {
      completedSegments.add(b.build());
      segment = null;
    }
  }

  /** The segments completed by events applied since the last call, oldest first. Writer only. */
  List<IndexSegment> drainCompletedSegments() {
    if (completedSegments.isEmpty()) {
      return List.of();
    }
    var out = List.copyOf(completedSegments);
    completedSegments.clear();
    return out;
  }

  /** Revisions that may hold an event whose (source, id) hash is {@code hash}. Writer only. */
  long[] idCandidates(long hash) {
    return ids.candidates(hash);
  }

  private void recordTime(long r, long nanos) {
    int n = recordedCount;
    if (n > 0 && recordedNanos[n - 1] == nanos) {
      recordedLast[n - 1] = r; // same commit time: extend the group (readers bound by revision)
      return;
    }
    if (n == recordedNanos.length) {
      long[] t = Arrays.copyOf(recordedNanos, n * 2);
      long[] l = Arrays.copyOf(recordedLast, n * 2);
      t[n] = nanos;
      l[n] = r;
      recordedNanos = t;
      recordedLast = l;
    } else {
      recordedNanos[n] = nanos;
      recordedLast[n] = r;
    }
    recordedCount = n + 1;
  }

  /** Highest revision ≤ {@code bound} recorded at or before {@code time}; 0 if none. */
  long revisionAtRecordedTime(Instant time, long bound) {
    long t = nanos(time);
    int n = recordedCount;
    long[] times = recordedNanos;
    long[] last = recordedLast;
    int lo = 0;
    int hi = n; // count of groups with time <= t
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (times[mid] <= t) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    if (lo == 0) {
      return 0;
    }
    return Math.min(last[lo - 1], bound);
  }

  long effectiveNanos(long revision) {
    return effectiveNanos.get(revision - base);
  }

  /** A cursor over the revisions ≤ bound matching {@code selector}, with no budget. */
  Cursor cursor(EventSelector selector, long bound, boolean forward) {
    return cursor(selector, bound, forward, ScanBudget.UNLIMITED);
  }

  /**
   * A cursor over the revisions ≤ bound matching {@code selector}, charging its work to {@code
   * budget}. The selector is simplified first, so its cost follows the distinct work it asks for,
   * not its length: nested {@code or}s and {@code and}s are flattened, repeated terms merged, an
   * {@code any} absorbs an {@code or} (and drops out of an {@code and}), a prefix absorbs the
   * longer prefixes and the values it covers, and all the postings lists of an {@code or}'s terms
   * are merged by one heap, each list once.
   */
  Cursor cursor(EventSelector selector, long bound, boolean forward, ScanBudget budget) {
    return selector.match(
        any -> new AllCursor(bound, forward),
        equals -> union(List.of(equals), bound, forward, budget),
        startsWith -> union(List.of(startsWith), bound, forward, budget),
        and -> intersection(and, bound, forward, budget),
        or -> union(or.selectors(), bound, forward, budget));
  }

  /** The revisions matching every one of an {@code and}'s (flattened, distinct) selectors. */
  private Cursor intersection(
      EventSelector.And and, long bound, boolean forward, ScanBudget budget) {
    var terms = new LinkedHashSet<EventSelector>();
    var pending = new ArrayDeque<EventSelector>(and.selectors());
    while (!pending.isEmpty()) {
      var s = pending.pollFirst();
      if (s instanceof EventSelector.And nested) {
        var children = nested.selectors();
        for (int i = children.size() - 1; i >= 0; i--) {
          pending.addFirst(children.get(i));
        }
      } else if (!(s instanceof EventSelector.Any)) {
        terms.add(s);
      }
    }
    if (terms.isEmpty()) {
      return new AllCursor(bound, forward);
    }
    var cs = new ArrayList<Cursor>(terms.size());
    for (var s : terms) {
      cs.add(cursor(s, bound, forward, budget));
    }
    return cs.size() == 1 ? cs.get(0) : new AndCursor(cs, budget);
  }

  /**
   * The revisions matching any of {@code selectors}: nested {@code or}s flattened, the equality and
   * prefix terms of each attribute reduced to the distinct postings lists they cover (a prefix
   * covers every longer prefix and every value it starts), other terms once each, all merged.
   */
  private Cursor union(
      List<EventSelector> selectors, long bound, boolean forward, ScanBudget budget) {
    var prefixes = new EnumMap<Attribute, TreeSet<String>>(Attribute.class);
    var values = new EnumMap<Attribute, TreeSet<String>>(Attribute.class);
    boolean withoutSubject = false;
    var others = new LinkedHashSet<EventSelector>();
    var pending = new ArrayDeque<EventSelector>(selectors);
    while (!pending.isEmpty()) {
      var s = pending.pollFirst();
      if (s instanceof EventSelector.Any) {
        return new AllCursor(bound, forward);
      } else if (s instanceof EventSelector.Or nested) {
        pending.addAll(nested.selectors());
      } else if (s instanceof EventSelector.StartsWith p) {
        prefixes.computeIfAbsent(p.attribute(), a -> new TreeSet<>()).add(p.prefix());
      } else if (s instanceof EventSelector.Equals e) {
        if (e.value() == null) {
          withoutSubject = true;
        } else {
          values.computeIfAbsent(e.attribute(), a -> new TreeSet<>()).add(e.value());
        }
      } else {
        others.add(s);
      }
    }
    var lists = new ArrayList<Postings>();
    for (Attribute attribute : Attribute.values()) {
      var keys = map(attribute);
      var kept = new TreeSet<String>();
      for (String prefix : prefixes.getOrDefault(attribute, EMPTY)) {
        // sorted: a shorter prefix of this one comes first and is the last one kept
        if (!kept.isEmpty() && prefix.startsWith(kept.last())) {
          continue;
        }
        kept.add(prefix);
        for (Map.Entry<String, Postings> e : keys.tailMap(prefix, true).entrySet()) {
          if (!e.getKey().startsWith(prefix)) {
            break;
          }
          budget.charge(1);
          lists.add(e.getValue());
        }
      }
      for (String value : values.getOrDefault(attribute, EMPTY)) {
        String cover = kept.floor(value);
        if (cover != null && value.startsWith(cover)) {
          continue;
        }
        budget.charge(1);
        Postings p = keys.get(value);
        if (p != null) {
          lists.add(p);
        }
      }
    }
    var cs = new ArrayList<Cursor>(lists.size() + others.size() + 1);
    if (withoutSubject) {
      cs.add(noSubject.cursor(bound, forward));
    }
    for (var p : lists) {
      cs.add(p.cursor(bound, forward));
    }
    for (var s : others) {
      cs.add(cursor(s, bound, forward, budget));
    }
    if (cs.isEmpty()) {
      return Cursor.empty();
    }
    if (cs.size() == 1) {
      return cs.get(0);
    }
    // A tag prefix may match an event through two tags; both merges return each revision once.
    return cs.size() <= 8
        ? new OrCursor(cs, forward, budget)
        : new HeapOrCursor(cs, forward, budget);
  }

  private static final TreeSet<String> EMPTY = new TreeSet<>();

  private ConcurrentSkipListMap<String, Postings> map(Attribute attribute) {
    return switch (attribute) {
      case STREAM -> streams;
      case SUBJECT -> subjects;
      case EVENT_TYPE -> types;
      case TAG -> tags;
    };
  }

  private Postings postings(
      Map<String, Postings> byKey, ConcurrentSkipListMap<String, Postings> sorted, String key) {
    postingsEntries++;
    Postings p = byKey.get(key);
    if (p == null) {
      p = new Postings();
      byKey.put(key, p);
      sorted.put(key, p); // published to readers only once it exists
      keyBytes += KEY_OVERHEAD_BYTES + key.length();
    }
    return p;
  }

  /**
   * Heap held per distinct key (stream, subject, type or tag), beside its characters: the string
   * (about 40 bytes), a hash map node and a skip-list node (about 80), the postings list and its
   * first array (about 40).
   */
  private static final long KEY_OVERHEAD_BYTES = 160;

  /**
   * An estimate of the heap this index holds, in bytes, from counters the writer keeps: {@value
   * #KEY_OVERHEAD_BYTES} plus its length per distinct key, 5 per postings entry (4, and a quarter
   * for the arrays' spare room), 32 per event (its effective time, 8, and its slot in the id set,
   * at most half full: 24), and the recorded-time groups. Readable from any thread.
   */
  long estimatedBytes() {
    long events = revision - base; // read first: the counters below are at least as new
    return keyBytes + postingsEntries * 5 + events * 32 + 16L * recordedNanos.length;
  }

  static long nanos(Instant t) {
    // Saturates outside 1677..2262: new events are refused there (EventTime.MAX_ACCEPTED), so a
    // clamped query bound still orders correctly against every stored time.
    if (t.isAfter(EventTime.MAX_ACCEPTED)) {
      return Long.MAX_VALUE;
    }
    if (t.isBefore(EventTime.MIN_ACCEPTED)) {
      return Long.MIN_VALUE;
    }
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }
}
