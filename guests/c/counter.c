/* A state view counting the events folded into it; the state is {"count":N}.
 * Build: clang --target=wasm32-wasi -mexec-model=reactor -O2 -o counter.wasm counter.c */
#include <stdio.h>

#include "evidentsource.h"

static char output[64];

ES_EXPORT("evidentsource_evolve")
int64_t evidentsource_evolve(char *state, int32_t state_len, char *events, int32_t events_len,
                             char *params, int32_t params_len) {
  int64_t count = es_first_number(state, state_len) + es_count_top_level_objects(events, events_len);
  free(state);
  free(events);
  free(params);
  int len = snprintf(output, sizeof output, "{\"count\":%lld}", (long long)count);
  return es_result(output, len);
}
