package asset

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/assetkit/asset-go/internal/errs"
	"github.com/assetkit/asset-go/internal/httpcore"
	"github.com/assetkit/asset-go/sdkerr"
)

// Sentinel errors, matched with errors.Is. An *APIError matches the one for
// its status; an *InputError matches ErrValidation. The first seven and
// ErrOutcomeUnknown are package sdkerr's, which katsupay's errors match
// too.
var (
	ErrUnauthorized = sdkerr.ErrUnauthorized             // 401: token missing, expired or revoked
	ErrForbidden    = sdkerr.ErrForbidden                // 403: the token lacks a scope or the business
	ErrNotFound     = sdkerr.ErrNotFound                 // 404
	ErrConflict     = sdkerr.ErrConflict                 // 409
	ErrValidation   = sdkerr.ErrValidation               // 400, 422, and input refused before sending
	ErrRateLimited  = sdkerr.ErrRateLimited              // 429 after the allowed retries
	ErrServer       = sdkerr.ErrServer                   // 5xx after the allowed retries
	ErrNoMorePages  = errors.New("asset: no more pages") // a Pager has no page in that direction
	ErrInvalidReply = sdkerr.ErrInvalidReply             // a success status with a body that does not decode

	// ErrPageLoop ends a walk by All that would not end by itself: the
	// server sent a page token twice in one walk, 1,000 empty pages in a
	// row each naming a next one, or more than 100,000 pages. A Pager has
	// no such bounds, and can go on from the last page's token.
	ErrPageLoop = errors.New("asset: page walk does not end")

	// ErrOutcomeUnknown marks a failed call that changes state (create,
	// update, write off, apply payment) which may nonetheless have been
	// applied: the connection broke after the request was sent, or the server
	// answered 5xx or a redirect. The API has no idempotency key, so the SDK does not retry
	// it; look before trying again: Invoices.FindByNumbers after a create,
	// Get after an update or a payment (CreateMany settles its own).
	ErrOutcomeUnknown = sdkerr.ErrOutcomeUnknown
)

// APIError is a response with an error status, after the allowed retries.
type APIError struct {
	// StatusCode is the HTTP status, e.g. 422.
	StatusCode int
	// Message is the server's own summary, or the status text.
	Message string
	// Details are FastAPI's validation entries, one per refused field.
	Details []ErrorDetail
	// RequestID is the x-request-id header: quote it to Asset's support.
	RequestID string
	// RetryAfter is the wait the server asked for (Retry-After, else
	// x-ratelimit-reset), zero when none.
	RetryAfter time.Duration
	// Body is the response body as sent, at most 64 KiB, any credential
	// of the request it quotes redacted.
	Body []byte

	method, path   string
	mayHaveApplied bool
}

// ErrorDetail is one entry of a FastAPI validation error.
type ErrorDetail struct {
	// Location is where the error is, e.g. ["body", "0", "number"].
	Location []string
	// Message is the human sentence, e.g. "field required".
	Message string
	// Type is pydantic's error code, e.g. "missing".
	Type string
	// Ctx is the entry's "ctx" as sent, the values the message speaks of,
	// e.g. {"decimal_places": 2}; nil when absent. Decode it with
	// json.Unmarshal into what the Type leads you to expect.
	Ctx json.RawMessage
	// Input is the entry's "input" as sent (pydantic v2): the value that
	// was refused, e.g. "1.005", or the object a required field is
	// missing from; nil when absent.
	Input json.RawMessage
}

// Error reads like "asset: POST /v0/business/biz_1/invoice: 422 Unprocessable
// Entity: body.0.number: field required (request id req_9)". It never holds
// the token, which travels only in a header.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("asset: ")
	if e.method != "" {
		b.WriteString(e.method + " " + e.path + ": ")
	}
	b.WriteString(strconv.Itoa(e.StatusCode))
	if t := http.StatusText(e.StatusCode); t != "" {
		b.WriteString(" " + t)
	}
	switch {
	case len(e.Details) > 0:
		for i, d := range e.Details {
			if i == 3 {
				fmt.Fprintf(&b, "; and %d more", len(e.Details)-3)
				break
			}
			sep := "; "
			if i == 0 {
				sep = ": "
			}
			b.WriteString(sep)
			if len(d.Location) > 0 {
				b.WriteString(strings.Join(d.Location, ".") + ": ")
			}
			b.WriteString(d.Message)
		}
	case e.Message != "" && e.Message != http.StatusText(e.StatusCode):
		b.WriteString(": " + e.Message)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter)
	}
	if e.mayHaveApplied {
		b.WriteString(" (outcome unknown: the change may have been applied; check before retrying)")
	}
	if e.RequestID != "" {
		b.WriteString(" (request id " + e.RequestID + ")")
	}
	return b.String()
}

// Is matches the sentinel for the status, and ErrOutcomeUnknown for a 5xx
// or 3xx answer to a call that changes state.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrOutcomeUnknown:
		return e.mayHaveApplied
	}
	return errs.StatusIs(e.StatusCode, target)
}

// Temporary reports whether the same call may succeed later unchanged and
// is safe to repeat: rate limits, timeouts and server errors, but not a
// change that may have been applied (see ErrOutcomeUnknown), which a
// generic retry helper must not send again.
func (e *APIError) Temporary() bool {
	if e.mayHaveApplied {
		return false
	}
	return e.StatusCode == http.StatusTooManyRequests || e.StatusCode == http.StatusRequestTimeout || e.StatusCode >= 500
}

// parseErrorBody fills Message and Details from the documented shapes:
// FastAPI's {"detail": [...]} and {"detail": "..."}, and {"error": "..."} or
// {"message": "..."}. Any other body stays only in Body.
func (e *APIError) parseErrorBody(body []byte) {
	var shape struct {
		Detail  json.RawMessage `json:"detail"`
		Error   json.RawMessage `json:"error"`
		Message json.RawMessage `json:"message"`
	}
	if json.Unmarshal(body, &shape) == nil {
		if len(shape.Detail) > 0 {
			var items []struct {
				Loc   []json.RawMessage `json:"loc"`
				Msg   string            `json:"msg"`
				Type  string            `json:"type"`
				Ctx   json.RawMessage   `json:"ctx"`
				Input json.RawMessage   `json:"input"`
			}
			if json.Unmarshal(shape.Detail, &items) == nil {
				for _, it := range items {
					d := ErrorDetail{Message: it.Msg, Type: it.Type, Ctx: it.Ctx, Input: it.Input}
					for _, l := range it.Loc {
						d.Location = append(d.Location, rawString(l))
					}
					e.Details = append(e.Details, d)
				}
				if len(e.Details) > 0 {
					e.Message = e.Details[0].Message
				}
			} else {
				e.Message = rawString(shape.Detail)
			}
		}
		for _, raw := range []json.RawMessage{shape.Error, shape.Message} {
			if e.Message == "" && len(raw) > 0 {
				e.Message = rawString(raw)
			}
		}
	}
	if e.Message == "" {
		e.Message = http.StatusText(e.StatusCode)
	}
}

// rawString renders a JSON value as text: a string without its quotes,
// anything else as written.
func rawString(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// InputError is bad input caught before anything was sent: Field names the
// argument (e.g. "businessID" or "invoices[2].lines[0].unit_price"), Reason
// says what is wrong with it. It matches ErrValidation, and reads like
// "asset: invalid businessID: is empty" ("katsupay: ..." from katsupay,
// which returns it too). It is sdkerr.InputError, documented there.
type InputError = sdkerr.InputError

// BatchError reports the items of a batch create that were not created:
// invoices of Invoices.Create or CreateMany, credit memos of
// CreditMemos.Create. Each returns it together with the items that were.
type BatchError struct {
	// Failures has one entry per item that was not created.
	Failures []BatchFailure

	// kind names the items in messages; "" is "invoice".
	kind string
}

// BatchFailure is one item of a batch that was not created; the fields
// below say invoice, and mean a credit memo as well.
type BatchFailure struct {
	// Number is the invoice number as sent.
	Number string
	// Index is the invoice's position in the slice given to Create or
	// CreateMany, or -1 when the server named a number that was not in it.
	Index int
	// Message is the server's reason, or says what became of the invoice.
	Message string
	// Err, when not nil, is the error that kept the invoice from being
	// created when the server did not refuse it alone: the batch's
	// *APIError, an error matching ErrOutcomeUnknown (the invoice may
	// exist: the response left it out, or its answer was lost), or the
	// context's error for an invoice CreateMany never sent. Match it with
	// errors.Is. It is nil when the server refused the invoice itself.
	Err error
}

// Error names the first invoice that was not created and why, and how many
// others were not.
func (e *BatchError) Error() string {
	kind := e.kind
	if kind == "" {
		kind = "invoice"
	}
	switch len(e.Failures) {
	case 0:
		return "asset: batch error with no failures"
	case 1:
		f := e.Failures[0]
		return fmt.Sprintf("asset: %s %q was not created: %s", kind, f.Number, f.Message)
	}
	return fmt.Sprintf("asset: %d %ss were not created, the first %q: %s",
		len(e.Failures), kind, e.Failures[0].Number, e.Failures[0].Message)
}

// Is reports whether any failure's Err matches target: errors.Is(err,
// ErrOutcomeUnknown) is true when some invoice may have been created after
// all, and errors.Is(err, context.Canceled) when some were never sent.
func (e *BatchError) Is(target error) bool {
	for _, f := range e.Failures {
		if f.Err != nil && errors.Is(f.Err, target) {
			return true
		}
	}
	return false
}

// Numbers lists the numbers of the invoices that were not created.
func (e *BatchError) Numbers() []string {
	out := make([]string, len(e.Failures))
	for i, f := range e.Failures {
		out[i] = f.Number
	}
	return out
}

// NetworkError is a call that got no HTTP response: the connection could
// not be made, broke, or timed out, after the allowed retries. Method and
// Path name the call (without its query string), Attempts how many times it
// was put on the wire. MayHaveApplied is true for a call that changes state
// whose request may have reached the server; it then matches
// ErrOutcomeUnknown. Err is the cause: context.Canceled and
// context.DeadlineExceeded are matched through it. katsupay returns it too,
// its message then starting "katsupay: ". It is sdkerr.NetworkError,
// documented there.
type NetworkError = sdkerr.NetworkError

// DecodeError is a success status whose body could not be read as the
// documented JSON: a proxy's HTML page, a truncated or oversized body.
type DecodeError struct {
	// StatusCode is the HTTP status, 2xx.
	StatusCode int
	// ContentType is the response's Content-Type header.
	ContentType string
	// RequestID is the x-request-id header.
	RequestID string
	// Body is the start of the body, at most 64 KiB; empty for the token
	// endpoint, whose success body is a credential.
	Body []byte
	// Err is the decoding error.
	Err error

	method, path   string
	mayHaveApplied bool
}

// Error names the call, the status and Content-Type, and the decoding
// failure; for a change, it says the change most likely went through.
func (e *DecodeError) Error() string {
	msg := fmt.Sprintf("asset: %s %s: %d response could not be decoded (Content-Type %q): %v",
		e.method, e.path, e.StatusCode, e.ContentType, e.Err)
	if e.mayHaveApplied {
		msg += " (the server reported success, so the change was most likely applied: look before repeating it)"
	}
	if e.RequestID != "" {
		msg += " (request id " + e.RequestID + ")"
	}
	return msg
}

// Unwrap returns the decoding error.
func (e *DecodeError) Unwrap() error { return e.Err }

// Is matches ErrInvalidReply, and ErrOutcomeUnknown for a call that changes
// state: the server answered success, but what it did cannot be read.
func (e *DecodeError) Is(target error) bool {
	return target == ErrInvalidReply || target == ErrOutcomeUnknown && e.mayHaveApplied
}

// sendError is the error for a call that got no response to hand back.
func sendError(hr *httpcore.Request, path string, outcome httpcore.Outcome, err error) error {
	mayHaveApplied := !hr.Idempotent && outcome.MaybeApplied
	var paceErr *httpcore.PaceError
	if errors.As(err, &paceErr) {
		if mayHaveApplied {
			// An earlier try, retried under WithRetryNonIdempotent, may
			// have gone through before the wait for a slot was abandoned.
			return fmt.Errorf("asset: %s %s: gave up waiting for the rate limit: %w: %w: %v", hr.Method, path, ErrRateLimited, ErrOutcomeUnknown, paceErr)
		}
		return fmt.Errorf("asset: %s %s: gave up waiting for the rate limit: %w: %v", hr.Method, path, ErrRateLimited, paceErr)
	}
	var limErr *httpcore.LimiterError
	if errors.As(err, &limErr) {
		if mayHaveApplied {
			return fmt.Errorf("asset: %s %s: %w: %w", hr.Method, path, ErrOutcomeUnknown, limErr)
		}
		return fmt.Errorf("asset: %s %s: %w", hr.Method, path, limErr)
	}
	return &NetworkError{
		Method:         hr.Method,
		Path:           path,
		Attempts:       outcome.Attempts,
		MayHaveApplied: mayHaveApplied,
		Err:            err,
	}
}

// newAPIError is the error for an answer with status 300 or above.
func newAPIError(resp *httpcore.Reply, hr *httpcore.Request, path string, outcome httpcore.Outcome) *APIError {
	e := &APIError{
		StatusCode: resp.StatusCode,
		RequestID:  resp.Header.Get("X-Request-Id"),
		Body:       httpcore.KeptBody(resp.Body, hr.Secrets),
		method:     hr.Method,
		path:       path,
	}
	// A redirect answers a request the server has read: a change may
	// have been applied before it pointed elsewhere (303 after a POST).
	redirected := resp.StatusCode < 400
	e.mayHaveApplied = !hr.Idempotent && (outcome.MaybeApplied || redirected)
	// x-ratelimit-reset rides on every response, so it explains a wait
	// only for a 429; a 503 asks for one only with Retry-After.
	if resp.StatusCode == http.StatusTooManyRequests ||
		resp.StatusCode == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") != "" {
		e.RetryAfter, _ = httpcore.ServerWait(resp.Header, time.Now())
	}
	if redirected {
		e.Message = "redirect to " + httpcore.RedactQuery(resp.Header.Get("Location")) + " not followed: check the base URL"
	} else {
		e.parseErrorBody(resp.Body)
	}
	e.redact(hr.Secrets)
	return e
}

// newDecodeError is the error for a success answer whose body could not be
// turned into the result: err says why.
func newDecodeError(resp *httpcore.Reply, hr *httpcore.Request, path string, err error) *DecodeError {
	body := resp.Body
	e := &DecodeError{
		StatusCode:     resp.StatusCode,
		ContentType:    resp.Header.Get("Content-Type"),
		RequestID:      resp.Header.Get("X-Request-Id"),
		Body:           httpcore.KeptBody(body, hr.Secrets),
		Err:            err,
		method:         hr.Method,
		path:           path,
		mayHaveApplied: !hr.Idempotent,
	}
	e.redact(hr.Secrets)
	return e
}
