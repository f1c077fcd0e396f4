package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A scrape of {@code /actuator/prometheus} in the Prometheus text format, parsed into samples: the
 * tests read exact values and deltas from it as Prometheus would.
 */
public final class Prometheus {
  /** One sample: metric name, labels and value. */
  public record Sample(String name, Map<String, String> labels, double value) {}

  private final List<Sample> samples;

  private Prometheus(List<Sample> samples) {
    this.samples = samples;
  }

  /** Scrapes the server behind {@code api}. */
  public static Prometheus scrape(Api api) {
    Api.Response r = api.get("/actuator/prometheus");
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return parse(r.text());
  }

  /** Parses the text format (comments skipped; label values unescaped). */
  public static Prometheus parse(String text) {
    var samples = new ArrayList<Sample>();
    for (String line : text.split("\n", -1)) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int brace = line.indexOf('{');
      int space;
      String name;
      var labels = new LinkedHashMap<String, String>();
      if (brace >= 0 && brace < line.indexOf(' ')) {
        name = line.substring(0, brace);
        int i = brace + 1;
        while (line.charAt(i) != '}') {
          int eq = line.indexOf('=', i);
          String key = line.substring(i, eq);
          var value = new StringBuilder();
          int j = eq + 2; // after ="
          while (line.charAt(j) != '"') {
            char c = line.charAt(j);
            if (c == '\\') {
              char n = line.charAt(++j);
              value.append(n == 'n' ? '\n' : n);
            } else {
              value.append(c);
            }
            j++;
          }
          labels.put(key, value.toString());
          i = j + 1;
          if (line.charAt(i) == ',') {
            i++;
          }
        }
        space = line.indexOf(' ', i);
      } else {
        space = line.indexOf(' ');
        name = line.substring(0, space);
      }
      String rest = line.substring(space + 1).trim();
      int end = rest.indexOf(' ');
      String value = end < 0 ? rest : rest.substring(0, end);
      samples.add(new Sample(name, labels, Double.parseDouble(value)));
    }
    return new Prometheus(samples);
  }

  /** Every sample. */
  public List<Sample> samples() {
    return samples;
  }

  /** Whether any sample of this name exists. */
  public boolean has(String name) {
    return samples.stream().anyMatch(s -> s.name().equals(name));
  }

  /**
   * The sum of the samples named {@code name} whose labels include the given pairs ({@code key,
   * value, key, value...}); 0 when none.
   */
  public double value(String name, String... labels) {
    double sum = 0;
    for (Sample s : samples) {
      if (s.name().equals(name) && matches(s.labels(), labels)) {
        sum += s.value();
      }
    }
    return sum;
  }

  /** {@link #value} in {@code after} minus in {@code before}. */
  public static double delta(Prometheus before, Prometheus after, String name, String... labels) {
    return after.value(name, labels) - before.value(name, labels);
  }

  private static boolean matches(Map<String, String> actual, String... wanted) {
    for (int i = 0; i < wanted.length; i += 2) {
      if (!wanted[i + 1].equals(actual.get(wanted[i]))) {
        return false;
      }
    }
    return true;
  }
}
