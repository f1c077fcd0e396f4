//go:build wasip1

// A state view over GitHub webhook events (samples/github-webhooks.ndjson), selector
// {"type":"starts_with","attr":{"event_type":"com.github.issues."}}: the open issues per
// repository. An issue's state is the issue.state of its latest event; a deleted or transferred
// issue leaves its repository.
package main

import (
	"strconv"

	es "evidentsource.io/guests/evidentsource"
	"github.com/valyala/fastjson"
)

//go:wasmexport evidentsource_alloc
func alloc(size int32) int32 { return es.Alloc(size) }

var previous fastjson.Parser

//go:wasmexport evidentsource_evolve
func evolve(statePtr, stateLen, eventsPtr, eventsLen, paramsPtr, paramsLen int32) int64 {
	// repository -> issue number -> state
	issues := map[string]map[string]string{}
	state, err := es.Parse(&previous, statePtr, stateLen)
	if err != nil {
		return es.Fail("bad state: " + err.Error())
	}
	if o := state.GetObject("issues"); o != nil {
		o.Visit(func(repo []byte, v *fastjson.Value) {
			m := map[string]string{}
			if numbers := v.GetObject(); numbers != nil {
				numbers.Visit(func(number []byte, st *fastjson.Value) {
					m[string(number)] = string(st.GetStringBytes())
				})
			}
			issues[string(repo)] = m
		})
	}
	events, err := es.Events(eventsPtr, eventsLen)
	if err != nil {
		return es.Fail("bad events: " + err.Error())
	}
	es.Release()
	for _, e := range events {
		issue := e.Data.Get("issue")
		if issue == nil || issue.Type() != fastjson.TypeObject {
			continue
		}
		action := string(e.Data.GetStringBytes("action"))
		repo, number := e.Source, strconv.Itoa(issue.GetInt("number"))
		if issues[repo] == nil {
			issues[repo] = map[string]string{}
		}
		switch st := string(issue.GetStringBytes("state")); {
		case action == "deleted" || action == "transferred":
			delete(issues[repo], number)
		case st != "":
			issues[repo][number] = st
		}
	}
	open, all := es.Object(), es.Object()
	for repo, numbers := range issues {
		n := 0
		states := es.Object()
		for number, st := range numbers {
			if st == "open" {
				n++
			}
			states.Set(number, es.String(st))
		}
		open.Set(repo, es.Int(int64(n)))
		all.Set(repo, states)
	}
	s := es.Object()
	s.Set("open_issues", open)
	s.Set("issues", all)
	return es.JSON(s)
}

func main() {}
