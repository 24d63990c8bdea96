package asset

import (
	"context"
	"iter"
	"net/http"
)

// Create records a refund against 1 to 100 invoices
// (POST /v0/business/{business_id}/refund) and returns it, pending until
// refund payments cover its amount. It is never retried after it may have
// reached the server. On an error matching ErrOutcomeUnknown, look for
// refund.ExternalID among the refunds of one of its invoices
// (ListForInvoice) before creating it again.
func (s *RefundService) Create(ctx context.Context, businessID string, refund RefundCreate, opts ...Option) (*Refund, error) {
	path, err := pathf("/v0/business/%s/refund", idArg{"businessID", businessID})
	if err != nil {
		return nil, err
	}
	if err := refund.validate(); err != nil {
		return nil, err
	}
	return decodeData[Refund](ctx, s.client, apiRequest{method: http.MethodPost, path: path, body: refund, name: "refund"}, opts)
}

// ListForInvoice returns every refund of one invoice
// (GET /v0/business/{business_id}/invoice/{invoice_id}/refunds); the API
// sends them all at once, without pages.
func (s *RefundService) ListForInvoice(ctx context.Context, businessID, invoiceID string, opts ...Option) ([]Refund, error) {
	path, err := invoicePath(businessID, invoiceID, "/refunds")
	if err != nil {
		return nil, err
	}
	var env listEnvelope[Refund]
	if err := s.client.do(ctx, apiRequest{method: http.MethodGet, path: path}, &env, opts); err != nil {
		return nil, err
	}
	return env.Data, nil
}

// List fetches one page of the business's refunds
// (GET /v0/business/{business_id}/refunds). params may be nil.
func (s *RefundService) List(ctx context.Context, businessID string, params *RefundListParams, opts ...Option) (*Page[Refund], error) {
	return s.list(businessID, params, opts).firstPage(ctx)
}

// All iterates over every refund matching params, as InvoiceService.All
// does over invoices. params may be nil and is copied.
func (s *RefundService) All(ctx context.Context, businessID string, params *RefundListParams, opts ...Option) iter.Seq2[Refund, error] {
	return s.list(businessID, params, opts).items(ctx)
}

// Pager returns a pager over the refunds matching params, starting at
// params.PageToken (the first page when empty). Bad input is reported by
// the pager's first Next or Previous.
func (s *RefundService) Pager(businessID string, params *RefundListParams, opts ...Option) *Pager[Refund] {
	return s.list(businessID, params, opts).pager()
}

func (s *RefundService) list(businessID string, params *RefundListParams, opts []Option) lister[Refund] {
	path, err := pathf("/v0/business/%s/refunds", idArg{"businessID", businessID})
	return newLister[Refund](s.client, path, err, params, opts)
}

// ApplyPayment applies a transaction to a refund
// (POST /v0/business/{business_id}/refund-payment) and returns the refund,
// completed once its payments cover its amount. It is never retried after
// it may have reached the server. On an error matching ErrOutcomeUnknown,
// look at the refund's Payments (ListForInvoice, or List) before applying
// again.
func (s *RefundService) ApplyPayment(ctx context.Context, businessID string, payment RefundPaymentCreate, opts ...Option) (*Refund, error) {
	path, err := pathf("/v0/business/%s/refund-payment", idArg{"businessID", businessID})
	if err != nil {
		return nil, err
	}
	if err := payment.validate(); err != nil {
		return nil, err
	}
	return decodeData[Refund](ctx, s.client, apiRequest{method: http.MethodPost, path: path, body: payment, name: "payment"}, opts)
}
