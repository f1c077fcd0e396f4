/* Guest helpers for the EvidentSource component ABI (docs/wasm-abi.md) in C with wasi-libc.
 * Build a reactor: clang --target=wasm32-wasi -mexec-model=reactor -O2 -o x.wasm x.c */
#ifndef EVIDENTSOURCE_H
#define EVIDENTSOURCE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ES_EXPORT(name) __attribute__((export_name(name)))
#define ES_IMPORT(name) __attribute__((import_module("evidentsource"), import_name(name)))

ES_IMPORT("error") void es_host_error(const char *ptr, int32_t len);
ES_IMPORT("log") void es_host_log(int32_t level, const char *ptr, int32_t len);
ES_IMPORT("view_state")
int64_t es_host_view_state(const char *name, int32_t name_len, const char *params,
                           int32_t params_len);

/* The host writes every input into memory from evidentsource_alloc; the guest frees it. */
ES_EXPORT("evidentsource_alloc") void *evidentsource_alloc(int32_t len) {
  return malloc(len > 0 ? (size_t)len : 1);
}

/* Packs (ptr << 32) | len; the bytes must stay valid until the next call. */
static inline int64_t es_result(const char *ptr, int32_t len) {
  return ((int64_t)(uintptr_t)ptr << 32) | (uint32_t)len;
}

/* Reports a component error; return the result to the host. */
static inline int64_t es_fail(const char *message) {
  es_host_error(message, (int32_t)strlen(message));
  return -1;
}

/* How many objects the JSON array at (p, len) holds at its top level. */
static inline int64_t es_count_top_level_objects(const char *p, int32_t len) {
  int depth = 0, in_string = 0;
  int64_t n = 0;
  for (int32_t i = 0; i < len; i++) {
    char c = p[i];
    if (in_string) {
      if (c == '\\') i++;
      else if (c == '"') in_string = 0;
    } else if (c == '"') {
      in_string = 1;
    } else if (c == '{' || c == '[') {
      if (c == '{' && depth == 1) n++;
      depth++;
    } else if (c == '}' || c == ']') {
      depth--;
    }
  }
  return n;
}

/* The first whole number in (p, len), 0 when there is none. */
static inline int64_t es_first_number(const char *p, int32_t len) {
  int64_t n = 0;
  int seen = 0;
  for (int32_t i = 0; i < len; i++) {
    if (p[i] >= '0' && p[i] <= '9') {
      n = n * 10 + (p[i] - '0');
      seen = 1;
    } else if (seen) {
      break;
    }
  }
  return n;
}

#endif
