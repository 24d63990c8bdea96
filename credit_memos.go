package asset

import (
	"context"
	"iter"
	"net/http"
)

// Create creates 1 to 100 credit memos in one request
// (POST /v0/business/{business_id}/credit-memo). When the server refuses
// some of them, it returns those it created together with a *BatchError
// naming each one it did not, accounted for as Invoices.Create does. Create
// is never retried after it may have reached the server (see
// ErrOutcomeUnknown). Settle a batch whose outcome is unknown with
// FindByNumbers, and send again only the memos it does not find: numbers
// are unique within a business, so a memo sent twice is refused, never a
// second credit.
func (s *CreditMemoService) Create(ctx context.Context, businessID string, memos []CreditMemoCreate, opts ...Option) ([]CreditMemo, error) {
	path, err := pathf("/v0/business/%s/credit-memo", idArg{"businessID", businessID})
	if err != nil {
		return nil, err
	}
	if err := validateBatch("memos", "credit memo", memos); err != nil {
		return nil, err
	}
	return createBatch(ctx, s.client, path, "credit memo", memos, func(m *CreditMemo) string { return m.Number }, 0, opts)
}

// Get fetches one credit memo
// (GET /v0/business/{business_id}/credit-memo/{credit_memo_id}).
func (s *CreditMemoService) Get(ctx context.Context, businessID, creditMemoID string, opts ...Option) (*CreditMemo, error) {
	path, err := creditMemoPath(businessID, creditMemoID, "")
	if err != nil {
		return nil, err
	}
	return decodeData[CreditMemo](ctx, s.client, apiRequest{method: http.MethodGet, path: path}, opts)
}

// List fetches one page of credit memos
// (GET /v0/business/{business_id}/credit-memo), filtered by customer and
// by whether they are voided. params may be nil.
func (s *CreditMemoService) List(ctx context.Context, businessID string, params *CreditMemoListParams, opts ...Option) (*Page[CreditMemo], error) {
	return s.list(businessID, params, opts).firstPage(ctx)
}

// All iterates over every credit memo matching params
// (GET /v0/business/{business_id}/credit-memo, page after page), as
// Invoices.All does: the next page is fetched while the loop handles one,
// and an error is yielded once and ends the iteration.
func (s *CreditMemoService) All(ctx context.Context, businessID string, params *CreditMemoListParams, opts ...Option) iter.Seq2[CreditMemo, error] {
	return s.list(businessID, params, opts).items(ctx)
}

// Pager returns a pager over the credit memos matching params
// (GET /v0/business/{business_id}/credit-memo), starting at
// params.PageToken (the first page when empty). Bad input is reported by
// the pager's first Next or Previous.
func (s *CreditMemoService) Pager(businessID string, params *CreditMemoListParams, opts ...Option) *Pager[CreditMemo] {
	return s.list(businessID, params, opts).pager()
}

func (s *CreditMemoService) list(businessID string, params *CreditMemoListParams, opts []Option) lister[CreditMemo] {
	path, err := pathf("/v0/business/%s/credit-memo", idArg{"businessID", businessID})
	return newLister[CreditMemo](s.client, path, err, params, opts)
}

// Void voids a credit memo
// (POST /v0/business/{business_id}/credit-memo/{credit_memo_id}/void):
// what is left of its credit leaves the customer's pool, and the memo
// comes back with Voided and VoidedAt set. Voiding a voided memo is an
// *APIError (422). Void sends no body and is never retried after it may
// have reached the server; a Void whose outcome is unknown can be checked
// with Get before voiding again.
func (s *CreditMemoService) Void(ctx context.Context, businessID, creditMemoID string, opts ...Option) (*CreditMemo, error) {
	path, err := creditMemoPath(businessID, creditMemoID, "/void")
	if err != nil {
		return nil, err
	}
	return decodeData[CreditMemo](ctx, s.client, apiRequest{method: http.MethodPost, path: path}, opts)
}

func creditMemoPath(businessID, creditMemoID, suffix string) (apiPath, error) {
	return pathf("/v0/business/%s/credit-memo/%s"+suffix, idArg{"businessID", businessID}, idArg{"creditMemoID", creditMemoID})
}
