// A state view counting the events folded into it; the state is {"count":N}.
// Build: npx asc counter.ts --outFile counter.wasm --optimize --runtime stub
import { alloc, countTopLevelObjects, firstNumber, result } from "./evidentsource";

export function evidentsource_alloc(len: usize): usize {
  return alloc(len);
}

export function evidentsource_evolve(
  statePtr: i32, stateLen: i32, eventsPtr: i32, eventsLen: i32, paramsPtr: i32, paramsLen: i32,
): i64 {
  const count = firstNumber(statePtr, stateLen) + countTopLevelObjects(eventsPtr, eventsLen);
  return result(String.UTF8.encode(`{"count":${count}}`));
}
