//go:build wasip1

// The bank example's state view account-summary (param account_id, selector subject
// account/{account_id}): the balance and how many movements made it.
package main

import (
	"encoding/json"

	es "evidentsource.io/guests/evidentsource"
)

//go:wasmexport evidentsource_alloc
func alloc(size int32) int32 { return es.Alloc(size) }

type summary struct {
	AccountID string `json:"account_id"`
	Balance   int64  `json:"balance"`
	Movements int64  `json:"movements"`
}

type movement struct {
	Amount int64 `json:"amount"`
}

//go:wasmexport evidentsource_evolve
func evolve(statePtr, stateLen, eventsPtr, eventsLen, paramsPtr, paramsLen int32) int64 {
	var s summary
	if stateLen > 0 {
		if err := json.Unmarshal(es.Bytes(statePtr, stateLen), &s); err != nil {
			return es.Fail("bad state: " + err.Error())
		}
	}
	var params map[string]string
	if err := json.Unmarshal(es.Bytes(paramsPtr, paramsLen), &params); err != nil {
		return es.Fail("bad params: " + err.Error())
	}
	var events []es.Event
	if err := json.Unmarshal(es.Bytes(eventsPtr, eventsLen), &events); err != nil {
		return es.Fail("bad events: " + err.Error())
	}
	es.Release()
	s.AccountID = params["account_id"]
	for _, e := range events {
		var m movement
		if len(e.Data) > 0 {
			if err := json.Unmarshal(e.Data, &m); err != nil {
				return es.Fail("bad data in " + e.ID + ": " + err.Error())
			}
		}
		switch e.Type {
		case "Deposited", "Credited":
			s.Balance += m.Amount
		case "Debited":
			s.Balance -= m.Amount
		default:
			continue
		}
		s.Movements++
	}
	return es.JSON(s)
}

func main() {}
