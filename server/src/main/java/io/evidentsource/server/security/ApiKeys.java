package io.evidentsource.server.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The known API keys: those of {@code evidentsource.security.api-keys} and those of {@code
 * api-keys-file}, which is read again whenever its modification time or size changes (checked on
 * each authentication, a single file-system call), so a key is added or revoked without a restart.
 * Only SHA-256 hashes are held; a presented key is hashed and compared with every known hash in
 * constant time ({@link MessageDigest#isEqual}), without stopping at the first match.
 */
public final class ApiKeys {
  private static final Logger log = LoggerFactory.getLogger(ApiKeys.class);
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@-]{1,128}");
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  /** One key: its name, the SHA-256 of its text, its scopes. */
  @SuppressWarnings("ArrayRecordComponent") // compared with MessageDigest.isEqual, never equals
  record Entry(String name, byte[] sha256, List<Scope> scopes) {}

  private record FileState(Object stamp, List<Entry> entries) {}

  private final List<Entry> configured;
  private final @Nullable Path file;
  private volatile @Nullable FileState fileState;

  /**
   * Reads the configured keys and the file.
   *
   * @throws IllegalArgumentException when a key is malformed or the file cannot be read, naming the
   *     property or the file's line
   */
  public ApiKeys(SecurityProperties properties) {
    var entries = new ArrayList<Entry>();
    for (int i = 0; i < properties.apiKeys().size(); i++) {
      var key = properties.apiKeys().get(i);
      String where = "evidentsource.security.api-keys[" + i + "]";
      entries.add(
          entry(
              key.name(), key.sha256(), key.scopes().stream().map(String::strip).toList(), where));
    }
    this.configured = List.copyOf(entries);
    this.file = properties.apiKeysFile();
    if (file != null) {
      fileState = read(file);
    }
    checkUniqueNames(all());
  }

  /** How many keys are known now. */
  public int size() {
    return all().size();
  }

  /** The names of the keys known now (never their hashes). */
  public List<String> names() {
    return all().stream().map(Entry::name).toList();
  }

  /** The caller a presented key belongs to, or empty when no known key matches. */
  public Optional<Caller> authenticate(String presentedKey) {
    byte[] hash = sha256(presentedKey);
    Entry found = null;
    for (Entry e : all()) {
      if (MessageDigest.isEqual(e.sha256(), hash) && found == null) {
        found = e;
      }
    }
    return found == null ? Optional.empty() : Optional.of(new Caller(found.name(), found.scopes()));
  }

  /**
   * The caller of a signed-in session: the key of this name whose hash is still {@code sha256}
   * (compared in constant time), or empty once the key is removed or replaced.
   */
  Optional<Caller> sessionCaller(String name, byte[] sha256) {
    for (Entry e : all()) {
      if (e.name().equals(name) && MessageDigest.isEqual(e.sha256(), sha256)) {
        return Optional.of(new Caller(e.name(), e.scopes()));
      }
    }
    return Optional.empty();
  }

  private List<Entry> all() {
    List<Entry> fromFile = currentFile();
    if (fromFile.isEmpty()) {
      return configured;
    }
    var all = new ArrayList<Entry>(configured);
    all.addAll(fromFile);
    return all;
  }

  private List<Entry> currentFile() {
    Path f = file;
    FileState state = fileState;
    if (f == null || state == null) {
      return List.of();
    }
    Object stamp;
    try {
      stamp = stamp(f);
    } catch (IOException e) {
      log.error(
          "cannot read the API keys file {} ({}); keeping the {} keys read before",
          f,
          e.toString(),
          state.entries().size());
      return state.entries();
    }
    if (stamp.equals(state.stamp())) {
      return state.entries();
    }
    synchronized (this) {
      state = fileState;
      if (state != null && stamp.equals(state.stamp())) {
        return state.entries();
      }
      try {
        FileState next = read(f);
        var names = new ArrayList<Entry>(configured);
        names.addAll(next.entries());
        checkUniqueNames(names);
        fileState = next;
        log.info("read {} API keys from {}: {}", next.entries().size(), f, namesOf(next));
        return next.entries();
      } catch (RuntimeException e) {
        log.error(
            "the changed API keys file {} is invalid ({}); keeping the {} keys read before",
            f,
            e.getMessage(),
            state == null ? 0 : state.entries().size());
        return state == null ? List.of() : state.entries();
      }
    }
  }

  private static List<String> namesOf(FileState state) {
    return state.entries().stream().map(Entry::name).toList();
  }

  private static Object stamp(Path f) throws IOException {
    var attributes = Files.readAttributes(f, BasicFileAttributes.class);
    return List.of(attributes.lastModifiedTime(), attributes.size());
  }

  private static FileState read(Path f) {
    try {
      Object stamp = stamp(f);
      var entries = new ArrayList<Entry>();
      List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
      for (int n = 0; n < lines.size(); n++) {
        String line = lines.get(n).strip();
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        String where = f + " line " + (n + 1);
        String[] parts = line.split("\\s+", -1);
        if (parts.length != 3) {
          throw new IllegalArgumentException(
              where
                  + ": expected 'name sha256 scope,scope,...', found "
                  + parts.length
                  + " fields");
        }
        entries.add(
            entry(
                parts[0],
                parts[1],
                List.of(parts[2].split(",")).stream().map(String::strip).toList(),
                where));
      }
      return new FileState(stamp, List.copyOf(entries));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read evidentsource.security.api-keys-file " + f + ": " + e, e);
    }
  }

  private static Entry entry(
      @Nullable String name, @Nullable String sha256, List<String> scopes, String where) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          where + ": the key name must be 1-128 of A-Z a-z 0-9 . _ @ -, was '" + name + "'");
    }
    if (name.equals("anonymous")) {
      throw new IllegalArgumentException(
          where
              + ": 'anonymous' is the principal of requests without a key; name the key otherwise");
    }
    if (sha256 == null || !SHA256.matcher(sha256).matches()) {
      throw new IllegalArgumentException(
          where
              + " ("
              + name
              + "): sha256 must be the lower-case hex SHA-256 of the key (64 characters), e.g."
              + " from: printf %s \"$KEY\" | sha256sum");
    }
    if (scopes.isEmpty() || scopes.stream().allMatch(String::isEmpty)) {
      throw new IllegalArgumentException(
          where + " (" + name + "): the key needs at least one scope");
    }
    var parsed = new ArrayList<Scope>();
    for (String s : scopes) {
      try {
        parsed.add(Scope.parse(s));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + " (" + name + "): " + e.getMessage(), e);
      }
    }
    return new Entry(name, HexFormat.of().parseHex(sha256), List.copyOf(parsed));
  }

  private static void checkUniqueNames(List<Entry> entries) {
    var seen = new HashSet<String>();
    for (Entry e : entries) {
      if (!seen.add(e.name())) {
        throw new IllegalArgumentException(
            "two API keys are named '" + e.name() + "'; a key's name is its principal, so unique");
      }
    }
  }

  /** The SHA-256 of the key's UTF-8 bytes, as stored in configuration (in hex). */
  static byte[] sha256(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }
}
