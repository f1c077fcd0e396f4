package io.evidentsource.core.component;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The SHA-256 digest of a published module, as registries record it next to its size so that a
 * client can check a downloaded module (a backup, an audit) against what was published.
 */
public final class ModuleDigest {
  private ModuleDigest() {}

  /**
   * The SHA-256 of the module bytes as 64 lower-case hex digits.
   *
   * @param module the WebAssembly module bytes
   */
  public static String sha256Hex(byte[] module) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(module));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  static String requireSha256Hex(String digest) {
    if (digest.length() != 64 || !digest.chars().allMatch(ModuleDigest::isLowerHex)) {
      throw new IllegalArgumentException(
          "moduleSha256 must be 64 lower-case hex digits, was '" + digest + "'");
    }
    return digest;
  }

  private static boolean isLowerHex(int c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  }
}
