package asset

import (
	"context"
	"iter"
	"net/http"
)

// Create creates 1 to 100 invoices in one request
// (POST /v0/business/{business_id}/invoice). When the server refuses some
// of them, it returns those it created together with a *BatchError naming
// each one it did not, so nothing is lost: every invoice sent is in exactly
// one of the two, whatever the response lists. An invoice the response
// leaves out, or lists both as created and as refused, may exist: its
// failure's Err matches ErrOutcomeUnknown, and so does the *BatchError. (A
// server may normalise numbers, so invoices left unmatched are accounted
// for by count: they are failures only when the response holds fewer
// entries under other numbers than there are such invoices.) A success
// answer that is not a batch response is a *DecodeError matching
// ErrOutcomeUnknown. Create is one request, never retried after it may
// have reached the server (see ErrOutcomeUnknown); FindByNumbers settles
// what it left unknown, and CreateMany does that itself.
func (s *InvoiceService) Create(ctx context.Context, businessID string, invoices []InvoiceCreate, opts ...Option) ([]Invoice, error) {
	path, err := pathf("/v0/business/%s/invoice", idArg{"businessID", businessID})
	if err != nil {
		return nil, err
	}
	if err := validateBatch("invoices", "invoice", invoices); err != nil {
		return nil, err
	}
	return createBatch(ctx, s.client, path, "invoice", invoices, invoiceNumber, 0, opts)
}

// create sends a batch of checked invoices to path, the business's invoice
// collection, for CreateMany, whose options it honours.
func (s *InvoiceService) create(ctx context.Context, path apiPath, invoices []InvoiceCreate, opts []Option) ([]Invoice, error) {
	return createBatch(ctx, s.client, path, "invoice", invoices, invoiceNumber, bulkOptions, opts)
}

func invoiceNumber(inv *Invoice) string { return inv.Number }

// Get fetches one invoice
// (GET /v0/business/{business_id}/invoice/{invoice_id}).
func (s *InvoiceService) Get(ctx context.Context, businessID, invoiceID string, opts ...Option) (*Invoice, error) {
	path, err := invoicePath(businessID, invoiceID, "")
	if err != nil {
		return nil, err
	}
	return decodeData[Invoice](ctx, s.client, apiRequest{method: http.MethodGet, path: path}, opts)
}

// List fetches one page of invoices (GET /v0/business/{business_id}/invoice).
// params may be nil.
func (s *InvoiceService) List(ctx context.Context, businessID string, params *InvoiceListParams, opts ...Option) (*Page[Invoice], error) {
	return s.list(businessID, params, opts).firstPage(ctx)
}

// All iterates over every invoice matching params, a page at a time
// (GET /v0/business/{business_id}/invoice). While the loop handles
// one page, the next is fetched in the background (see WithPrefetch);
// breaking out of the loop cancels that request and stops fetching. An
// error is yielded once, and ends the iteration. params may be nil and is
// copied, so the caller may reuse it.
//
//	for inv, err := range client.Invoices.All(ctx, bizID, nil) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(inv.Number, inv.Balance())
//	}
func (s *InvoiceService) All(ctx context.Context, businessID string, params *InvoiceListParams, opts ...Option) iter.Seq2[Invoice, error] {
	return s.list(businessID, params, opts).items(ctx)
}

// Pager returns a pager over the invoices matching params
// (GET /v0/business/{business_id}/invoice), starting at params.PageToken
// (the first page when empty). Bad input is reported by the pager's first
// Next or Previous.
func (s *InvoiceService) Pager(businessID string, params *InvoiceListParams, opts ...Option) *Pager[Invoice] {
	return s.list(businessID, params, opts).pager()
}

func (s *InvoiceService) list(businessID string, params *InvoiceListParams, opts []Option) lister[Invoice] {
	path, err := pathf("/v0/business/%s/invoice", idArg{"businessID", businessID})
	return newLister[Invoice](s.client, path, err, params, opts)
}

// Update changes an invoice's status, lines or tags
// (PATCH /v0/business/{business_id}/invoice/{invoice_id}); only what is set
// in update is sent. Void an invoice with Status: InvoiceStatusVoided. A
// line added by an update has an amount, not a price and quantity: one
// without an amount is an *InputError before anything is sent. Update is
// never retried after it may have reached the server.
func (s *InvoiceService) Update(ctx context.Context, businessID, invoiceID string, update InvoiceUpdate, opts ...Option) (*Invoice, error) {
	path, err := invoicePath(businessID, invoiceID, "")
	if err != nil {
		return nil, err
	}
	if err := update.validate(); err != nil {
		return nil, err
	}
	return decodeData[Invoice](ctx, s.client, apiRequest{method: http.MethodPatch, path: path, body: update, name: "update"}, opts)
}

// WriteOff writes off part or all of an invoice's balance
// (POST /v0/business/{business_id}/invoice/{invoice_id}/write-off),
// recorded as a payment with IsWriteOff set, and returns the updated
// invoice. It is never retried after it may have reached the server.
func (s *InvoiceService) WriteOff(ctx context.Context, businessID, invoiceID string, writeOff InvoiceWriteOff, opts ...Option) (*Invoice, error) {
	path, err := invoicePath(businessID, invoiceID, "/write-off")
	if err != nil {
		return nil, err
	}
	if err := checkPositive("writeOff.Amount", writeOff.Amount, false); err != nil {
		return nil, err
	}
	return decodeData[Invoice](ctx, s.client, apiRequest{method: http.MethodPost, path: path, body: writeOff, name: "writeOff"}, opts)
}

func invoicePath(businessID, invoiceID, suffix string) (apiPath, error) {
	return pathf("/v0/business/%s/invoice/%s"+suffix, idArg{"businessID", businessID}, idArg{"invoiceID", invoiceID})
}
