package io.evidentsource.server.security;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import java.util.HexFormat;
import org.jspecify.annotations.Nullable;

/**
 * The web UI's sign-in: {@code POST /api/v1/session} with a key opens a servlet session (cookie
 * {@code EVIDENTSOURCE_SESSION}: HttpOnly, SameSite=Strict, Secure over TLS) that remembers the
 * key's name and hash, never the key. Each request checks that the key still exists with that hash,
 * so removing a key from the keys file ends its sessions too.
 */
final class Sessions {
  static final String NAME = Sessions.class.getName() + ".name";
  static final String HASH = Sessions.class.getName() + ".sha256";

  private Sessions() {}

  /** The caller of the request's session, or null without one (an ended one is invalidated). */
  static @Nullable Caller caller(HttpServletRequest request, ApiKeys keys) {
    HttpSession session = request.getSession(false);
    if (session == null) {
      return null;
    }
    Object name = session.getAttribute(NAME);
    Object hash = session.getAttribute(HASH);
    if (name instanceof String n && hash instanceof String h) {
      var caller = keys.sessionCaller(n, HexFormat.of().parseHex(h));
      if (caller.isPresent()) {
        return caller.get();
      }
    }
    session.invalidate();
    return null;
  }

  /** Opens a new session for the key (any earlier one of the request is ended first). */
  static void open(HttpServletRequest request, Caller caller, String key) {
    HttpSession old = request.getSession(false);
    if (old != null) {
      old.invalidate();
    }
    HttpSession session = request.getSession(true);
    session.setAttribute(NAME, caller.name());
    session.setAttribute(HASH, HexFormat.of().formatHex(ApiKeys.sha256(key)));
  }

  /** Ends the request's session, if any. */
  static void close(HttpServletRequest request) {
    HttpSession session = request.getSession(false);
    if (session != null) {
      session.invalidate();
    }
  }
}
