package io.evidentsource.core.index;

import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.EventTime;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.selector.Attribute;
import io.evidentsource.core.selector.EventSelector;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The index of one database generation: postings of revisions per stream, subject, type and tag in
 * sorted maps (so prefix selectors walk a key range), events without a subject, the effective time
 * of each revision, the recorded time of each transaction and a hash of each (source, id).
 *
 * <p>One writer extends it in revision order ({@link IndexManager} holds the lock); readers take a
 * {@link IndexSnapshot} bounded by a revision and never see later entries.
 */
public final class DatabaseIndex {
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

  DatabaseIndex(DatabaseName database, long generation) {
    this.database = database;
    this.generation = generation;
  }

  /** The database this index belongs to. */
  public DatabaseName database() {
    return database;
  }

  /** The database generation this index belongs to. */
  public long generation() {
    return generation;
  }

  /** The highest revision indexed. */
  public long revision() {
    return revision;
  }

  /** The recorded time of the highest revision indexed, or null when nothing is indexed. */
  public @Nullable Instant lastRecordedTime() {
    int n = recordedCount;
    return n == 0 ? null : Instant.ofEpochSecond(0, recordedNanos[n - 1]);
  }

  /** A read view bounded by {@code atRevision} (≤ {@link #revision()}). */
  public IndexSnapshot snapshot(long atRevision) {
    if (atRevision > revision) {
      throw new IllegalArgumentException(
          "index of " + database + " is at " + revision + ", asked for " + atRevision);
    }
    return new IndexSnapshot(this, atRevision);
  }

  /** Adds the next events; their revisions must continue the index densely. Writer only. */
  void apply(List<StoredEvent> events) {
    apply(events, null);
  }

  /**
   * Adds the next events whose {@link #idHash} values the caller computed already (one per event,
   * in order), or null to compute them here. Writer only.
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
      postings(streamsByKey, streams, e.source()).add(r);
      postings(typesByKey, types, e.type()).add(r);
      if (e.subject() == null) {
        noSubject.add(r);
      } else {
        postings(subjectsByKey, subjects, e.subject()).add(r);
      }
      if (!e.extensions().isEmpty()) {
        for (String tag : e.tags()) {
          postings(tagsByKey, tags, tag).add(r);
        }
      }
      effectiveNanos.set(r, nanos(stored.effectiveTime()));
      recordTime(r, nanos(stored.recordedTime()));
      ids.put(idHashes != null ? idHashes[k] : IdSet.hash(e.source(), e.id()), r);
      revision = r;
    }
  }

  /** Revisions that may hold an event with this (source, id); verify against the event. */
  public long[] idCandidates(String source, String id) {
    return ids.candidates(IdSet.hash(source, id));
  }

  /** The 64-bit hash of (source, id) the duplicate check uses. */
  public static long idHash(String source, String id) {
    return IdSet.hash(source, id);
  }

  /** Revisions that may hold an event whose {@link #idHash} is {@code hash}. Writer only. */
  public long[] idCandidates(long hash) {
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
    return effectiveNanos.get(revision);
  }

  /** A cursor over the revisions ≤ bound matching {@code selector}. */
  Cursor cursor(EventSelector selector, long bound, boolean forward) {
    return selector.match(
        any -> new AllCursor(bound, forward),
        equals -> equalsCursor(equals, bound, forward),
        startsWith -> prefixCursor(startsWith.attribute(), startsWith.prefix(), bound, forward),
        and -> combine(and.selectors(), bound, forward, AndCursor::new),
        or -> combine(or.selectors(), bound, forward, cs -> new OrCursor(cs, forward)));
  }

  private Cursor equalsCursor(EventSelector.Equals equals, long bound, boolean forward) {
    if (equals.value() == null) {
      return noSubject.cursor(bound, forward);
    }
    Postings p = map(equals.attribute()).get(equals.value());
    return p == null ? Cursor.empty() : p.cursor(bound, forward);
  }

  /** One child's cursor as it is, several merged by {@code merge} (intersection or union). */
  private Cursor combine(
      List<EventSelector> children,
      long bound,
      boolean forward,
      Function<List<Cursor>, Cursor> merge) {
    var cs = new ArrayList<Cursor>(children.size());
    for (var s : children) {
      cs.add(cursor(s, bound, forward));
    }
    return cs.size() == 1 ? cs.get(0) : merge.apply(cs);
  }

  private Cursor prefixCursor(Attribute attribute, String prefix, long bound, boolean forward) {
    var keys = map(attribute).tailMap(prefix, true);
    var lists = new ArrayList<Postings>();
    for (Map.Entry<String, Postings> e : keys.entrySet()) {
      if (!e.getKey().startsWith(prefix)) {
        break;
      }
      lists.add(e.getValue());
    }
    if (lists.isEmpty()) {
      return Cursor.empty();
    }
    if (lists.size() == 1) {
      return lists.get(0).cursor(bound, forward);
    }
    var cs = new ArrayList<Cursor>(lists.size());
    for (var p : lists) {
      cs.add(p.cursor(bound, forward));
    }
    // A tag prefix may match an event through two tags; both merges return each revision once.
    return lists.size() <= 8 ? new OrCursor(cs, forward) : new HeapOrCursor(cs, forward);
  }

  private ConcurrentSkipListMap<String, Postings> map(Attribute attribute) {
    return switch (attribute) {
      case STREAM -> streams;
      case SUBJECT -> subjects;
      case EVENT_TYPE -> types;
      case TAG -> tags;
    };
  }

  private static Postings postings(
      Map<String, Postings> byKey, ConcurrentSkipListMap<String, Postings> sorted, String key) {
    Postings p = byKey.get(key);
    if (p == null) {
      p = new Postings();
      byKey.put(key, p);
      sorted.put(key, p); // published to readers only once it exists
    }
    return p;
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
