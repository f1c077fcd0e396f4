package io.evidentsource.server.rest;

import jakarta.servlet.http.HttpServletRequest;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.webmvc.autoconfigure.WebMvcRegistrations;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.server.PathContainer;
import org.springframework.http.server.RequestPath;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import org.springframework.web.util.ServletRequestPathUtils;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * Spring MVC's {@code @RequestMapping} lookup, checking in full only the mappings whose path
 * patterns could match the request's path.
 *
 * <p>A path with a variable (every path under {@code /api/v1/databases/{db}}) has no direct-path
 * match, so Spring checks every mapping of the application (about 40) with its full condition check
 * (method, headers, consumed and produced media types, then the path): the largest framework cost
 * of an append (docs/benchmarks.md#issue-17-the-rest-request-path). Here a request's path is
 * reduced to its <em>shape</em>: its segments, each kept when it is one of the literal segments
 * some pattern has ({@code api}, {@code databases}, {@code transactions}...) and otherwise replaced
 * by a marker (a database name, a revision). The mappings that could match a shape are found once,
 * by comparing it segment by segment with every pattern (a literal segment must be equal; a
 * variable or regex segment is taken to match any one segment; a trailing {@code {*rest}} any
 * rest), and kept per shape; Spring's own check then runs on those only, in Spring's own lookup, so
 * the chosen handler, its path variables, and the 404, 405, 406 and 415 answers (which Spring works
 * out from all mappings when none matches) are exactly as before.
 *
 * <p>The candidates are a superset of the mappings Spring would match: two paths of one shape agree
 * on every literal segment and differ only in segments no pattern names literally. A mapping whose
 * pattern this comparison cannot read (a {@code *} or {@code **} wildcard, a {@code /} inside a
 * variable) is a candidate for every path; with a case-insensitive pattern parser, or without a
 * parsed request path, the lookup is Spring's unchanged. At most {@value #MAX_SHAPES} shapes are
 * kept (a path of an unseen shape beyond that is compared afresh); the kept shapes are dropped
 * whenever a mapping is registered or removed.
 */
final class ShapedHandlerMapping extends RequestMappingHandlerMapping {
  /** The most path shapes kept. */
  static final int MAX_SHAPES = 4096;

  /** The shape's marker for a non-empty segment that no pattern has as a literal. */
  private static final String OTHER = "\u0001";

  /** The candidates of the lookup in progress on this thread, null outside of one. */
  private static final ThreadLocal<RequestMappingInfo @Nullable []> CANDIDATES =
      new ThreadLocal<>();

  private volatile @Nullable Shapes shapes;

  @Override
  protected @Nullable HandlerMethod lookupHandlerMethod(
      String lookupPath, HttpServletRequest request) throws Exception {
    RequestMappingInfo[] found = candidatesFor(request);
    if (found == null) {
      return super.lookupHandlerMethod(lookupPath, request);
    }
    RequestMappingInfo[] previous = CANDIDATES.get();
    CANDIDATES.set(found);
    try {
      return super.lookupHandlerMethod(lookupPath, request);
    } finally {
      CANDIDATES.set(previous);
    }
  }

  @Override
  protected @Nullable RequestMappingInfo getMatchingMapping(
      RequestMappingInfo info, HttpServletRequest request) {
    RequestMappingInfo[] only = CANDIDATES.get();
    if (only != null && !contains(only, info)) {
      return null;
    }
    return super.getMatchingMapping(info, request);
  }

  /**
   * Spring's lookup over every mapping ({@code shaped} false) or this class's ({@code shaped}
   * true), for the test that compares them.
   */
  @Nullable HandlerMethod lookup(HttpServletRequest request, boolean shaped) throws Exception {
    String lookupPath = initLookupPath(request);
    return shaped
        ? lookupHandlerMethod(lookupPath, request)
        : super.lookupHandlerMethod(lookupPath, request);
  }

  /** How many mappings are checked in full for this request's path (all when not shaped). */
  int candidateCount(HttpServletRequest request) {
    RequestMappingInfo[] found = candidatesFor(request);
    return found == null ? getHandlerMethods().size() : found.length;
  }

  @Override
  public void registerMapping(RequestMappingInfo mapping, Object handler, Method method) {
    super.registerMapping(mapping, handler, method);
    shapes = null;
  }

  @Override
  public void unregisterMapping(RequestMappingInfo mapping) {
    super.unregisterMapping(mapping);
    shapes = null;
  }

  @Override
  protected void registerHandlerMethod(Object handler, Method method, RequestMappingInfo mapping) {
    super.registerHandlerMethod(handler, method, mapping);
    shapes = null;
  }

  @SuppressWarnings("ReferenceEquality") // the registered instances themselves, as Spring passes
  private static boolean contains(RequestMappingInfo[] infos, RequestMappingInfo info) {
    for (RequestMappingInfo candidate : infos) {
      if (candidate == info) {
        return true;
      }
    }
    return false;
  }

  /** The mappings that could match the request's path, or null to check them all. */
  private RequestMappingInfo @Nullable [] candidatesFor(HttpServletRequest request) {
    if (!ServletRequestPathUtils.hasParsedRequestPath(request)) {
      return null;
    }
    Shapes known = shapes;
    if (known == null) {
      known = readPatterns();
      shapes = known;
    }
    if (!known.usable) {
      return null;
    }
    List<String> segments = segments(ServletRequestPathUtils.getParsedRequestPath(request));
    if (segments == null) {
      return null;
    }
    var key = new StringBuilder(64);
    for (String segment : segments) {
      key.append('/')
          .append(segment.isEmpty() || known.literals.contains(segment) ? segment : OTHER);
    }
    String shape = key.toString();
    RequestMappingInfo[] found = known.byShape.get(shape);
    if (found == null) {
      found = known.candidates(segments);
      if (known.byShape.size() < MAX_SHAPES) {
        known.byShape.putIfAbsent(shape, found);
      }
    }
    return found;
  }

  /** A path's segments as its patterns see them (decoded, without path parameters). */
  private static @Nullable List<String> segments(RequestPath path) {
    List<PathContainer.Element> elements = path.pathWithinApplication().elements();
    if (elements.isEmpty() || !(elements.get(0) instanceof PathContainer.Separator)) {
      return null;
    }
    var segments = new ArrayList<String>(elements.size() / 2 + 1);
    boolean open = false;
    for (PathContainer.Element element : elements) {
      if (element instanceof PathContainer.Separator) {
        if (open) {
          segments.add("");
        }
        open = true;
      } else if (element instanceof PathContainer.PathSegment segment) {
        segments.add(segment.valueToMatch());
        open = false;
      } else {
        return null;
      }
    }
    if (open) {
      segments.add("");
    }
    return segments;
  }

  private Shapes readPatterns() {
    PathPatternParser parser = getPatternParser();
    if (parser == null || !parser.isCaseSensitive()) {
      return Shapes.UNUSABLE;
    }
    var always = new ArrayList<RequestMappingInfo>();
    var shaped = new ArrayList<Shaped>();
    var literals = new HashSet<String>();
    for (RequestMappingInfo info : getHandlerMethods().keySet()) {
      var condition = info.getPathPatternsCondition();
      if (condition == null || condition.getPatterns().isEmpty()) {
        always.add(info);
        continue;
      }
      var patterns = new ArrayList<Pattern>();
      for (PathPattern pattern : condition.getPatterns()) {
        Pattern read = Pattern.read(pattern.getPatternString());
        if (read == null) {
          patterns = null;
          break;
        }
        patterns.add(read);
      }
      if (patterns == null) {
        always.add(info);
        continue;
      }
      for (Pattern pattern : patterns) {
        for (String segment : pattern.segments) {
          if (segment != null) {
            literals.add(segment);
          }
        }
      }
      shaped.add(new Shaped(info, List.copyOf(patterns)));
    }
    return new Shapes(true, Set.copyOf(literals), List.copyOf(always), List.copyOf(shaped));
  }

  /**
   * A pattern read segment by segment: a literal segment, or null for a variable (or regex) segment
   * matching any one segment; {@code catchAll} when it ends in {@code {*name}}.
   */
  private record Pattern(List<@Nullable String> segments, boolean catchAll) {
    static @Nullable Pattern read(String text) {
      if (!text.startsWith("/")) {
        return null;
      }
      var segments = new ArrayList<@Nullable String>();
      boolean catchAll = false;
      int depth = 0;
      int start = 1;
      for (int i = 1; i <= text.length(); i++) {
        char c = i < text.length() ? text.charAt(i) : '/';
        if (c == '{') {
          depth++;
        } else if (c == '}') {
          depth--;
        } else if (c == '/') {
          if (depth != 0) {
            return null;
          }
          if (catchAll) {
            return null; // {*name} must be last
          }
          String segment = text.substring(start, i);
          if (segment.startsWith("{*")
              && segment.endsWith("}")
              && segment.indexOf('}') == segment.length() - 1) {
            catchAll = true;
          } else if (segment.indexOf('*') >= 0 || segment.indexOf('%') >= 0) {
            return null;
          } else if (segment.indexOf('{') >= 0 || segment.indexOf('?') >= 0) {
            segments.add(null);
          } else {
            segments.add(segment);
          }
          start = i + 1;
        }
      }
      return depth == 0 ? new Pattern(segments, catchAll) : null;
    }

    /** Whether the pattern could match a path of these segments (a superset of Spring's). */
    boolean couldMatch(List<String> path) {
      int n = path.size();
      if (n > 0 && path.get(n - 1).isEmpty() && couldMatch(path, n - 1)) {
        return true; // a trailing separator, taken as optional
      }
      return couldMatch(path, n);
    }

    private boolean couldMatch(List<String> path, int n) {
      int size = segments.size();
      if (catchAll ? n < size : n != size) {
        return false;
      }
      for (int i = 0; i < size; i++) {
        String literal = segments.get(i);
        if (literal != null && !literal.equals(path.get(i))) {
          return false;
        }
      }
      return true;
    }
  }

  private record Shaped(RequestMappingInfo info, List<Pattern> patterns) {}

  /** What the registered mappings' patterns say, and the candidates found per shape so far. */
  private record Shapes(
      boolean usable,
      Set<String> literals,
      List<RequestMappingInfo> always,
      List<Shaped> shaped,
      Map<String, RequestMappingInfo[]> byShape) {
    static final Shapes UNUSABLE = new Shapes(false, Set.of(), List.of(), List.of());

    Shapes(
        boolean usable,
        Set<String> literals,
        List<RequestMappingInfo> always,
        List<Shaped> shaped) {
      this(usable, literals, always, shaped, new ConcurrentHashMap<>());
    }

    RequestMappingInfo[] candidates(List<String> path) {
      var found = new ArrayList<>(always);
      for (Shaped mapping : shaped) {
        for (Pattern pattern : mapping.patterns) {
          if (pattern.couldMatch(path)) {
            found.add(mapping.info);
            break;
          }
        }
      }
      return found.toArray(RequestMappingInfo[]::new);
    }
  }

  /** Puts this mapping in place of Spring Boot's {@code RequestMappingHandlerMapping}. */
  @Configuration(proxyBeanMethods = false)
  static class Registration {
    @Bean
    WebMvcRegistrations shapedHandlerMapping() {
      return new WebMvcRegistrations() {
        @Override
        public RequestMappingHandlerMapping getRequestMappingHandlerMapping() {
          return new ShapedHandlerMapping();
        }
      };
    }
  }
}
