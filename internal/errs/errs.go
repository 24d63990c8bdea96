// Package errs holds what the asset and katsupay clients' errors share: the
// sentinels, what each HTTP status matches, and the input and network error
// types, which name the client that returned them. Package asset exports
// them under their public names (asset.ErrValidation, asset.InputError);
// katsupay returns them as they are, so that errors.Is and errors.As work
// the same on both clients' errors.
package errs

import (
	"errors"
	"fmt"
	"net/http"
)

// The sentinels; package asset documents them.
var (
	ErrUnauthorized   = errors.New("asset: unauthorized")
	ErrForbidden      = errors.New("asset: forbidden")
	ErrNotFound       = errors.New("asset: not found")
	ErrConflict       = errors.New("asset: conflict")
	ErrValidation     = errors.New("asset: validation failed")
	ErrRateLimited    = errors.New("asset: rate limited")
	ErrServer         = errors.New("asset: server error")
	ErrOutcomeUnknown = errors.New("asset: outcome unknown, the change may have been applied")
)

// StatusIs reports whether an answer with status matches target, one of
// the status sentinels.
func StatusIs(status int, target error) bool {
	switch target {
	case ErrUnauthorized:
		return status == http.StatusUnauthorized
	case ErrForbidden:
		return status == http.StatusForbidden
	case ErrNotFound:
		return status == http.StatusNotFound
	case ErrConflict:
		return status == http.StatusConflict
	case ErrValidation:
		return status == http.StatusBadRequest || status == http.StatusUnprocessableEntity
	case ErrRateLimited:
		return status == http.StatusTooManyRequests
	case ErrServer:
		return status >= 500
	}
	return false
}

// InputError is bad input caught before anything was sent.
type InputError struct {
	// Field names the argument, e.g. "businessID" or "invoices[2].lines[0].unit_price".
	Field string
	// Reason says what is wrong with it.
	Reason string

	client string // who refused the input; "" is package asset
}

// Input is client's error for bad input; client "" is package asset.
func Input(client, field, reason string) *InputError {
	return &InputError{Field: field, Reason: reason, client: client}
}

// Error reads like "asset: invalid businessID: is empty".
func (e *InputError) Error() string { return prefix(e.client) + "invalid " + e.Field + ": " + e.Reason }

// Is matches ErrValidation.
func (e *InputError) Is(target error) bool { return target == ErrValidation }

// NetworkError is a call that got no HTTP response: the connection could
// not be made, broke, or timed out, after the allowed retries.
type NetworkError struct {
	// Method and Path are the call, without its query string.
	Method, Path string
	// Attempts is how many times the request was put on the wire.
	Attempts int
	// MayHaveApplied is true for a call that changes state whose request may
	// have reached the server; it then also matches ErrOutcomeUnknown.
	MayHaveApplied bool
	// Err is the cause; context.Canceled and context.DeadlineExceeded are
	// matched through it.
	Err error

	client string // who made the call; "" is package asset
}

// Network is client's error for a call that got no answer; client "" is
// package asset.
func Network(client, method, path string, attempts int, mayHaveApplied bool, err error) *NetworkError {
	return &NetworkError{Method: method, Path: path, Attempts: attempts, MayHaveApplied: mayHaveApplied, Err: err, client: client}
}

// Error names the call and the cause, and says when the change may have
// been applied.
func (e *NetworkError) Error() string {
	msg := fmt.Sprintf("%s%s %s: %v", prefix(e.client), e.Method, e.Path, e.Err)
	if e.MayHaveApplied {
		msg += " (outcome unknown: the change may have been applied; check before retrying)"
	}
	return msg
}

// Unwrap returns the cause.
func (e *NetworkError) Unwrap() error { return e.Err }

// Is matches ErrOutcomeUnknown when MayHaveApplied.
func (e *NetworkError) Is(target error) bool { return target == ErrOutcomeUnknown && e.MayHaveApplied }

// prefix starts an error message with the name of the client that
// returned it.
func prefix(client string) string {
	if client == "" {
		return "asset: "
	}
	return client + ": "
}
