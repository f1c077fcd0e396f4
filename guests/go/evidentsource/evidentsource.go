//go:build wasip1

// Package evidentsource is the guest side of the EvidentSource component ABI (docs/wasm-abi.md)
// for Go: memory handed to the host, packed results, the host imports view_state, error and log,
// and the JSON of docs/wasm-abi.md read and written with github.com/valyala/fastjson. It avoids
// encoding/json on purpose: its reflection runs slowly as WebAssembly (and allocates, which makes
// Go's garbage collector run), while fastjson parses into reused buffers without reflection.
// Build guests with GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared.
package evidentsource

import (
	"errors"
	"runtime"
	"strconv"
	"unsafe"

	"github.com/valyala/fastjson"
)

// inputs is where evidentsource_alloc places the host's inputs: one buffer reused by every call
// (a bump allocator that Release resets), so passing inputs allocates nothing once it is large
// enough. Go's garbage collector does not move objects, so the addresses stay valid.
var inputs []byte

// used is how much of inputs the current call's inputs take.
var used int

// pinned keeps the buffers of inputs that did not fit alive until Release.
var pinned [][]byte

// output keeps the last result alive until the host has copied it.
var output []byte

// out holds the JSON values a call builds for its result; reset once the result is written.
var out fastjson.Arena

// Alloc is the body of the evidentsource_alloc export: size bytes for the host to fill, valid
// until Release.
func Alloc(size int32) int32 {
	n := int(size)
	if n <= 0 {
		n = 1
	}
	n = (n + 7) &^ 7
	if used+n > len(inputs) {
		if used > 0 {
			pinned = append(pinned, inputs) // still holds this call's earlier inputs
		}
		c := 2 * len(inputs)
		if c < 64*1024 {
			c = 64 * 1024
		}
		for c < n {
			c *= 2
		}
		inputs, used = make([]byte, c), 0
	}
	p := &inputs[used]
	used += n
	return int32(uintptr(unsafe.Pointer(p)))
}

// input is the host's input at (ptr, len), still in the pinned buffer: read it before Release.
func input(ptr, length int32) []byte {
	if length == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(uintptr(ptr))), length)
}

// Bytes copies the host's input at (ptr, len) into Go memory.
func Bytes(ptr, length int32) []byte {
	if length == 0 {
		return nil
	}
	b := make([]byte, length)
	copy(b, input(ptr, length))
	return b
}

// Parse parses the host's JSON input at (ptr, len) with p (which copies it, so Release may follow).
// The value stays valid until p parses again; an empty input gives nil and no error.
func Parse(p *fastjson.Parser, ptr, length int32) (*fastjson.Value, error) {
	if length == 0 {
		return nil, nil
	}
	return p.ParseBytes(input(ptr, length))
}

// Release makes the inputs' memory reusable; call it once the inputs are parsed or copied.
func Release() {
	used = 0
	clear(pinned)
	pinned = pinned[:0]
}

// text is b as a string without copying: valid as long as b is.
func text(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// Result packs bytes as (ptr << 32) | len, keeping them alive until the next result.
func Result(b []byte) int64 {
	output = b
	if len(b) == 0 {
		return 0
	}
	return int64(uintptr(unsafe.Pointer(&b[0])))<<32 | int64(len(b))
}

// Fail reports msg as the component's error and returns the negative result to give the host.
func Fail(msg string) int64 {
	out.Reset()
	b := []byte(msg)
	if len(b) > 0 {
		hostError(int32(uintptr(unsafe.Pointer(&b[0]))), int32(len(b)))
	}
	runtime.KeepAlive(b)
	return -1
}

// JSON writes v as the result (a view's new state, a decision) and frees the values built since
// the last result.
func JSON(v *fastjson.Value) int64 {
	b := marshal(make([]byte, 0, len(output)), v)
	out.Reset()
	return Result(b)
}

// Object, Array, String, Int and Bool build JSON values for the result; they stay valid until
// the call writes its result with JSON, Decide, Reject or Fail.
func Object() *fastjson.Value { return out.NewObject() }

// Array is an empty JSON array; add items with SetArrayItem(i, v).
func Array() *fastjson.Value { return out.NewArray() }

// String is a JSON string.
func String(s string) *fastjson.Value { return out.NewString(s) }

// Int is a JSON number.
func Int(n int64) *fastjson.Value { return out.NewNumberString(strconv.FormatInt(n, 10)) }

// Bool is true or false.
func Bool(b bool) *fastjson.Value {
	if b {
		return out.NewTrue()
	}
	return out.NewFalse()
}

// Log writes a message to the server log (0 trace, 1 debug, 2 info, 3 warn, 4 error).
func Log(level int32, msg string) {
	b := []byte(msg)
	if len(b) > 0 {
		hostLog(level, int32(uintptr(unsafe.Pointer(&b[0]))), int32(len(b)))
	}
	runtime.KeepAlive(b)
}

// ViewResult is what ViewState returns: the read envelope of docs/wasm-abi.md (view_state).
type ViewResult struct {
	Database             string
	Name                 string
	Version              int
	Revision             int64
	LastModifiedRevision int64
	ContentType          string
	// Content is the view's state: a JSON value when the content type is JSON, else a JSON
	// string holding the state in base64. Valid until the next ViewState.
	Content *fastjson.Value
}

// views parses what view_state returns; one parser per read so both of a decision's results
// stay valid together.
var views []*fastjson.Parser
var viewReads int

// ViewState reads a state view at the decision's basis revision with its parameters given as
// name, value pairs; ok is false when the view has no state. Only a state change's decide may call
// it. Results stay valid until the decision writes its result.
func ViewState(name string, params ...string) (result ViewResult, ok bool, err error) {
	if len(params)%2 != 0 {
		return result, false, errors.New("ViewState needs parameter name, value pairs")
	}
	n := []byte(name)
	po := out.NewObject()
	for i := 0; i < len(params); i += 2 {
		po.Set(params[i], out.NewString(params[i+1]))
	}
	p := marshal(nil, po)
	packed := hostViewState(
		int32(uintptr(unsafe.Pointer(&n[0]))), int32(len(n)),
		int32(uintptr(unsafe.Pointer(&p[0]))), int32(len(p)))
	runtime.KeepAlive(n)
	runtime.KeepAlive(p)
	if packed == 0 {
		return result, false, nil
	}
	if viewReads == len(views) {
		views = append(views, new(fastjson.Parser))
	}
	parser := views[viewReads]
	viewReads++
	v, err := Parse(parser, int32(uint64(packed)>>32), int32(uint32(packed)))
	if err != nil {
		return result, false, err
	}
	if v.Type() != fastjson.TypeObject {
		return result, false, errors.New("view_state returned " + v.Type().String() + ", not an object")
	}
	result.Database = string(v.GetStringBytes("database"))
	result.Name = string(v.GetStringBytes("name"))
	result.Version = v.GetInt("version")
	result.Revision = v.GetInt64("revision")
	result.LastModifiedRevision = v.GetInt64("last_modified_revision")
	result.ContentType = string(v.GetStringBytes("content_type"))
	result.Content = v.Get("content")
	return result, true, nil
}

// Event is a CloudEvent as guests receive and return them. Data is the JSON data (nil when
// absent; a JSON string for non-JSON data).
type Event struct {
	ID              string
	Source          string
	SpecVersion     string
	Type            string
	Subject         string
	Time            string
	DataContentType string
	Data            *fastjson.Value
	Revision        int64
}

var events fastjson.Parser
var batch []Event

// Events reads the JSON array of CloudEvents evolve receives at (ptr, len). The events and their
// strings and Data stay valid until the next call of Events (they point into the parsed input).
func Events(ptr, length int32) ([]Event, error) {
	v, err := Parse(&events, ptr, length)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, nil
	}
	items, err := v.Array()
	if err != nil {
		return nil, err
	}
	clear(batch)
	batch = batch[:0]
	for _, e := range items {
		batch = append(batch, Event{
			ID:              text(e.GetStringBytes("id")),
			Source:          text(e.GetStringBytes("source")),
			SpecVersion:     text(e.GetStringBytes("specversion")),
			Type:            text(e.GetStringBytes("type")),
			Subject:         text(e.GetStringBytes("subject")),
			Time:            text(e.GetStringBytes("time")),
			DataContentType: text(e.GetStringBytes("datacontenttype")),
			Data:            e.Get("data"),
			Revision:        e.GetInt64("revision"),
		})
	}
	return batch, nil
}

var params fastjson.Parser

// Params reads the view's parameters evolve receives at (ptr, len): a JSON object of strings
// (an empty object when there are none). It stays valid until the next call of Params.
func Params(ptr, length int32) (*fastjson.Object, error) {
	v, err := Parse(&params, ptr, length)
	if err != nil {
		return nil, err
	}
	if v == nil {
		v = fastjson.MustParse("{}")
	}
	return v.Object()
}

// value is the JSON of an event a decision returns.
func (e Event) value() *fastjson.Value {
	o := out.NewObject()
	o.Set("id", out.NewString(e.ID))
	o.Set("source", out.NewString(e.Source))
	o.Set("specversion", out.NewString(e.SpecVersion))
	o.Set("type", out.NewString(e.Type))
	if e.Subject != "" {
		o.Set("subject", out.NewString(e.Subject))
	}
	if e.Time != "" {
		o.Set("time", out.NewString(e.Time))
	}
	if e.DataContentType != "" {
		o.Set("datacontenttype", out.NewString(e.DataContentType))
	}
	if e.Data != nil {
		o.Set("data", e.Data)
	}
	return o
}

// Selector and Condition are JSON values of docs/data-model.md (event selectors, append
// conditions), built for the decision's result.
type Selector = *fastjson.Value

// Condition is an append condition.
type Condition = *fastjson.Value

// SubjectIs selects the events with this subject.
func SubjectIs(subject string) Selector {
	attr := out.NewObject()
	attr.Set("subject", out.NewString(subject))
	s := out.NewObject()
	s.Set("type", out.NewString("equals"))
	s.Set("attr", attr)
	return s
}

// NothingSince holds when no event matching s was appended after revision r.
func NothingSince(s Selector, r int64) Condition {
	c := out.NewObject()
	c.Set("type", out.NewString("max"))
	c.Set("selector", s)
	c.Set("revision", Int(r))
	return c
}

// Decision is the output of decide that appends events under conditions.
type Decision struct {
	Events     []Event
	Conditions []Condition
}

// Decide writes d as the result of decide.
func Decide(d Decision) int64 {
	evs := out.NewArray()
	for i, e := range d.Events {
		evs.SetArrayItem(i, e.value())
	}
	cs := out.NewArray()
	for i, c := range d.Conditions {
		cs.SetArrayItem(i, c)
	}
	o := out.NewObject()
	o.Set("events", evs)
	o.Set("conditions", cs)
	return JSON(o)
}

// Reject writes a rejection of the command as the result of decide.
func Reject(code, message string) int64 {
	r := out.NewObject()
	r.Set("code", out.NewString(code))
	r.Set("message", out.NewString(message))
	o := out.NewObject()
	o.Set("rejection", r)
	return JSON(o)
}

// Command is the command a state change receives. Body is the JSON body (a JSON string for a
// non-JSON body), valid until the next ReadCommand.
type Command struct {
	ContentType string
	Headers     map[string]string
	Body        *fastjson.Value
}

var command fastjson.Parser

// ReadCommand reads the command decide receives at (ptr, len). It starts a decision: the
// results of earlier ViewState calls are dropped.
func ReadCommand(ptr, length int32) (Command, error) {
	viewReads = 0
	var c Command
	v, err := Parse(&command, ptr, length)
	if err != nil {
		return c, err
	}
	if v == nil || v.Type() != fastjson.TypeObject {
		return c, errors.New("the command is not a JSON object")
	}
	c.ContentType = string(v.GetStringBytes("content_type"))
	c.Headers = map[string]string{}
	if h := v.GetObject("headers"); h != nil {
		h.Visit(func(k []byte, s *fastjson.Value) {
			c.Headers[string(k)] = string(s.GetStringBytes())
		})
	}
	c.Body = v.Get("body")
	return c, nil
}

// Metadata is what decide learns about its call.
type Metadata struct {
	Database      string
	BasisRevision int64
	EffectiveTime string
	Principal     string
	CorrelationID string
	CausationID   string
}

var metadata fastjson.Parser

// ReadMetadata reads the metadata decide receives at (ptr, len).
func ReadMetadata(ptr, length int32) (Metadata, error) {
	var m Metadata
	v, err := Parse(&metadata, ptr, length)
	if err != nil || v == nil {
		return m, err
	}
	m.Database = string(v.GetStringBytes("database"))
	m.BasisRevision = v.GetInt64("basis_revision")
	m.EffectiveTime = string(v.GetStringBytes("effective_time"))
	m.Principal = string(v.GetStringBytes("principal"))
	m.CorrelationID = string(v.GetStringBytes("correlation_id"))
	m.CausationID = string(v.GetStringBytes("causation_id"))
	return m, nil
}

//go:wasmimport evidentsource view_state
func hostViewState(namePtr, nameLen, paramsPtr, paramsLen int32) int64

//go:wasmimport evidentsource error
func hostError(ptr, length int32)

//go:wasmimport evidentsource log
func hostLog(level, ptr, length int32)
