//go:build wasip1

// The bank example's state change transfer: moves money between two accounts. It reads both
// accounts' summaries and guards the append with a condition on each account's subject, so two
// concurrent transfers can never overdraw an account: the later one fails with 409 and its client
// sends the command again, to be decided on fresh state.
package main

import (
	"strconv"

	es "evidentsource.io/guests/evidentsource"
)

//go:wasmexport evidentsource_alloc
func alloc(size int32) int32 { return es.Alloc(size) }

// account reads the summary of an account: its balance and the revision it was last changed at.
func account(id string) (balance int64, revision int64, err error) {
	r, ok, err := es.ViewState("account-summary", "account_id", id)
	if err != nil || !ok {
		return 0, 0, err
	}
	return r.Content.GetInt64("balance"), r.LastModifiedRevision, nil
}

//go:wasmexport evidentsource_decide
func decide(commandPtr, commandLen, metadataPtr, metadataLen int32) int64 {
	cmd, err := es.ReadCommand(commandPtr, commandLen)
	if err != nil {
		return es.Fail("bad command: " + err.Error())
	}
	es.Release()
	body := cmd.Body
	if body.GetObject() == nil {
		return es.Reject("invalid_transfer", "the body is not a transfer: a JSON object is needed")
	}
	id := string(body.GetStringBytes("transfer_id"))
	from := string(body.GetStringBytes("from"))
	to := string(body.GetStringBytes("to"))
	amount := body.GetInt64("amount")
	if amount <= 0 || from == "" || to == "" || from == to || id == "" {
		return es.Reject("invalid_transfer",
			"a transfer needs transfer_id, two different accounts and a positive amount")
	}
	fromBalance, fromRevision, err := account(from)
	if err != nil {
		return es.Fail("reading " + from + ": " + err.Error())
	}
	_, toRevision, err := account(to)
	if err != nil {
		return es.Fail("reading " + to + ": " + err.Error())
	}
	if fromBalance < amount {
		return es.Reject("insufficient_funds", "account "+from+" holds "+
			strconv.FormatInt(fromBalance, 10)+", cannot transfer "+strconv.FormatInt(amount, 10))
	}
	data := es.Object()
	data.Set("amount", es.Int(amount))
	data.Set("transfer_id", es.String(id))
	fromSubject, toSubject := "account/"+from, "account/"+to
	return es.Decide(es.Decision{
		Events: []es.Event{
			{ID: id + "-debit", Source: "bank", SpecVersion: "1.0", Type: "Debited",
				Subject: fromSubject, DataContentType: "application/json", Data: data},
			{ID: id + "-credit", Source: "bank", SpecVersion: "1.0", Type: "Credited",
				Subject: toSubject, DataContentType: "application/json", Data: data},
		},
		Conditions: []es.Condition{
			es.NothingSince(es.SubjectIs(fromSubject), fromRevision),
			es.NothingSince(es.SubjectIs(toSubject), toRevision),
		},
	})
}

func main() {}
