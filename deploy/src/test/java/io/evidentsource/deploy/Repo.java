package io.evidentsource.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Paths of the repository under test, as the build passes them (see this module's POM). */
final class Repo {
  private Repo() {}

  /** The repository root. */
  static Path root() {
    return Path.of(required("evidentsource.repository")).toAbsolutePath().normalize();
  }

  /** A file or directory of the repository, e.g. {@code docker/Dockerfile}. */
  static Path path(String relative) {
    return root().resolve(relative);
  }

  /** The server's Spring Boot jar, as {@code ./mvnw package} builds it. */
  static Path serverJar() {
    Path jar = Path.of(required("evidentsource.server.jar")).toAbsolutePath().normalize();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar + " is missing: build the server first (./mvnw verify builds it before this module)");
    }
    return jar;
  }

  /** A scratch directory under this module's {@code target/}, created if missing. */
  static Path work(String name) {
    Path dir = Path.of(required("evidentsource.work")).resolve(name);
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String required(String property) {
    String value = System.getProperty(property);
    if (value == null) {
      throw new IllegalStateException(
          "system property " + property + " is not set; run these tests through Maven");
    }
    return value;
  }
}
