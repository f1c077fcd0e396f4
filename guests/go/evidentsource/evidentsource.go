//go:build wasip1

// Package evidentsource is the guest side of the EvidentSource component ABI (docs/wasm-abi.md)
// for Go: memory handed to the host, packed results, and the host imports view_state, error and
// log. Build guests with GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared.
package evidentsource

import (
	"encoding/json"
	"unsafe"
)

// pinned keeps the buffers the host filled alive until the guest call has read them.
var pinned [][]byte

// output keeps the last result alive until the host has copied it.
var output []byte

// Alloc is the body of the evidentsource_alloc export.
func Alloc(size int32) int32 {
	if size <= 0 {
		size = 1
	}
	b := make([]byte, size)
	pinned = append(pinned, b)
	return int32(uintptr(unsafe.Pointer(&b[0])))
}

// Bytes copies the host's input at (ptr, len) into Go memory.
func Bytes(ptr, length int32) []byte {
	if length == 0 {
		return nil
	}
	src := unsafe.Slice((*byte)(unsafe.Pointer(uintptr(ptr))), length)
	out := make([]byte, length)
	copy(out, src)
	return out
}

// Release drops the input buffers; call it once the inputs are copied.
func Release() { pinned = pinned[:0] }

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
	b := []byte(msg)
	if len(b) > 0 {
		hostError(int32(uintptr(unsafe.Pointer(&b[0]))), int32(len(b)))
	}
	return -1
}

// JSON marshals v as the result, or fails with the marshalling error.
func JSON(v any) int64 {
	b, err := json.Marshal(v)
	if err != nil {
		return Fail(err.Error())
	}
	return Result(b)
}

// Log writes a message to the server log (0 trace, 1 debug, 2 info, 3 warn, 4 error).
func Log(level int32, msg string) {
	b := []byte(msg)
	if len(b) > 0 {
		hostLog(level, int32(uintptr(unsafe.Pointer(&b[0]))), int32(len(b)))
	}
}

// ViewResult is what ViewState returns: the read envelope of DESIGN §2.
type ViewResult struct {
	Database             string          `json:"database"`
	Name                 string          `json:"name"`
	Version              int             `json:"version"`
	Revision             int64           `json:"revision"`
	LastModifiedRevision int64           `json:"last_modified_revision"`
	ContentType          string          `json:"content_type"`
	Content              json.RawMessage `json:"content"`
}

// ViewState reads a state view at the decision's basis revision; ok is false when the view has
// no state. Only a state change's decide may call it.
func ViewState(name string, params map[string]string) (result ViewResult, ok bool, err error) {
	n := []byte(name)
	p, err := json.Marshal(params)
	if err != nil {
		return result, false, err
	}
	packed := hostViewState(
		int32(uintptr(unsafe.Pointer(&n[0]))), int32(len(n)),
		int32(uintptr(unsafe.Pointer(&p[0]))), int32(len(p)))
	if packed == 0 {
		return result, false, nil
	}
	raw := Bytes(int32(uint64(packed)>>32), int32(uint32(packed)))
	err = json.Unmarshal(raw, &result)
	return result, err == nil, err
}

// Event is a CloudEvent as guests receive and return them.
type Event struct {
	ID              string          `json:"id"`
	Source          string          `json:"source"`
	SpecVersion     string          `json:"specversion"`
	Type            string          `json:"type"`
	Subject         string          `json:"subject,omitempty"`
	Time            string          `json:"time,omitempty"`
	DataContentType string          `json:"datacontenttype,omitempty"`
	Data            json.RawMessage `json:"data,omitempty"`
	Revision        int64           `json:"revision,omitempty"`
}

// Selector, Condition and Decision are the JSON shapes of DESIGN §2.
type Selector map[string]any

// SubjectIs selects the events with this subject.
func SubjectIs(subject string) Selector {
	return Selector{"type": "equals", "attr": map[string]any{"subject": subject}}
}

// Condition is an append condition.
type Condition map[string]any

// NothingSince holds when no event matching s was appended after revision r.
func NothingSince(s Selector, r int64) Condition {
	return Condition{"type": "max", "selector": s, "revision": r}
}

// Decision is the output of decide.
type Decision struct {
	Events     []Event     `json:"events"`
	Conditions []Condition `json:"conditions"`
}

// Rejection is the output of decide that refuses the command.
type Rejection struct {
	Rejection struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"rejection"`
}

// Reject builds a rejection.
func Reject(code, message string) Rejection {
	var r Rejection
	r.Rejection.Code = code
	r.Rejection.Message = message
	return r
}

// Command is the command a state change receives.
type Command struct {
	ContentType string            `json:"content_type"`
	Headers     map[string]string `json:"headers"`
	Body        json.RawMessage   `json:"body"`
}

// Metadata is what decide learns about its call.
type Metadata struct {
	Database      string `json:"database"`
	BasisRevision int64  `json:"basis_revision"`
	EffectiveTime string `json:"effective_time"`
	Principal     string `json:"principal"`
	CorrelationID string `json:"correlation_id"`
	CausationID   string `json:"causation_id"`
}

//go:wasmimport evidentsource view_state
func hostViewState(namePtr, nameLen, paramsPtr, paramsLen int32) int64

//go:wasmimport evidentsource error
func hostError(ptr, length int32)

//go:wasmimport evidentsource log
func hostLog(level, ptr, length int32)
