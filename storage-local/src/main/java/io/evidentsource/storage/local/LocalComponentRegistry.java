package io.evidentsource.storage.local;

import io.evidentsource.core.component.ComponentDefinition;
import io.evidentsource.core.component.ComponentId;
import io.evidentsource.core.component.ComponentKind;
import io.evidentsource.core.component.ComponentRegistry;
import io.evidentsource.core.component.ModuleDigest;
import io.evidentsource.core.component.PublishedComponent;
import io.evidentsource.core.component.QueryTemporality;
import io.evidentsource.core.component.StateChangeDefinition;
import io.evidentsource.core.component.StateViewDefinition;
import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.selector.SelectorText;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.rocksdb.RocksIterator;

/**
 * Published components in a {@link LocalStorage} directory: one record per version in the {@code
 * components} column family, keyed {@code {database} 0x00 {generation:8} {kind:1} {name} 0x00
 * {version:4}} (component names hold no 0x00, so a name's versions sort together and ascending),
 * and the module bytes once per SHA-256 in {@code modules}. A publish writes both in one synced
 * batch, so a visible version always has its module. Versions are numbered under one lock: this
 * process is the directory's only writer.
 *
 * <p>{@link #forget} deletes the records of every deleted generation of the database, never those
 * of the live database or of one created meanwhile; module bytes stay (another database may share
 * them).
 */
public final class LocalComponentRegistry implements ComponentRegistry {
  private static final int VERSION = 1;

  private final LocalStorage store;
  private final Object publishLock = new Object();

  private final LocalStorageAdapter catalog;

  LocalComponentRegistry(LocalStorage store, LocalStorageAdapter catalog) {
    this.store = store;
    this.catalog = catalog;
  }

  @Override
  public <D extends ComponentDefinition> PublishedComponent<D> add(
      DatabaseName database,
      long generation,
      ComponentKind<D> kind,
      D definition,
      byte[] module,
      Instant createdAt) {
    String digest = ModuleDigest.sha256Hex(module);
    byte[] namePrefix = namePrefix(database, generation, kind, definition.name());
    store.recoverIfBroken();
    synchronized (publishLock) {
      var latest = latest(namePrefix);
      int version = latest == null ? 1 : versionOf(latest) + 1;
      var published =
          new PublishedComponent<>(
              new ComponentId(database, generation, kind, definition.name(), version),
              definition,
              createdAt,
              module.length,
              digest);
      byte[] value = encode(kind, published);
      store.write(
          "publish " + published.id(),
          batch -> {
            batch.put(store.modules, Codec.utf8(digest), module);
            batch.put(store.components, key(namePrefix, version), value);
          });
      return published;
    }
  }

  @Override
  public <D extends ComponentDefinition> Optional<PublishedComponent<D>> find(
      DatabaseName database,
      long generation,
      ComponentKind<D> kind,
      String name,
      @Nullable Integer version) {
    byte[] namePrefix = namePrefix(database, generation, kind, name);
    byte[] value;
    if (version == null) {
      var latest = latest(namePrefix);
      value = latest == null ? null : latest[1];
    } else if (version < 1) {
      return Optional.empty();
    } else {
      byte[] key = key(namePrefix, version);
      value = store.read("read component " + name, db -> db.get(store.components, key));
    }
    return value == null
        ? Optional.empty()
        : Optional.of(decode(database, generation, kind, value));
  }

  @Override
  public <D extends ComponentDefinition> List<PublishedComponent<D>> versions(
      DatabaseName database, long generation, ComponentKind<D> kind, String name) {
    return scan(namePrefix(database, generation, kind, name), database, generation, kind);
  }

  @Override
  public <D extends ComponentDefinition> List<PublishedComponent<D>> list(
      DatabaseName database, long generation, ComponentKind<D> kind) {
    return scan(kindPrefix(database, generation, kind), database, generation, kind);
  }

  @Override
  public Optional<byte[]> module(ComponentId id) {
    var published = find(id.database(), id.generation(), id.kind(), id.name(), id.version());
    if (published.isEmpty()) {
      return Optional.empty();
    }
    String digest = published.get().moduleSha256();
    byte[] bytes =
        store.read("read the module of " + id, db -> db.get(store.modules, Codec.utf8(digest)));
    if (bytes == null || !ModuleDigest.sha256Hex(bytes).equals(digest)) {
      throw new EvidentSourceException(
          ErrorCode.INTERNAL,
          "the module of "
              + id
              + " is "
              + (bytes == null ? "missing from " : "damaged in ")
              + store.dataDir()
              + " (SHA-256 "
              + digest
              + ")",
          Map.of("component", id.toString()));
    }
    return Optional.of(bytes);
  }

  /**
   * Deletes the records of every generation of the database below {@link
   * LocalStorageAdapter#firstKeptGeneration}: all of them are deleted databases. The components of
   * a database created under the name since the delete (even between the delete and this call)
   * stay.
   */
  @Override
  public void forget(DatabaseName database) {
    store.recoverIfBroken();
    byte[] from = LocalStorageAdapter.prefix(database, 0);
    byte[] to = LocalStorageAdapter.prefix(database, catalog.firstKeptGeneration(database));
    synchronized (publishLock) {
      store.write(
          "forget the components of the deleted generations of database '" + database + "'",
          batch -> batch.deleteRange(store.components, from, to));
    }
  }

  private static byte[] kindPrefix(DatabaseName database, long generation, ComponentKind<?> kind) {
    byte[] p = LocalStorageAdapter.prefix(database, generation);
    return ByteBuffer.allocate(p.length + 1).put(p).put(kindByte(kind)).array();
  }

  private static byte[] namePrefix(
      DatabaseName database, long generation, ComponentKind<?> kind, String name) {
    byte[] k = kindPrefix(database, generation, kind);
    byte[] n = Codec.utf8(name);
    return ByteBuffer.allocate(k.length + n.length + 1).put(k).put(n).put((byte) 0).array();
  }

  private static byte[] key(byte[] namePrefix, int version) {
    return ByteBuffer.allocate(namePrefix.length + 4).put(namePrefix).putInt(version).array();
  }

  private static byte kindByte(ComponentKind<?> kind) {
    return kind == ComponentKind.STATE_VIEW ? (byte) 'v' : (byte) 'c';
  }

  private static int versionOf(byte[][] entry) {
    byte[] key = entry[0];
    return ByteBuffer.wrap(key, key.length - 4, 4).getInt();
  }

  /** The key and value of the highest version under a name prefix, or null. */
  private byte @Nullable [][] latest(byte[] namePrefix) {
    byte[] upper = key(namePrefix, -1); // 0xFFFFFFFF: above every version
    return store.read(
        "read the components",
        db -> {
          try (RocksIterator it = db.newIterator(store.components)) {
            it.seekForPrev(upper);
            if (it.isValid() && startsWith(it.key(), namePrefix)) {
              return new byte[][] {it.key(), it.value()};
            }
            it.status();
            return null;
          }
        });
  }

  private <D extends ComponentDefinition> List<PublishedComponent<D>> scan(
      byte[] prefix, DatabaseName database, long generation, ComponentKind<D> kind) {
    var out = new ArrayList<PublishedComponent<D>>();
    store.read(
        "read the components",
        db -> {
          try (RocksIterator it = db.newIterator(store.components)) {
            for (it.seek(prefix); it.isValid() && startsWith(it.key(), prefix); it.next()) {
              out.add(decode(database, generation, kind, it.value()));
            }
            it.status();
          }
          return null;
        });
    return List.copyOf(out);
  }

  /**
   * Format byte, name, version, created at, module size, module SHA-256, optional description; for
   * a state view also content type, optional content schema, selector text and temporality.
   */
  private static byte[] encode(ComponentKind<?> kind, PublishedComponent<?> published) {
    var d = published.definition();
    var out =
        new Codec.Out(256)
            .u8(VERSION)
            .str(d.name())
            .i32(published.version())
            .instant(published.createdAt())
            .i32(published.moduleSize())
            .str(published.moduleSha256())
            .optStr(d.description());
    if (kind == ComponentKind.STATE_VIEW) {
      var view = ComponentKind.STATE_VIEW.definitionType().cast(d);
      out.str(view.contentType())
          .optStr(view.contentSchema())
          .str(SelectorText.format(view.selector()))
          .str(view.temporality().jsonName());
    }
    return out.toBytes();
  }

  private static <D extends ComponentDefinition> PublishedComponent<D> decode(
      DatabaseName database, long generation, ComponentKind<D> kind, byte[] value) {
    var in = new Codec.In(value);
    int format = in.u8();
    if (format != VERSION) {
      throw new IllegalStateException("component record has unknown format " + format);
    }
    String name = in.str();
    int version = in.i32();
    Instant createdAt = in.instant();
    int size = in.i32();
    String digest = in.str();
    String description = in.optStr();
    ComponentDefinition definition =
        kind == ComponentKind.STATE_VIEW
            ? new StateViewDefinition(
                name,
                description,
                in.str(),
                in.optStr(),
                SelectorText.parse(in.str()),
                QueryTemporality.fromJson(in.str()))
            : new StateChangeDefinition(name, description);
    return new PublishedComponent<>(
        new ComponentId(database, generation, kind, name, version),
        kind.definitionType().cast(definition),
        createdAt,
        size,
        digest);
  }

  private static boolean startsWith(byte[] key, byte[] prefix) {
    return key.length >= prefix.length
        && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
  }
}
