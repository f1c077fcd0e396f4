package io.evidentsource.server.rest;

import io.evidentsource.core.EventStore;
import io.evidentsource.core.command.RecordedTransaction;
import io.evidentsource.core.command.Transaction;
import io.evidentsource.core.command.TransactionOrigin;
import io.evidentsource.core.command.TransactionResult;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.DatabaseInfo;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.EventValidator;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.json.CloudEventJson;
import io.evidentsource.server.config.EvidentSourceProperties;
import io.evidentsource.server.request.BodyLimits;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Bulk load of CloudEvents NDJSON (one structured-mode event per line, blank lines ignored).
 *
 * <p>First every line is parsed and validated (JSON syntax, the CloudEvents format, the core
 * validator, duplicate id/source pairs within the file and ids already stored in the database)
 * while the body is spooled to a temporary file, so a bad line is reported with its 1-based {@code
 * line} number before anything is stored. Then the events are appended in order, in transactions of
 * {@code max-batch-events}. Each transaction is atomic but the load as a whole is not: if an append
 * still fails (for example a concurrent writer stored one of the ids in the meantime), the error
 * says how many events were stored before it ({@code stored_event_count}) and on which line the
 * failing batch starts or fails.
 *
 * <p>In {@link Mode#RESTORE} the body is an NDJSON export of a whole database (each line with the
 * server's {@code revision} and {@code recordedtime}) and the database must be empty: revisions
 * must run 1, 2, 3, ... and recorded times must not decrease, and consecutive events with the same
 * recorded time are appended as one transaction (split only when longer than {@code
 * max-batch-events}) with that recorded time, so the database ends up answering every query, also
 * {@code as_of_transaction_time}, as the exported one did (docs/rest.md#restoring-an-export).
 */
final class NdjsonBulkLoader {
  private static final String LIMIT_NAME = "evidentsource.max-bulk-bytes";

  private final EventStore store;
  private final long maxBodyBytes;
  private final int maxLineBytes;
  private final int batchSize;

  NdjsonBulkLoader(EventStore store, EvidentSourceProperties properties) {
    this.store = store;
    this.maxBodyBytes = properties.maxBulkBytes().toBytes();
    this.maxLineBytes = (int) properties.maxRequestBytes().toBytes();
    this.batchSize = properties.maxBatchEvents();
  }

  /** How the lines are appended. */
  enum Mode {
    /** New events: the server gives them revisions and recorded times. */
    APPEND,
    /** An export: each line keeps its {@code revision} and {@code recordedtime}. */
    RESTORE
  }

  /** Validates and appends the NDJSON body of {@code in}. */
  WireJson.BulkLoad load(
      DatabaseName database, InputStream in, TransactionOrigin origin, Mode mode) {
    DatabaseInfo info = store.database(database); // 404 before reading the body
    if (mode == Mode.RESTORE && info.revision() > 0) {
      throw new EvidentSourceException(
          ErrorCode.DATABASE_NOT_EMPTY,
          "database '"
              + database
              + "' holds "
              + info.revision()
              + " events; mode=restore keeps the revisions of the export and needs an empty"
              + " database (create a new one, or delete and re-create this one); nothing was"
              + " stored",
          Map.of("database", database.value(), "revision", info.revision()));
    }
    Path spool;
    try {
      spool = SpoolFiles.create();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a spool file for the bulk load", e);
    }
    try {
      int count;
      try {
        count = validateAndSpool(database, in, spool, mode);
      } catch (EvidentSourceException e) {
        if (!LIMIT_NAME.equals(e.fields().get("limit_name"))) {
          drain(in); // so that the client, still sending, gets to read the answer
        }
        throw e;
      }
      if (count == 0) {
        throw new EvidentSourceException(
            ErrorCode.EMPTY_TRANSACTION,
            "the NDJSON body holds no events; send one CloudEvent JSON object per line");
      }
      return mode == Mode.RESTORE
          ? restore(database, spool, origin)
          : append(database, spool, origin);
    } finally {
      try {
        Files.deleteIfExists(spool);
      } catch (IOException e) {
        spool.toFile().deleteOnExit();
      }
    }
  }

  private void drain(InputStream in) {
    try {
      long skipped = 0;
      byte[] sink = new byte[64 * 1024];
      int n;
      while (skipped <= maxBodyBytes && (n = in.read(sink)) != -1) {
        skipped += n;
      }
    } catch (IOException e) {
      // the client went away; the error response may not reach it either
    }
  }

  private int validateAndSpool(DatabaseName database, InputStream body, Path spool, Mode mode) {
    EventValidator validator = store.validator();
    var firstLineOf = new HashMap<String, Integer>();
    int count = 0;
    Instant lastRecorded = null;
    var lines = new LineReader(body, maxLineBytes, maxBodyBytes);
    try (var out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(spool)))) {
      byte[] line;
      while ((line = lines.next()) != null) {
        int lineNumber = lines.lineNumber();
        if (isBlank(line)) {
          continue;
        }
        Event event;
        StoredEvent exported = null;
        try {
          if (mode == Mode.RESTORE) {
            exported = CloudEventJson.readStoredEvent(line);
            event = exported.event();
          } else {
            event = CloudEventJson.readEvent(line);
          }
          validator.validate(event);
        } catch (EvidentSourceException e) {
          throw atLine(
              e,
              lineNumber,
              mode == Mode.APPEND && e.code() == ErrorCode.RESERVED_ATTRIBUTE
                  ? " (an NDJSON export restores with its revisions and recorded times into an"
                      + " empty database with ?mode=restore)"
                  : "");
        }
        if (exported != null) {
          checkRestoreOrder(exported, count + 1, lastRecorded, lineNumber);
          lastRecorded = exported.recordedTime();
        }
        Integer first = firstLineOf.putIfAbsent(event.source() + '\u0000' + event.id(), lineNumber);
        if (first != null) {
          throw duplicateId(event, lineNumber, "first_line", first, "is already on line " + first);
        }
        long stored = store.storedRevisionOf(database, event.source(), event.id());
        if (stored > 0) {
          throw duplicateId(
              event,
              lineNumber,
              "existing_revision",
              stored,
              "is already stored at revision " + stored);
        }
        out.writeInt(lineNumber);
        out.writeInt(line.length);
        out.write(line);
        count++;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading the bulk-load body failed", e);
    }
    return count;
  }

  /** Throws {@code RESTORE_OUT_OF_ORDER} unless an exported line continues the ones before it. */
  private static void checkRestoreOrder(
      StoredEvent exported, long expectedRevision, @Nullable Instant lastRecorded, int line) {
    var fields = new LinkedHashMap<String, Object>();
    fields.put("line", line);
    if (exported.revision() != expectedRevision) {
      fields.put("attribute", CloudEventJson.REVISION);
      fields.put("expected_revision", expectedRevision);
      fields.put("actual_revision", exported.revision());
      throw new EvidentSourceException(
          ErrorCode.RESTORE_OUT_OF_ORDER,
          "line "
              + line
              + ": revision "
              + exported.revision()
              + " where "
              + expectedRevision
              + " was expected; a restore takes the export of a whole database, revisions"
              + " 1, 2, 3, ... in order; nothing was stored",
          fields);
    }
    if (lastRecorded != null && exported.recordedTime().isBefore(lastRecorded)) {
      fields.put("attribute", CloudEventJson.RECORDED_TIME);
      fields.put("recorded_time", exported.recordedTime().toString());
      fields.put("previous_recorded_time", lastRecorded.toString());
      throw new EvidentSourceException(
          ErrorCode.RESTORE_OUT_OF_ORDER,
          "line "
              + line
              + ": recordedtime "
              + exported.recordedTime()
              + " is before "
              + lastRecorded
              + " on the line before; recorded times must not decrease; nothing was stored",
          fields);
    }
  }

  /**
   * Reads a spool file back in the order it was written: records of a line number ({@code int}) and
   * the line's bytes (an {@code int} length, then the bytes).
   */
  private static final class SpoolReader implements AutoCloseable {
    private final DataInputStream in;
    private int lineNumber;
    private byte[] line = new byte[0];

    SpoolReader(Path spool) {
      try {
        in = new DataInputStream(new BufferedInputStream(Files.newInputStream(spool)));
      } catch (IOException e) {
        throw failed(e);
      }
    }

    /** Moves to the next record; false at the end of the file. */
    boolean next() {
      try {
        lineNumber = in.readInt();
      } catch (EOFException end) {
        return false;
      } catch (IOException e) {
        throw failed(e);
      }
      try {
        line = new byte[in.readInt()];
        in.readFully(line);
        return true;
      } catch (IOException e) {
        throw failed(e);
      }
    }

    /** The current record's line number in the request body, as {@link LineReader} counted it. */
    int lineNumber() {
      return lineNumber;
    }

    /** The current record's line, as the client sent it (UTF-8). */
    byte[] line() {
      return line;
    }

    @Override
    public void close() {
      try {
        in.close();
      } catch (IOException e) {
        throw failed(e);
      }
    }

    private static UncheckedIOException failed(IOException e) {
      return new UncheckedIOException("reading the bulk-load spool file failed", e);
    }
  }

  /** What has been stored so far. */
  private static final class Progress {
    long stored;
    long firstRevision;
    long lastRevision;

    void add(TransactionResult r) {
      if (stored == 0) {
        firstRevision = r.firstRevision();
      }
      lastRevision = r.revision();
      stored += r.eventCount();
    }
  }

  private WireJson.BulkLoad append(DatabaseName database, Path spool, TransactionOrigin origin) {
    var progress = new Progress();
    var batch = new ArrayList<Event>(batchSize);
    var batchLines = new ArrayList<Integer>(batchSize);
    try (var spooled = new SpoolReader(spool)) {
      while (spooled.next()) {
        batch.add(CloudEventJson.readEvent(spooled.line()));
        batchLines.add(spooled.lineNumber());
        if (batch.size() == batchSize) {
          commit(database, batch, batchLines, progress, origin);
          batch.clear();
          batchLines.clear();
        }
      }
    }
    if (!batch.isEmpty()) {
      commit(database, batch, batchLines, progress, origin);
    }
    return new WireJson.BulkLoad(progress.stored, progress.firstRevision, progress.lastRevision);
  }

  private WireJson.BulkLoad restore(DatabaseName database, Path spool, TransactionOrigin origin) {
    var progress = new Progress();
    var batch = new ArrayList<Event>(batchSize);
    var batchLines = new ArrayList<Integer>(batchSize);
    long batchFirst = 1;
    Instant batchTime = null;
    try (var spooled = new SpoolReader(spool)) {
      while (spooled.next()) {
        StoredEvent exported = CloudEventJson.readStoredEvent(spooled.line());
        if (batchTime != null
            && (batch.size() == batchSize || !exported.recordedTime().equals(batchTime))) {
          commitRestored(database, batchFirst, batchTime, batch, batchLines, progress, origin);
          batch.clear();
          batchLines.clear();
        }
        if (batch.isEmpty()) {
          batchFirst = exported.revision();
          batchTime = exported.recordedTime();
        }
        batch.add(exported.event());
        batchLines.add(spooled.lineNumber());
      }
    }
    if (batchTime != null) {
      commitRestored(database, batchFirst, batchTime, batch, batchLines, progress, origin);
    }
    return new WireJson.BulkLoad(progress.stored, progress.firstRevision, progress.lastRevision);
  }

  private void commitRestored(
      DatabaseName database,
      long firstRevision,
      Instant recordedTime,
      List<Event> batch,
      List<Integer> lines,
      Progress progress,
      TransactionOrigin origin) {
    var transaction = new RecordedTransaction(firstRevision, recordedTime, batch, origin);
    commit(lines, progress, () -> store.restore(database, transaction));
  }

  private void commit(
      DatabaseName database,
      List<Event> batch,
      List<Integer> lines,
      Progress progress,
      TransactionOrigin origin) {
    var transaction = Transaction.of(batch).withOrigin(origin);
    commit(lines, progress, () -> store.transact(database, transaction));
  }

  private static void commit(
      List<Integer> lines, Progress progress, Supplier<TransactionResult> append) {
    try {
      progress.add(append.get());
    } catch (EvidentSourceException e) {
      int index = e.fields().get("index") instanceof Integer i ? i : 0;
      int line = lines.get(Math.min(index, lines.size() - 1));
      var fields = new LinkedHashMap<String, Object>(e.fields());
      fields.remove("index");
      fields.put("line", line);
      fields.put("stored_event_count", progress.stored);
      if (progress.stored > 0) {
        fields.put("stored_first_revision", progress.firstRevision);
        fields.put("stored_revision", progress.lastRevision);
      }
      String outcome =
          progress.stored == 0
              ? "nothing was stored"
              : "the "
                  + progress.stored
                  + " events before line "
                  + lines.get(0)
                  + " were stored (revisions "
                  + progress.firstRevision
                  + " to "
                  + progress.lastRevision
                  + "), the rest were not";
      throw new EvidentSourceException(
          e.code(), "line " + line + ": " + e.getMessage() + "; " + outcome, fields, e);
    }
  }

  /** {@code DUPLICATE_EVENT_ID} for the event on {@code line}, naming where its twin is. */
  private static EvidentSourceException duplicateId(
      Event event, int line, String whereField, Object where, String whereText) {
    var fields = new LinkedHashMap<String, Object>();
    fields.put("id", event.id());
    fields.put("source", event.source());
    fields.put("line", line);
    fields.put(whereField, where);
    return new EvidentSourceException(
        ErrorCode.DUPLICATE_EVENT_ID,
        "line "
            + line
            + ": an event with id '"
            + event.id()
            + "' and source '"
            + event.source()
            + "' "
            + whereText
            + "; nothing was stored",
        fields);
  }

  private static EvidentSourceException atLine(EvidentSourceException e, int line, String hint) {
    var fields = new LinkedHashMap<String, Object>(e.fields());
    fields.put("line", line); // the file's line; a JSON error's own line is always 1 here
    String detail =
        e.getMessage()
            .replaceFirst(
                "^the request body is not well-formed JSON at line \\d+, column",
                "not well-formed JSON at column");
    return new EvidentSourceException(
        e.code(), "line " + line + ": " + detail + "; nothing was stored" + hint, fields, e);
  }

  private static boolean isBlank(byte[] line) {
    for (byte b : line) {
      if (b != ' ' && b != '\t' && b != '\r') {
        return false;
      }
    }
    return true;
  }

  /** Splits a byte stream at {@code \n}, enforcing a line and a total size limit. */
  private static final class LineReader {
    private final InputStream in;
    private final int maxLine;
    private final long maxTotal;
    private final byte[] buffer = new byte[64 * 1024];
    private int pos;
    private int end;
    private long total;
    private int lineNumber;
    private boolean eof;

    LineReader(InputStream in, int maxLine, long maxTotal) {
      this.in = in;
      this.maxLine = maxLine;
      this.maxTotal = maxTotal;
    }

    int lineNumber() {
      return lineNumber;
    }

    /** The next line without its terminator (and without a trailing CR), or null at the end. */
    byte @Nullable [] next() throws IOException {
      byte[] line = new byte[256];
      int length = 0;
      while (true) {
        if (pos == end) {
          if (eof || !fill()) {
            if (length == 0 && eof) {
              return null;
            }
            lineNumber++;
            return trim(line, length);
          }
        }
        int start = pos;
        while (pos < end && buffer[pos] != '\n') {
          pos++;
        }
        int chunk = pos - start;
        if (length + chunk > maxLine) {
          throw lineTooLong(lineNumber + 1);
        }
        if (length + chunk > line.length) {
          line = Arrays.copyOf(line, Math.max(line.length * 2, length + chunk));
        }
        System.arraycopy(buffer, start, line, length, chunk);
        length += chunk;
        if (pos < end) { // found '\n'
          pos++;
          lineNumber++;
          return trim(line, length);
        }
      }
    }

    private boolean fill() throws IOException {
      int n = in.read(buffer);
      if (n <= 0) {
        eof = true;
        return false;
      }
      total += n;
      if (total > maxTotal) {
        throw BodyLimits.tooLarge(maxTotal, LIMIT_NAME, null);
      }
      pos = 0;
      end = n;
      return true;
    }

    private static byte[] trim(byte[] line, int length) {
      int n = length > 0 && line[length - 1] == '\r' ? length - 1 : length;
      return Arrays.copyOf(line, n);
    }

    private EvidentSourceException lineTooLong(int line) {
      var fields = new LinkedHashMap<String, Object>();
      fields.put("line", line);
      fields.put("limit", maxLine);
      fields.put("limit_name", "evidentsource.max-request-bytes");
      return new EvidentSourceException(
          ErrorCode.BODY_TOO_LARGE,
          "line "
              + line
              + " is longer than the limit evidentsource.max-request-bytes ("
              + maxLine
              + " bytes) for one event; nothing was stored",
          fields);
    }
  }
}
