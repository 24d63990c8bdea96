// Package sdkerr holds the errors that both clients of this SDK, package
// asset and package katsupay, return alike: the sentinels to match with
// errors.Is, and the input and network error types to match with
// errors.As. Each client also exports them under its own name
// (asset.ErrValidation, katsupay.ErrValidation, asset.NetworkError,
// katsupay.NetworkError), so that no program needs this package by name;
// it is where they are documented.
package sdkerr

import (
	"errors"
	"fmt"
)

// Sentinel errors, matched with errors.Is. An answer with an error status
// (asset's *APIError, katsupay's *Error) matches the one for its status;
// an *InputError matches ErrValidation.
var (
	// ErrUnauthorized is 401: the token is missing, expired or revoked.
	ErrUnauthorized = errors.New("asset: unauthorized")
	// ErrForbidden is 403: the token lacks a scope or the business.
	ErrForbidden = errors.New("asset: forbidden")
	// ErrNotFound is 404.
	ErrNotFound = errors.New("asset: not found")
	// ErrConflict is 409.
	ErrConflict = errors.New("asset: conflict")
	// ErrValidation is 400 and 422, and input refused before sending.
	ErrValidation = errors.New("asset: validation failed")
	// ErrRateLimited is 429 after the allowed retries.
	ErrRateLimited = errors.New("asset: rate limited")
	// ErrServer is a 5xx after the allowed retries.
	ErrServer = errors.New("asset: server error")
	// ErrInvalidReply is a success status with a body that does not
	// decode as the documented answer.
	ErrInvalidReply = errors.New("asset: unreadable response")
	// ErrOutcomeUnknown marks a failed call that changes state which may
	// nonetheless have been applied: the connection broke after the
	// request was sent, or the server answered 5xx or a redirect. The APIs
	// have no idempotency key, so the SDK does not send it again; look
	// before trying again.
	ErrOutcomeUnknown = errors.New("asset: outcome unknown, the change may have been applied")
)

// InputError is bad input caught before anything was sent. It matches
// ErrValidation, and reads like "asset: invalid businessID: is empty"
// ("katsupay: ..." from package katsupay).
type InputError struct {
	// Field names the argument, e.g. "businessID" or
	// "invoices[2].lines[0].unit_price".
	Field string
	// Reason says what is wrong with it.
	Reason string
	// Client is the package that refused the input, which starts the
	// message: "katsupay", or "" for package asset.
	Client string
}

// Error reads like "asset: invalid businessID: is empty".
func (e *InputError) Error() string { return prefix(e.Client) + "invalid " + e.Field + ": " + e.Reason }

// Is matches ErrValidation.
func (e *InputError) Is(target error) bool { return target == ErrValidation }

// NetworkError is a call that got no HTTP response: the connection could
// not be made, broke, or timed out, after the allowed retries.
type NetworkError struct {
	// Method and Path name the call, without its query string.
	Method, Path string
	// Attempts is how many times the request was put on the wire.
	Attempts int
	// MayHaveApplied is true for a call that changes state whose request
	// may have reached the server; the error then also matches
	// ErrOutcomeUnknown.
	MayHaveApplied bool
	// Err is the cause; context.Canceled and context.DeadlineExceeded are
	// matched through it.
	Err error
	// Client is the package that made the call, which starts the message:
	// "katsupay", or "" for package asset.
	Client string
}

// Error names the call and the cause, and says when the change may have
// been applied.
func (e *NetworkError) Error() string {
	msg := fmt.Sprintf("%s%s %s: %v", prefix(e.Client), e.Method, e.Path, e.Err)
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
