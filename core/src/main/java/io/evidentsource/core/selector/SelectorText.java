package io.evidentsource.core.selector;

import java.util.ArrayList;
import java.util.List;

/**
 * The textual form of event selectors (docs/data-model.md#selector-text), as used by {@code q=} and
 * the UI:
 *
 * <pre>
 * expr   := term ( OR term )*          term := factor ( AND factor )*
 * factor := '(' expr ')' | attr '=' str | attr LIKE str | subject IS NULL | ANY
 * attr   := stream | subject | type | tag    str := '...' with '' for a quote
 * </pre>
 *
 * Keywords are case-insensitive. In {@code LIKE}, only a final {@code %} is special and means
 * "prefix"; a literal without it compares for equality.
 */
public final class SelectorText {
  private SelectorText() {}

  /**
   * Parses the textual form within the {@linkplain SelectorLimits#defaults() default limits}.
   *
   * @throws SelectorSyntaxException with the column, the expected token and the token found
   * @throws EvidentSourceException {@code SELECTOR_TOO_COMPLEX} beyond the default limits
   */
  public static EventSelector parse(String text) {
    return parse(text, SelectorLimits.defaults());
  }

  /**
   * Parses the textual form. Parentheses nested deeper than {@code limits.maxDepth()} stop the
   * parser where they are found, so no text can exhaust the stack; the tree is then checked against
   * both limits.
   *
   * @throws SelectorSyntaxException with the column, the expected token and the token found
   * @throws EvidentSourceException {@code SELECTOR_TOO_COMPLEX} naming the limit
   */
  public static EventSelector parse(String text, SelectorLimits limits) {
    var p = new Parser(text, limits);
    var result = p.expr();
    p.expectEnd();
    return limits.check(result);
  }

  /** Prints a selector in the textual form; {@code parse(format(s))} equals {@code s}. */
  public static String format(EventSelector selector) {
    return write(selector, new StringBuilder(), 0).toString();
  }

  // precedence: 0 = top (or), 1 = inside and, 2 = atom
  private static StringBuilder write(EventSelector s, StringBuilder sb, int context) {
    return s.match(
        any -> sb.append("ANY"),
        equals ->
            equals.value() == null
                ? sb.append("subject IS NULL")
                : quote(equals.value(), sb.append(equals.attribute().textName()).append(" = ")),
        startsWith ->
            quote(
                startsWith.prefix() + "%",
                sb.append(startsWith.attribute().textName()).append(" LIKE ")),
        and -> join(and.selectors(), " AND ", 1, context > 1, sb),
        or -> join(or.selectors(), " OR ", 0, context > 0, sb));
  }

  private static StringBuilder join(
      List<EventSelector> parts, String op, int level, boolean paren, StringBuilder sb) {
    boolean needParen = paren || parts.size() == 1;
    if (needParen) {
      sb.append('(');
    }
    for (int i = 0; i < parts.size(); i++) {
      if (i > 0) {
        sb.append(op);
      }
      // Nested nodes of the same kind are parenthesised so the tree shape round-trips.
      write(parts.get(i), sb, level + 1);
    }
    if (needParen) {
      sb.append(')');
    }
    return sb;
  }

  private static StringBuilder quote(String value, StringBuilder sb) {
    return sb.append('\'').append(value.replace("'", "''")).append('\'');
  }

  private enum Kind {
    LPAREN,
    RPAREN,
    EQ,
    STRING,
    OTHER,
    WORD,
    END
  }

  private record Token(Kind kind, String text, int column) {
    String describe() {
      String shown = text.length() <= 50 ? text : text.substring(0, 50) + "...";
      return switch (kind) {
        case END -> "end of input";
        case STRING -> "string '" + shown + "'";
        default -> "'" + shown + "'";
      };
    }
  }

  private static final class Parser {
    private final String text;
    private final List<Token> tokens;
    private int pos;

    private final SelectorLimits limits;
    private int depth; // parentheses open at the current position

    // next character to tokenize: tokens are read on demand, so the first error by position is
    // the one reported
    private int scan;

    Parser(String text, SelectorLimits limits) {
      this.text = text;
      this.tokens = new ArrayList<>();
      this.limits = limits;
    }

    private Token lex() {
      String s = text;
      int i = scan;
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
      if (i >= s.length()) {
        scan = i;
        return new Token(Kind.END, "", s.length() + 1);
      }
      char c = s.charAt(i);
      Token t;
      if (c == '(') {
        t = new Token(Kind.LPAREN, "(", i + 1);
        i++;
      } else if (c == ')') {
        t = new Token(Kind.RPAREN, ")", i + 1);
        i++;
      } else if (c == '=') {
        t = new Token(Kind.EQ, "=", i + 1);
        i++;
      } else if (c == '\'') {
        int start = i;
        var sb = new StringBuilder();
        i++;
        while (true) {
          if (i >= s.length()) {
            throw new SelectorSyntaxException(
                s, start + 1, "a closing quote (') for the string", "end of input");
          }
          char d = s.charAt(i);
          if (d == '\'') {
            if (i + 1 < s.length() && s.charAt(i + 1) == '\'') {
              sb.append('\'');
              i += 2;
            } else {
              i++;
              break;
            }
          } else {
            sb.append(d);
            i++;
          }
        }
        t = new Token(Kind.STRING, sb.toString(), start + 1);
      } else if (Character.isLetter(c) || c == '_') {
        int start = i;
        while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) {
          i++;
        }
        t = new Token(Kind.WORD, s.substring(start, i), start + 1);
      } else {
        t = new Token(Kind.OTHER, String.valueOf(c), i + 1);
        i++;
      }
      scan = i;
      return t;
    }

    private Token peek() {
      while (tokens.size() <= pos) {
        tokens.add(lex());
      }
      return tokens.get(pos);
    }

    private boolean peekKeyword(String keyword) {
      var t = peek();
      return t.kind() == Kind.WORD && t.text().equalsIgnoreCase(keyword);
    }

    private SelectorSyntaxException error(String expected) {
      var t = peek();
      return new SelectorSyntaxException(text, t.column(), expected, t.describe());
    }

    EventSelector expr() {
      var terms = new ArrayList<EventSelector>();
      terms.add(term());
      while (peekKeyword("OR")) {
        pos++;
        terms.add(term());
      }
      return terms.size() == 1 ? terms.get(0) : new EventSelector.Or(terms);
    }

    EventSelector term() {
      var factors = new ArrayList<EventSelector>();
      factors.add(factor());
      while (peekKeyword("AND")) {
        pos++;
        factors.add(factor());
      }
      return factors.size() == 1 ? factors.get(0) : new EventSelector.And(factors);
    }

    EventSelector factor() {
      var t = peek();
      if (t.kind() == Kind.LPAREN) {
        if (++depth > limits.maxDepth()) {
          throw limits.tooDeep(depth).withField("position", t.column());
        }
        pos++;
        var inner = expr();
        depth--;
        if (peek().kind() != Kind.RPAREN) {
          throw error("')', AND or OR");
        }
        pos++;
        return inner;
      }
      if (t.kind() != Kind.WORD) {
        throw error("an attribute (stream, subject, type, tag), ANY or '('");
      }
      if (t.text().equalsIgnoreCase("ANY")) {
        pos++;
        return new EventSelector.Any();
      }
      var attribute =
          Attribute.fromTextName(t.text())
              .orElseThrow(() -> error("an attribute (stream, subject, type, tag), ANY or '('"));
      pos++;
      if (peek().kind() == Kind.EQ) {
        pos++;
        return new EventSelector.Equals(attribute, string());
      }
      if (peekKeyword("LIKE")) {
        pos++;
        String literal = string();
        if (literal.endsWith("%")) {
          return new EventSelector.StartsWith(
              attribute, literal.substring(0, literal.length() - 1));
        }
        return new EventSelector.Equals(attribute, literal);
      }
      if (peekKeyword("IS")) {
        if (attribute != Attribute.SUBJECT) {
          throw error("'=' or LIKE (only subject IS NULL is allowed)");
        }
        pos++;
        if (!peekKeyword("NULL")) {
          throw error("NULL");
        }
        pos++;
        return new EventSelector.Equals(Attribute.SUBJECT, null);
      }
      throw error(attribute == Attribute.SUBJECT ? "'=', LIKE or IS NULL" : "'=' or LIKE");
    }

    private String string() {
      var t = peek();
      if (t.kind() != Kind.STRING) {
        throw error("a quoted string such as 'value'");
      }
      pos++;
      return t.text();
    }

    void expectEnd() {
      if (peek().kind() != Kind.END) {
        throw error(
            peek().kind() == Kind.RPAREN
                ? "end of input (unbalanced ')')"
                : "AND, OR or end of input");
      }
    }
  }
}
