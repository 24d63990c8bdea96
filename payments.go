package asset

import (
	"context"
	"net/http"
)

// Apply applies a payment to an invoice
// (POST /v0/business/{business_id}/invoice-payment) and returns the invoice
// with its new TotalPaid and status. It is never retried after it may have reached the
// server: the API has no idempotency key, so a second try could pay twice.
// On an error matching ErrOutcomeUnknown, Get the invoice and look at its
// Payments before applying again.
func (s *PaymentService) Apply(ctx context.Context, businessID string, payment InvoicePaymentCreate, opts ...Option) (*Invoice, error) {
	path, err := pathf("/v0/business/%s/invoice-payment", idArg{"businessID", businessID})
	if err != nil {
		return nil, err
	}
	if err := payment.validate(); err != nil {
		return nil, err
	}
	return decodeData[Invoice](ctx, s.client, apiRequest{method: http.MethodPost, path: path, body: payment, name: "payment"}, opts)
}
