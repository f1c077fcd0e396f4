//go:build wasip1

// The bank example's state view account-summary (param account_id, selector subject
// account/{account_id}): the balance and how many movements made it.
package main

import (
	es "evidentsource.io/guests/evidentsource"
	"github.com/valyala/fastjson"
)

//go:wasmexport evidentsource_alloc
func alloc(size int32) int32 { return es.Alloc(size) }

var previous fastjson.Parser

//go:wasmexport evidentsource_evolve
func evolve(statePtr, stateLen, eventsPtr, eventsLen, paramsPtr, paramsLen int32) int64 {
	var balance, movements int64
	state, err := es.Parse(&previous, statePtr, stateLen)
	if err != nil {
		return es.Fail("bad state: " + err.Error())
	}
	if state != nil {
		balance, movements = state.GetInt64("balance"), state.GetInt64("movements")
	}
	params, err := es.Params(paramsPtr, paramsLen)
	if err != nil {
		return es.Fail("bad params: " + err.Error())
	}
	events, err := es.Events(eventsPtr, eventsLen)
	if err != nil {
		return es.Fail("bad events: " + err.Error())
	}
	es.Release()
	for _, e := range events {
		var amount int64
		if a := e.Data.Get("amount"); a != nil {
			if amount, err = a.Int64(); err != nil {
				return es.Fail("bad data in " + e.ID + ": " + err.Error())
			}
		}
		switch e.Type {
		case "Deposited", "Credited":
			balance += amount
		case "Debited":
			balance -= amount
		default:
			continue
		}
		movements++
	}
	s := es.Object()
	s.Set("account_id", es.String(string(params.Get("account_id").GetStringBytes())))
	s.Set("balance", es.Int(balance))
	s.Set("movements", es.Int(movements))
	return es.JSON(s)
}

func main() {}
