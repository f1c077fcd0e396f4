//go:build wasip1

// A state view counting the events folded into it; the state is {"count":N}.
package main

import (
	"encoding/json"

	es "evidentsource.io/guests/evidentsource"
)

//go:wasmexport evidentsource_alloc
func alloc(size int32) int32 { return es.Alloc(size) }

type state struct {
	Count int64 `json:"count"`
}

//go:wasmexport evidentsource_evolve
func evolve(statePtr, stateLen, eventsPtr, eventsLen, paramsPtr, paramsLen int32) int64 {
	var s state
	if stateLen > 0 {
		if err := json.Unmarshal(es.Bytes(statePtr, stateLen), &s); err != nil {
			return es.Fail("bad state: " + err.Error())
		}
	}
	var events []json.RawMessage
	if err := json.Unmarshal(es.Bytes(eventsPtr, eventsLen), &events); err != nil {
		return es.Fail("bad events: " + err.Error())
	}
	es.Release()
	s.Count += int64(len(events))
	return es.JSON(s)
}

func main() {}
