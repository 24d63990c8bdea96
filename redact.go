package asset

import (
	"errors"

	"github.com/assetkit/asset-go/internal/redact"
)

// redacted stands in for a credential that a server quoted back.
const redacted = redact.Mark

// redact removes secrets from what the server sent back. A server or a
// proxy may quote the request in its error (the Authorization header, the
// token request's form), and errors end up in logs. Body needs none:
// httpcore.KeptBody redacted it before cutting it.
func (e *APIError) redact(secrets []string) {
	e.Message = redact.String(e.Message, secrets)
	e.RequestID = redact.String(e.RequestID, secrets)
	for i := range e.Details {
		d := &e.Details[i]
		d.Message = redact.String(d.Message, secrets)
		d.Type = redact.String(d.Type, secrets)
		d.Ctx = redact.Bytes(d.Ctx, secrets)
		d.Input = redact.Bytes(d.Input, secrets)
		for j := range d.Location {
			d.Location[j] = redact.String(d.Location[j], secrets)
		}
	}
}

// redact removes secrets from what the server sent back; see APIError.redact.
func (e *DecodeError) redact(secrets []string) {
	e.RequestID = redact.String(e.RequestID, secrets)
	// A parse error quotes the value it failed on, which may be a
	// credential the server echoed into a field.
	if e.Err != nil {
		msg := e.Err.Error()
		if clean := redact.String(msg, secrets); clean != msg {
			e.Err = errors.New(clean)
		}
	}
}
