package io.evidentsource.deploy;

import static java.nio.file.StandardCopyOption.REPLACE_EXISTING;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The image of {@code docker/Dockerfile}, laid out on disk without a container engine: the {@code
 * build} stage's jar is the one the Maven reactor built; the {@code layers} stage's {@code RUN}
 * runs here as written (the jar extracted into Spring Boot's layers); the image's {@code COPY}
 * instructions are replayed, in order, into a directory that stands for the container's root. A
 * server then starts from it with the image's {@code ENTRYPOINT}, working directory and {@code ENV}
 * ({@link #start}).
 *
 * <p>Not replayed: the image's own {@code RUN} (creating its user and directories, which needs root
 * inside a Linux image) and the base image's contents (its JRE: the tests' JDK stands in, of the
 * same major version).
 */
final class ContainerImage {
  private static final Pattern COPY =
      Pattern.compile("(?<options>(?:--\\S+\\s+)*)(?<source>\\S+)\\s+(?<target>\\S+)");
  private static ContainerImage extracted;

  private final Dockerfile dockerfile;
  private final Path root;
  private final Path workdir;

  private ContainerImage(Dockerfile dockerfile, Path root, Path workdir) {
    this.dockerfile = dockerfile;
    this.root = root;
    this.workdir = workdir;
  }

  /** The image of the repository's Dockerfile, laid out once per test JVM. */
  static synchronized ContainerImage extracted() {
    if (extracted == null) {
      extracted = layOut(Dockerfile.parse(Repo.path("docker/Dockerfile")));
    }
    return extracted;
  }

  Dockerfile dockerfile() {
    return dockerfile;
  }

  /** The directory standing for the container's root file system. */
  Path root() {
    return root;
  }

  /** The image's {@code WORKDIR}, where the entrypoint runs. */
  Path workdir() {
    return workdir;
  }

  /** Where a path of the container is in {@link #root()}. */
  Path hostPath(String containerPath) {
    return root.resolve(containerPath.replaceFirst("^/+", ""));
  }

  /**
   * Starts the image's entrypoint with the image's environment plus {@code environment} (what
   * {@code docker run -e} or an ECS task definition would add).
   */
  ServerProcess start(String name, Map<String, String> environment) {
    var env = new LinkedHashMap<String, String>();
    env.put("PATH", javaHome().resolve("bin") + ":/usr/local/bin:/usr/bin:/bin");
    env.put("JAVA_HOME", javaHome().toString());
    env.put("LANG", "C.UTF-8");
    env.putAll(dockerfile.image().env());
    env.putAll(environment);
    var command = new ArrayList<>(dockerfile.entrypoint());
    if (!command.get(0).equals("java")) {
      throw new IllegalStateException("the ENTRYPOINT must start java, was " + command);
    }
    command.set(0, javaHome().resolve("bin/java").toString());
    var healthcheck = new ArrayList<>(dockerfile.healthcheckCommand());
    healthcheck.set(0, hostPath(healthcheck.get(0)).toString());
    return ServerProcess.start(name, workdir, command, env, healthcheck);
  }

  static Path javaHome() {
    return Path.of(System.getProperty("java.home"));
  }

  private static ContainerImage layOut(Dockerfile dockerfile) {
    try {
      Path root = Repo.work("image-root");
      deleteTree(root);
      Files.createDirectories(root);
      var stageRoots = new LinkedHashMap<String, Path>();
      // the build stage is the Maven reactor: its /src is the repository
      stageRoots.put("build", null);
      Path workdir = root;
      for (Dockerfile.Stage stage : dockerfile.stages()) {
        if (stage.name().equals("build")) {
          continue;
        }
        boolean image = stage.equals(dockerfile.image());
        Path stageRoot = image ? root : Repo.work("stage-" + stage.name());
        if (!image) {
          deleteTree(stageRoot);
          Files.createDirectories(stageRoot);
        }
        stageRoots.put(stage.name(), stageRoot);
        Path dir = stageRoot;
        for (Dockerfile.Instruction i : stage.instructions()) {
          switch (i.keyword()) {
            case "WORKDIR" -> dir = Files.createDirectories(at(stageRoot, i.arguments()));
            case "COPY" -> copy(i, stageRoots, dir, stageRoot);
            case "RUN" -> {
              if (!image) {
                run(i, dir);
              }
            }
            default -> {
              // ENV, USER, EXPOSE, ...: read from the Dockerfile when the server starts
            }
          }
        }
        if (image) {
          workdir = dir;
        }
      }
      return new ContainerImage(dockerfile, root, workdir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void copy(
      Dockerfile.Instruction copy, Map<String, Path> stageRoots, Path dir, Path stageRoot)
      throws IOException {
    Matcher m = COPY.matcher(copy.arguments());
    if (!m.matches()) {
      throw new IllegalStateException("line " + copy.line() + ": COPY " + copy.arguments());
    }
    String from = null;
    String chmod = null;
    for (String option : m.group("options").strip().split("\\s+", -1)) {
      if (option.startsWith("--from=")) {
        from = option.substring(7);
      } else if (option.startsWith("--chmod=")) {
        chmod = option.substring(8);
      }
    }
    String source = m.group("source");
    Path src;
    if (from == null) {
      src = Repo.root().resolve(source); // the build context: the repository root
    } else if (from.equals("build")) {
      if (!source.startsWith("/src/")) {
        throw new IllegalStateException("line " + copy.line() + ": expected /src/..., " + source);
      }
      src = Repo.root().resolve(source.substring(5));
      if (src.equals(Repo.root().resolve("server/target/evidentsource-server.jar"))) {
        src = Repo.serverJar();
      }
    } else {
      src = at(stageRoots.get(from), source);
    }
    String target = m.group("target");
    Path dest = target.startsWith("/") ? at(stageRoot, target) : dir.resolve(target);
    if (Files.isDirectory(src)) {
      copyTree(src, dest); // "COPY dir/ dest/": the directory's contents
    } else {
      if (target.endsWith("/")) {
        dest = dest.resolve(src.getFileName());
      }
      Files.createDirectories(dest.getParent());
      Files.copy(src, dest, REPLACE_EXISTING);
    }
    if (chmod != null) {
      Files.setPosixFilePermissions(dest, PosixFilePermissions.fromString(rwx(chmod)));
    }
  }

  private static void run(Dockerfile.Instruction run, Path dir) {
    var env = Map.of("PATH", javaHome().resolve("bin") + ":/usr/bin:/bin");
    Tools.Result result =
        Tools.run(dir, env, Duration.ofMinutes(5), "/bin/sh", "-c", run.arguments());
    if (result.exitCode() != 0) {
      throw new IllegalStateException(
          "line " + run.line() + ": RUN " + run.arguments() + " failed:\n" + result.output());
    }
  }

  private static Path at(Path stageRoot, String containerPath) {
    return stageRoot.resolve(containerPath.replaceFirst("^/+", ""));
  }

  private static String rwx(String octal) {
    var sb = new StringBuilder();
    for (char c : octal.substring(octal.length() - 3).toCharArray()) {
      int d = c - '0';
      sb.append((d & 4) != 0 ? 'r' : '-').append((d & 2) != 0 ? 'w' : '-');
      sb.append((d & 1) != 0 ? 'x' : '-');
    }
    return sb.toString();
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path dest = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(dest);
        } else {
          Files.copy(p, dest, REPLACE_EXISTING);
        }
      }
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      List<Path> all = files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList();
      for (Path p : all) {
        Files.delete(p);
      }
    }
  }
}
