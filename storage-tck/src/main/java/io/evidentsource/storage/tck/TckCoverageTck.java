package io.evidentsource.storage.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.core.port.StorageCapabilities;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The meta-test every adapter module runs once: its test classes extend every suite its
 * capabilities call for ({@link TckSuite#requiredFor}). It looks at the compiled test classes next
 * to the subclass (the module's {@code target/test-classes}), so leaving a suite out fails the
 * build instead of silently skipping it.
 */
public abstract class TckCoverageTck {

  /** The capabilities of the storage as the adapter's module assembles it. */
  protected abstract StorageCapabilities capabilities();

  @Test
  void the_adapters_tests_run_every_suite_its_capabilities_call_for() {
    List<Class<?>> tests = concreteClassesBeside(getClass());
    List<String> missing = new ArrayList<>();
    for (TckSuite suite : TckSuite.requiredFor(capabilities())) {
      boolean runs = tests.stream().anyMatch(c -> suite.suite().isAssignableFrom(c));
      if (!runs) {
        missing.add(suite + " (" + suite.suite().getSimpleName() + ")");
      }
    }
    assertThat(missing)
        .as(
            "suites a storage with %s must run, but no test class of %s extends them",
            capabilities(), getClass().getPackageName())
        .isEmpty();
  }

  @Test
  void every_suite_of_the_kit_is_in_the_capability_table() {
    List<Class<?>> kit = classesBeside(TckSuite.class);
    List<String> suites =
        kit.stream()
            .filter(c -> Modifier.isAbstract(c.getModifiers()) && c.getSimpleName().endsWith("Tck"))
            .filter(c -> c != TckCoverageTck.class)
            .map(Class::getSimpleName)
            .sorted()
            .toList();
    List<String> listed =
        Arrays.stream(TckSuite.values()).map(s -> s.suite().getSimpleName()).sorted().toList();
    assertThat(listed).as("TckSuite lists every abstract *Tck of storage-tck").isEqualTo(suites);
  }

  /** Concrete classes compiled into the same classes directory or jar as {@code anchor}. */
  private static List<Class<?>> concreteClassesBeside(Class<?> anchor) {
    return classesBeside(anchor).stream()
        .filter(c -> !Modifier.isAbstract(c.getModifiers()) && !c.isInterface())
        .toList();
  }

  /** Every class compiled into the same classes directory or jar as {@code anchor}. */
  private static List<Class<?>> classesBeside(Class<?> anchor) {
    Path location;
    try {
      location = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot locate the classes of " + anchor, e);
    }
    if (Files.isDirectory(location)) {
      return load(location, anchor.getClassLoader());
    }
    try (FileSystem jar = FileSystems.newFileSystem(location)) {
      return load(jar.getPath("/"), anchor.getClassLoader());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Class<?>> load(Path root, ClassLoader loader) {
    try (Stream<Path> files = Files.walk(root)) {
      return files
          .filter(p -> p.toString().endsWith(".class"))
          .map(p -> className(root, p))
          .filter(n -> !n.endsWith("package-info") && !n.equals("module-info"))
          .map(n -> load(n, loader))
          .flatMap(Optional::stream)
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String className(Path root, Path file) {
    String relative = root.relativize(file).toString().replace('\\', '/');
    return relative.substring(0, relative.length() - ".class".length()).replace('/', '.');
  }

  private static Optional<Class<?>> load(String name, ClassLoader loader) {
    try {
      return Optional.of(Class.forName(name, false, loader));
    } catch (ClassNotFoundException | LinkageError e) {
      return Optional.empty(); // not loadable here (an optional dependency missing): no suite
    }
  }
}
