//go:build wasip1

// A state view counting the events folded into it; the state is {"count":N}.
package main

import (
	es "evidentsource.io/guests/evidentsource"
	"github.com/valyala/fastjson"
)

//go:wasmexport evidentsource_alloc
func alloc(size int32) int32 { return es.Alloc(size) }

var previous, batch fastjson.Parser

//go:wasmexport evidentsource_evolve
func evolve(statePtr, stateLen, eventsPtr, eventsLen, paramsPtr, paramsLen int32) int64 {
	state, err := es.Parse(&previous, statePtr, stateLen)
	if err != nil {
		return es.Fail("bad state: " + err.Error())
	}
	events, err := es.Parse(&batch, eventsPtr, eventsLen)
	if err != nil {
		return es.Fail("bad events: " + err.Error())
	}
	es.Release()
	count := state.GetInt64("count") + int64(len(events.GetArray()))
	s := es.Object()
	s.Set("count", es.Int(count))
	return es.JSON(s)
}

func main() {}
