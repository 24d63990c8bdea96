// Package errs builds the errors of package sdkerr for the asset and
// katsupay clients, and tells which sentinel an HTTP status matches.
package errs

import (
	"net/http"

	"github.com/assetkit/asset-go/sdkerr"
)

// StatusIs reports whether an answer with status matches target, one of
// the status sentinels.
func StatusIs(status int, target error) bool {
	switch target {
	case sdkerr.ErrUnauthorized:
		return status == http.StatusUnauthorized
	case sdkerr.ErrForbidden:
		return status == http.StatusForbidden
	case sdkerr.ErrNotFound:
		return status == http.StatusNotFound
	case sdkerr.ErrConflict:
		return status == http.StatusConflict
	case sdkerr.ErrValidation:
		return status == http.StatusBadRequest || status == http.StatusUnprocessableEntity
	case sdkerr.ErrRateLimited:
		return status == http.StatusTooManyRequests
	case sdkerr.ErrServer:
		return status >= 500
	}
	return false
}

// Input is client's error for bad input; client "" is package asset.
func Input(client, field, reason string) *sdkerr.InputError {
	return &sdkerr.InputError{Field: field, Reason: reason, Client: client}
}

// Network is client's error for a call that got no answer; client "" is
// package asset.
func Network(client, method, path string, attempts int, mayHaveApplied bool, err error) *sdkerr.NetworkError {
	return &sdkerr.NetworkError{Method: method, Path: path, Attempts: attempts, MayHaveApplied: mayHaveApplied, Err: err, Client: client}
}
