package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The documentation a newcomer reads resolves inside the repository: every relative link of the
 * Markdown files and every {@code docs/...md#anchor} a source comment cites points at a file and a
 * heading that exist, and nothing cites the design notes that are not in the repository.
 */
class DocumentationTest {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  /** A Markdown link or image: {@code [text](target)}. */
  static final Pattern MARKDOWN_LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

  /** A citation of a repository doc in any text: {@code docs/queries.md#live-tails}. */
  static final Pattern DOC_CITATION =
      Pattern.compile("(?<![\\w/.])(docs/[a-z0-9/_-]+\\.md)(#[a-z0-9_-]+)?");

  static final Set<String> TEXT_FILES =
      Set.of(".md", ".java", ".go", ".proto", ".ts", ".c", ".h", ".wat", ".json", ".properties");

  /** The name of the design notes, split so that this file does not cite them itself. */
  static final String DESIGN = "DESI" + "GN";

  static List<Path> files;
  static final Map<Path, Set<String>> anchors = new HashMap<>();

  @BeforeAll
  static void scan() throws IOException {
    try (Stream<Path> walk = Files.walk(ROOT)) {
      files =
          walk.filter(Files::isRegularFile)
              .filter(p -> !ignored(ROOT.relativize(p)))
              .filter(p -> TEXT_FILES.stream().anyMatch(p.getFileName().toString()::endsWith))
              .toList();
    }
  }

  static boolean ignored(Path relative) {
    for (Path part : relative) {
      String name = part.toString();
      if (name.equals("target")
          || name.equals("node_modules")
          || name.startsWith(".")
          || name.equals("proto-deps")) {
        return true;
      }
    }
    return false;
  }

  @Test
  void markdown_links_point_at_files_and_headings_that_exist() {
    var broken = new ArrayList<String>();
    for (Path file : files) {
      if (!file.toString().endsWith(".md")) {
        continue;
      }
      Matcher m = MARKDOWN_LINK.matcher(withoutCode(read(file)));
      while (m.find()) {
        String target = m.group(1);
        if (target.matches("^[a-z][a-z0-9+.-]*:.*") || target.startsWith("<")) {
          continue; // http:, https:, mailto:, ...
        }
        String problem = check(file.getParent(), target);
        if (problem != null) {
          broken.add(ROOT.relativize(file) + ": (" + target + ") " + problem);
        }
      }
    }
    assertThat(broken).isEmpty();
  }

  @Test
  void docs_cited_in_sources_and_docs_exist_with_their_headings() {
    var broken = new ArrayList<String>();
    for (Path file : files) {
      Matcher m = DOC_CITATION.matcher(read(file));
      while (m.find()) {
        String target = m.group(1) + (m.group(2) == null ? "" : m.group(2));
        String problem = check(ROOT, target);
        if (problem != null) {
          broken.add(ROOT.relativize(file) + ": " + target + " " + problem);
        }
      }
    }
    assertThat(broken).isEmpty();
  }

  @Test
  void nothing_cites_design_notes_outside_the_repository() {
    var citing = new ArrayList<String>();
    for (Path file : files) {
      String text = read(file);
      if (text.contains(DESIGN + " §") || text.contains(DESIGN + ".md")) {
        citing.add(ROOT.relativize(file).toString());
      }
    }
    assertThat(citing)
        .as("cite docs/*.md or an ADR instead; readers of the repository cannot open DESIGN")
        .isEmpty();
  }

  /** Markdown text without fenced code blocks and inline code spans, where nothing is a link. */
  static String withoutCode(String markdown) {
    var out = new StringBuilder();
    boolean fenced = false;
    for (String line : markdown.split("\n", -1)) {
      if (line.startsWith("```")) {
        fenced = !fenced;
      } else if (!fenced) {
        out.append(line.replaceAll("`[^`]*`", "")).append('\n');
      }
    }
    return out.toString();
  }

  /**
   * Null when {@code target} (a path, optionally with {@code #anchor}) resolves from {@code dir}.
   */
  static String check(Path dir, String target) {
    int hash = target.indexOf('#');
    String path = hash < 0 ? target : target.substring(0, hash);
    String anchor = hash < 0 ? null : target.substring(hash + 1);
    Path resolved = path.isEmpty() ? null : dir.resolve(path).normalize();
    if (resolved != null && !Files.exists(resolved)) {
      return "does not exist";
    }
    if (anchor != null && resolved != null && resolved.toString().endsWith(".md")) {
      if (!anchorsOf(resolved).contains(anchor)) {
        return "has no heading #" + anchor;
      }
    }
    return null;
  }

  /** GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens. */
  static Set<String> anchorsOf(Path markdown) {
    return anchors.computeIfAbsent(
        markdown,
        p -> {
          var out = new HashSet<String>();
          boolean fenced = false;
          for (String line : read(p).split("\n", -1)) {
            if (line.startsWith("```")) {
              fenced = !fenced;
            } else if (!fenced && line.startsWith("#")) {
              String title = line.replaceFirst("^#+\\s*", "").strip();
              out.add(
                  title
                      .toLowerCase(Locale.ROOT)
                      .replaceAll("[^\\p{L}\\p{N} _-]", "")
                      .replace(' ', '-'));
            }
          }
          return out;
        });
  }

  static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
