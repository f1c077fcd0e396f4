package io.evidentsource.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * An API key and the keys file that admits it ({@code evidentsource.security.api-keys-file}: one
 * {@code name sha256 scope,...} line per key), as the {@code prod} profile requires.
 *
 * @param key the key clients send ({@code Authorization: Bearer <key>})
 * @param file the keys file
 */
record ApiKeys(String key, Path file) {

  /** A fresh admin key in a new keys file. */
  static ApiKeys admin(String name) {
    byte[] random = new byte[24];
    new SecureRandom().nextBytes(random);
    String key = HexFormat.of().formatHex(random);
    try {
      Path file = Repo.work("keys").resolve(name + ".keys");
      Files.writeString(file, name + " " + sha256(key) + " admin\n", StandardCharsets.UTF_8);
      return new ApiKeys(key, file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String sha256(String key) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
