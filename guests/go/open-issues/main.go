//go:build wasip1

// A state view over GitHub webhook events (samples/github-webhooks.ndjson), selector
// {"type":"starts_with","attr":{"event_type":"com.github.issues."}}: the open issues per
// repository. An issue's state is the issue.state of its latest event; a deleted or transferred
// issue leaves its repository.
package main

import (
	"encoding/json"
	"strconv"

	es "evidentsource.io/guests/evidentsource"
)

//go:wasmexport evidentsource_alloc
func alloc(size int32) int32 { return es.Alloc(size) }

type state struct {
	OpenIssues map[string]int               `json:"open_issues"`
	Issues     map[string]map[string]string `json:"issues"`
}

type payload struct {
	Action string `json:"action"`
	Issue  *struct {
		Number int    `json:"number"`
		State  string `json:"state"`
	} `json:"issue"`
}

//go:wasmexport evidentsource_evolve
func evolve(statePtr, stateLen, eventsPtr, eventsLen, paramsPtr, paramsLen int32) int64 {
	s := state{OpenIssues: map[string]int{}, Issues: map[string]map[string]string{}}
	if stateLen > 0 {
		if err := json.Unmarshal(es.Bytes(statePtr, stateLen), &s); err != nil {
			return es.Fail("bad state: " + err.Error())
		}
	}
	var events []es.Event
	if err := json.Unmarshal(es.Bytes(eventsPtr, eventsLen), &events); err != nil {
		return es.Fail("bad events: " + err.Error())
	}
	es.Release()
	for _, e := range events {
		var p payload
		if err := json.Unmarshal(e.Data, &p); err != nil || p.Issue == nil {
			continue
		}
		repo, number := e.Source, strconv.Itoa(p.Issue.Number)
		if s.Issues[repo] == nil {
			s.Issues[repo] = map[string]string{}
		}
		switch {
		case p.Action == "deleted" || p.Action == "transferred":
			delete(s.Issues[repo], number)
		case p.Issue.State != "":
			s.Issues[repo][number] = p.Issue.State
		}
	}
	s.OpenIssues = map[string]int{}
	for repo, issues := range s.Issues {
		open := 0
		for _, st := range issues {
			if st == "open" {
				open++
			}
		}
		s.OpenIssues[repo] = open
	}
	return es.JSON(s)
}

func main() {}
