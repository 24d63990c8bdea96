package katsupay

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/assetkit/asset-go/internal/errs"
	"github.com/assetkit/asset-go/internal/httpcore"
	"github.com/assetkit/asset-go/sdkerr"
)

// name starts the messages of the errors katsupay shares with package
// asset (*InputError, *NetworkError).
const name = "katsupay"

// Sentinel errors, matched with errors.Is: an *Error matches the one for
// its status, an *InputError ErrValidation, and a create that may have
// happened ErrOutcomeUnknown. They are package sdkerr's, the same values
// as asset.ErrValidation and the others, so either name matches.
var (
	ErrUnauthorized   = sdkerr.ErrUnauthorized   // 401: the deployment wants credentials it was not sent
	ErrForbidden      = sdkerr.ErrForbidden      // 403
	ErrNotFound       = sdkerr.ErrNotFound       // 404
	ErrConflict       = sdkerr.ErrConflict       // 409
	ErrValidation     = sdkerr.ErrValidation     // 400, 422, succeeded false, and input refused before sending
	ErrRateLimited    = sdkerr.ErrRateLimited    // 429 after the allowed retries
	ErrServer         = sdkerr.ErrServer         // 5xx
	ErrOutcomeUnknown = sdkerr.ErrOutcomeUnknown // the invoice may have been created: check before creating it again
	ErrInvalidReply   = sdkerr.ErrInvalidReply   // a success status whose body is not a created invoice
)

// InputError is bad input caught before anything was sent: Field names the
// argument (e.g. "baseURL" or "products[0].quantity"), Reason says what is
// wrong with it. It matches ErrValidation and reads like "katsupay: invalid
// baseURL: ...". It is sdkerr.InputError, documented there, and the same
// type as asset.InputError.
type InputError = sdkerr.InputError

// NetworkError is a call that got no HTTP response: the connection could
// not be made, broke, or timed out, after the allowed retries. Method and
// Path name the call, Attempts how many times it was put on the wire.
// MayHaveApplied is true when the create may have reached the deployment;
// it then matches ErrOutcomeUnknown. Err is the cause: context.Canceled
// and context.DeadlineExceeded are matched through it. It is
// sdkerr.NetworkError, documented there, and the same type as
// asset.NetworkError.
type NetworkError = sdkerr.NetworkError

// inputError is katsupay's *InputError.
func inputError(field, reason string) *InputError { return errs.Input(name, field, reason) }

// Error is a refusal from Katsu Pay: an error status (400, 404, 500 are the
// documented ones), or a reply whose envelope says "succeeded": false
// whatever its status. It matches, with errors.Is, the sentinel for its
// status: ErrValidation (400, 422, and succeeded false on a 2xx),
// ErrUnauthorized, ErrForbidden, ErrNotFound, ErrConflict, ErrRateLimited,
// ErrServer (5xx); and ErrOutcomeUnknown for a 5xx or 3xx to a call that
// creates something, which may have been carried out before the server
// failed. The sentinels are asset's too: asset.ErrValidation matches alike.
type Error struct {
	// StatusCode is the HTTP status, e.g. 400; a 2xx when the envelope said
	// succeeded false.
	StatusCode int
	// Message is the server's summary (the envelope's message, or a .NET
	// problem's title or detail), else the status text.
	Message string
	// Errors are the server's individual complaints, from the envelope's
	// errors list or, for a .NET validation problem, "field: complaint".
	Errors []string
	// RetryAfter is the wait a 429 or 503 asked for, zero when none.
	RetryAfter time.Duration
	// Body is the raw response body, at most 64 KiB.
	Body []byte

	method, path   string
	mayHaveApplied bool
}

// Error reads like "katsupay: POST /api/v1/Invoice/Create: 400 Bad Request:
// Validation failed: products[0].quantity must be positive". It never holds
// credentials: a reply that quotes the token or the service key back, in
// any encoding, has them replaced by "[redacted]" in every field.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("katsupay: ")
	if e.method != "" {
		b.WriteString(e.method + " " + e.path + ": ")
	}
	b.WriteString(strconv.Itoa(e.StatusCode))
	if t := http.StatusText(e.StatusCode); t != "" {
		b.WriteString(" " + t)
	}
	if e.StatusCode >= 200 && e.StatusCode < 300 {
		b.WriteString(", succeeded false")
	}
	if e.Message != "" && !strings.EqualFold(e.Message, http.StatusText(e.StatusCode)) {
		b.WriteString(": " + e.Message)
	}
	for i, msg := range e.Errors {
		if i == 3 {
			fmt.Fprintf(&b, "; and %d more", len(e.Errors)-3)
			break
		}
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(msg)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter)
	}
	if e.mayHaveApplied {
		b.WriteString(" (outcome unknown: the invoice may have been created; check before retrying)")
	}
	return b.String()
}

// Is matches the asset sentinel for the status; see the type's comment.
func (e *Error) Is(target error) bool {
	switch {
	case target == ErrOutcomeUnknown:
		return e.mayHaveApplied
	case target == ErrValidation && e.StatusCode >= 200 && e.StatusCode < 300:
		return true // "succeeded": false, the deployment refused the input
	}
	// The statuses mean what they mean for the Asset API.
	return errs.StatusIs(e.StatusCode, target)
}

// Temporary reports whether the same call may succeed later unchanged and
// is safe to repeat: rate limits and timeouts that refused the request. A
// 5xx to a create is not: the invoice may exist (see ErrOutcomeUnknown),
// so check before creating it again.
func (e *Error) Temporary() bool {
	if e.mayHaveApplied {
		return false
	}
	return e.StatusCode == http.StatusTooManyRequests || e.StatusCode == http.StatusRequestTimeout || e.StatusCode >= 500
}

// newError reads an error reply. The documented body is the envelope
// {"succeeded": false, "message": ..., "errors": [...]}; ASP.NET's own
// problem details {"title", "detail", "errors": {"field": [...]}} come from
// its model validation before Katsu's code runs; anything else (a proxy's
// HTML page) is kept only in Body.
func newError(method, path string, r *reply, mayHaveApplied bool) *Error {
	e := &Error{
		StatusCode:     r.status,
		Body:           bytes.Clone(r.body[:min(len(r.body), maxErrorBody)]),
		method:         method,
		path:           path,
		mayHaveApplied: mayHaveApplied,
	}
	if r.status == http.StatusTooManyRequests || r.status == http.StatusServiceUnavailable {
		e.RetryAfter, _ = httpcore.ServerWait(r.header, time.Now())
	}
	if r.status >= 300 && r.status < 400 {
		e.Message = "redirect to " + httpcore.RedactQuery(r.header.Get("Location")) + " not followed: check the base URL"
		return e
	}
	var shape struct {
		Message json.RawMessage `json:"message"`
		Title   json.RawMessage `json:"title"`
		Detail  json.RawMessage `json:"detail"`
		Errors  json.RawMessage `json:"errors"`
	}
	if json.Unmarshal(r.body, &shape) == nil {
		for _, raw := range []json.RawMessage{shape.Message, shape.Title, shape.Detail} {
			if e.Message == "" {
				e.Message = rawString(raw)
			}
		}
		e.Errors = parseErrorList(shape.Errors)
	}
	if e.Message == "" {
		e.Message = http.StatusText(r.status)
	}
	return e
}

// parseErrorList reads the envelope's list of strings, or a .NET problem's
// map from field to complaints.
func parseErrorList(raw json.RawMessage) []string {
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) == nil {
		out := make([]string, 0, len(list))
		for _, item := range list {
			if s := rawString(item); s != "" {
				out = append(out, s)
			}
		}
		return nilIfEmpty(out)
	}
	var byField map[string]json.RawMessage
	if json.Unmarshal(raw, &byField) != nil {
		return nil
	}
	fields := make([]string, 0, len(byField))
	for f := range byField {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	var out []string
	for _, f := range fields {
		msgs := parseErrorList(byField[f])
		if msgs == nil {
			if s := rawString(byField[f]); s != "" {
				msgs = []string{s}
			}
		}
		for _, m := range msgs {
			out = append(out, f+": "+m)
		}
	}
	return out
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// rawString renders a JSON value as text: a string without its quotes, null
// and absence as "", anything else as written.
func rawString(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// replyError is a success status whose body is not a created invoice.
type replyError struct {
	method, path string
	status       int
	body         []byte
	reason       string
	err          error
}

func (e *replyError) Error() string {
	msg := fmt.Sprintf("katsupay: %s %s: %d reply %s", e.method, e.path, e.status, e.reason)
	if len(e.body) > 0 {
		msg += fmt.Sprintf(" (body starts %.120q)", e.body)
	}
	if e.err != nil {
		// The cause may be asset.Decimal's, which names package asset.
		msg += ": " + strings.TrimPrefix(e.err.Error(), "asset: ")
	}
	return msg + " (outcome unknown: the server reported success, so the invoice was most likely created; check before retrying)"
}

func (e *replyError) Unwrap() error { return e.err }

// Is matches ErrInvalidReply, and ErrOutcomeUnknown: the status
// said success but the invoice's id is unknown.
func (e *replyError) Is(target error) bool {
	return target == ErrInvalidReply || target == ErrOutcomeUnknown
}
