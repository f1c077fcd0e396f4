package io.evidentsource.storage.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** A data directory in a fresh temporary directory, opened once per test class. */
final class LocalFixture {
  private LocalFixture() {}

  static Path tempDir(String prefix) {
    try {
      return Files.createTempDirectory("evidentsource-" + prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static LocalStorage open(Path dir) {
    return LocalStorage.open(LocalStorageOptions.of(dir));
  }

  static void delete(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
