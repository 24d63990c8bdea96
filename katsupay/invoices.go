package katsupay

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/assetkit/asset-go"
)

// createPath is the documented endpoint; "v1" is the docs' version parameter.
const createPath = "/api/v1/Invoice/Create"

// InvoiceService creates invoices. Get it from Client.Invoices.
type InvoiceService struct {
	client *Client
}

// Create creates an invoice with POST /api/v1/Invoice/Create.
//
// The input is checked first; bad input returns an *InputError (matching
// ErrValidation) and sends nothing. A refusal from Katsu Pay is an *Error.
// A connection that broke after the request may have arrived is a
// *NetworkError matching ErrOutcomeUnknown, as is a 5xx
// *Error: Katsu Pay has no idempotency key, so Create is never retried after
// the deployment may have acted, and the caller must check whether the
// invoice exists before trying again. katsupaytest's Fault.AfterCreate
// produces this case, so that the check can be tested.
func (s *InvoiceService) Create(ctx context.Context, inv CreateInvoice) (*CreatedInvoice, error) {
	if ctx == nil {
		return nil, inputError("ctx", "is nil; pass context.Background() or the request's context")
	}
	if err := inv.validate(); err != nil {
		return nil, err
	}
	body, err := json.Marshal(inv)
	if err != nil {
		return nil, fmt.Errorf("katsupay: encoding the invoice: %w", err)
	}
	var created *CreatedInvoice
	err = s.client.observed(ctx, asset.CallInfo{Method: http.MethodPost, Route: createPath}, func(ctx context.Context, res *asset.CallResult) error {
		r, err := s.client.post(ctx, createPath, body, res)
		if err != nil {
			return err
		}
		if r.status < 200 || r.status >= 300 {
			// A redirect, like a 5xx, answers a request the server has read:
			// the invoice may exist (303 is the usual answer to a processed POST).
			return newError(http.MethodPost, createPath, r, r.status < 400 || r.status >= 500)
		}
		created, err = decodeCreated(http.MethodPost, createPath, r)
		return err
	})
	return created, err
}

// createReply holds both documented reply shapes: the envelope
// {succeeded, message, errors, data: {invoiceId, amount}}, and the bare
// invoice {invoiceId, counterpartyId, amount, currency, status, ...} of the
// docs' example. Key matching is case-insensitive, as ASP.NET's is.
type createReply struct {
	Succeeded *flexBool `json:"succeeded"`
	Data      *struct {
		InvoiceID flexID        `json:"invoiceId"`
		Amount    asset.Decimal `json:"amount"`
	} `json:"data"`
	InvoiceID flexID        `json:"invoiceId"`
	Amount    asset.Decimal `json:"amount"`
}

func decodeCreated(method, path string, r *reply) (*CreatedInvoice, error) {
	fail := func(reason string, err error) error {
		return &replyError{method: method, path: path, status: r.status, body: r.body, reason: reason, err: err}
	}
	switch {
	case r.readErr != nil:
		return nil, fail("could not be read", r.readErr)
	case r.truncated:
		return nil, fail(fmt.Sprintf("is larger than %d bytes", maxReplyBody), nil)
	}
	var cr createReply
	if err := json.Unmarshal(r.body, &cr); err != nil {
		return nil, fail("is neither the {succeeded, data} envelope nor an invoice", err)
	}
	if cr.Succeeded != nil && !*cr.Succeeded {
		return nil, newError(method, path, r, false)
	}
	created := &CreatedInvoice{InvoiceID: string(cr.InvoiceID), Amount: cr.Amount}
	if cr.Data != nil && cr.Data.InvoiceID != "" {
		created = &CreatedInvoice{InvoiceID: string(cr.Data.InvoiceID), Amount: cr.Data.Amount}
	}
	if created.InvoiceID == "" {
		if cr.Succeeded != nil {
			return nil, fail("says succeeded but names no invoiceId", nil)
		}
		return nil, fail("is neither the {succeeded, data} envelope nor an invoice", nil)
	}
	return created, nil
}

// flexBool reads a JSON boolean, or the strings "true" and "false" that the
// docs' template shows.
type flexBool bool

func (b *flexBool) UnmarshalJSON(data []byte) error {
	switch strings.ToLower(strings.Trim(string(data), `"`)) {
	case "true":
		*b = true
	case "false":
		*b = false
	default:
		return fmt.Errorf("succeeded is %.40s, not a boolean", data)
	}
	return nil
}

// flexID reads an id written as a JSON string or number: the docs' example
// shows a numeric-looking id, which some serializers write bare.
type flexID string

func (id *flexID) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		*id = ""
		return nil
	}
	var s string
	if err := json.Unmarshal(data, &s); err == nil {
		*id = flexID(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(data, &n); err != nil {
		return fmt.Errorf("invoiceId is %.40s, not a string", data)
	}
	*id = flexID(n.String())
	return nil
}
