//go:build wasip1

// The bank example's state change transfer: moves money between two accounts. It reads both
// accounts' summaries and guards the append with a condition on each account's subject, so two
// concurrent transfers can never overdraw an account: the later one fails with 409 and is retried
// with fresh state.
package main

import (
	"encoding/json"
	"fmt"

	es "evidentsource.io/guests/evidentsource"
)

//go:wasmexport evidentsource_alloc
func alloc(size int32) int32 { return es.Alloc(size) }

type transfer struct {
	TransferID string `json:"transfer_id"`
	From       string `json:"from"`
	To         string `json:"to"`
	Amount     int64  `json:"amount"`
}

type summary struct {
	Balance int64 `json:"balance"`
}

// account reads the summary of an account: its balance and the revision it was last changed at.
func account(id string) (balance int64, revision int64, err error) {
	r, ok, err := es.ViewState("account-summary", map[string]string{"account_id": id})
	if err != nil || !ok {
		return 0, 0, err
	}
	var s summary
	if err := json.Unmarshal(r.Content, &s); err != nil {
		return 0, 0, err
	}
	return s.Balance, r.LastModifiedRevision, nil
}

//go:wasmexport evidentsource_decide
func decide(commandPtr, commandLen, metadataPtr, metadataLen int32) int64 {
	var cmd es.Command
	if err := json.Unmarshal(es.Bytes(commandPtr, commandLen), &cmd); err != nil {
		return es.Fail("bad command: " + err.Error())
	}
	es.Release()
	var t transfer
	if err := json.Unmarshal(cmd.Body, &t); err != nil {
		return es.JSON(es.Reject("invalid_transfer", "the body is not a transfer: "+err.Error()))
	}
	if t.Amount <= 0 || t.From == "" || t.To == "" || t.From == t.To || t.TransferID == "" {
		return es.JSON(es.Reject("invalid_transfer",
			"a transfer needs transfer_id, two different accounts and a positive amount"))
	}
	fromBalance, fromRevision, err := account(t.From)
	if err != nil {
		return es.Fail("reading " + t.From + ": " + err.Error())
	}
	_, toRevision, err := account(t.To)
	if err != nil {
		return es.Fail("reading " + t.To + ": " + err.Error())
	}
	if fromBalance < t.Amount {
		return es.JSON(es.Reject("insufficient_funds",
			fmt.Sprintf("account %s holds %d, cannot transfer %d", t.From, fromBalance, t.Amount)))
	}
	data := json.RawMessage(fmt.Sprintf(`{"amount":%d,"transfer_id":%q}`, t.Amount, t.TransferID))
	from, to := "account/"+t.From, "account/"+t.To
	return es.JSON(es.Decision{
		Events: []es.Event{
			{ID: t.TransferID + "-debit", Source: "bank", SpecVersion: "1.0", Type: "Debited",
				Subject: from, DataContentType: "application/json", Data: data},
			{ID: t.TransferID + "-credit", Source: "bank", SpecVersion: "1.0", Type: "Credited",
				Subject: to, DataContentType: "application/json", Data: data},
		},
		Conditions: []es.Condition{
			es.NothingSince(es.SubjectIs(from), fromRevision),
			es.NothingSince(es.SubjectIs(to), toRevision),
		},
	})
}

func main() {}
