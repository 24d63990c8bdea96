package asset

import (
	"context"
	"iter"
	"maps"
	"net/http"
	"slices"
	"strings"
)

// Create records 1 to 100 transactions in one request
// (POST /v0/business/{business_id}/transactions). The response is
// accounted for as Invoices.Create accounts for one, each transaction
// known by its ExternalID: those it returns were created, and a
// *BatchError names every other, its Err matching ErrOutcomeUnknown when
// the response does not say (the docs describe no refusals, and an older
// version answers 202 with no transactions at all: then every one is
// unknown, and the error is a *DecodeError matching ErrOutcomeUnknown).
// Create is never retried after it may have reached the server; settle
// what it left unknown with FindByExternalIDs, and send again only what
// that does not find.
func (s *TransactionService) Create(ctx context.Context, businessID string, transactions []TransactionCreate, opts ...Option) ([]Transaction, error) {
	path, err := transactionsPath(businessID)
	if err != nil {
		return nil, err
	}
	if err := validateBatch("transactions", "transaction", transactions); err != nil {
		return nil, err
	}
	return createBatch(ctx, s.client, path, "transaction", transactions, func(t *Transaction) string { return t.ExternalID }, 0, opts)
}

// Get fetches one transaction
// (GET /v0/business/{business_id}/transactions/{transaction_id}), with
// the related objects includes names (the TransactionInclude constants).
func (s *TransactionService) Get(ctx context.Context, businessID, transactionID string, includes []string, opts ...Option) (*Transaction, error) {
	path, err := pathf("/v0/business/%s/transactions/%s", idArg{"businessID", businessID}, idArg{"transactionID", transactionID})
	if err != nil {
		return nil, err
	}
	if err := checkCommaList("includes", includes); err != nil {
		return nil, err
	}
	r := apiRequest{method: http.MethodGet, path: path}
	if len(includes) > 0 {
		r.query = map[string][]string{"includes": {strings.Join(includes, ",")}}
	}
	return decodeData[Transaction](ctx, s.client, r, opts)
}

// List fetches one page of the business's transactions
// (GET /v0/business/{business_id}/transactions). params may be nil.
func (s *TransactionService) List(ctx context.Context, businessID string, params *TransactionListParams, opts ...Option) (*Page[Transaction], error) {
	return s.list(businessID, params, opts).firstPage(ctx)
}

// All iterates over every transaction matching params, as
// InvoiceService.All does over invoices. params may be nil and is copied.
func (s *TransactionService) All(ctx context.Context, businessID string, params *TransactionListParams, opts ...Option) iter.Seq2[Transaction, error] {
	return s.list(businessID, params, opts).items(ctx)
}

// Pager returns a pager over the transactions matching params, starting at
// params.PageToken (the first page when empty). Bad input is reported by
// the pager's first Next or Previous.
func (s *TransactionService) Pager(businessID string, params *TransactionListParams, opts ...Option) *Pager[Transaction] {
	return s.list(businessID, params, opts).pager()
}

func (s *TransactionService) list(businessID string, params *TransactionListParams, opts []Option) lister[Transaction] {
	path, err := transactionsPath(businessID)
	return newLister[Transaction](s.client, path, err, params, opts)
}

// FindByExternalIDs looks transactions up by the ExternalID they were
// created with, through the list's external_ids filter: one request per
// 100 distinct ids (more only should the server page a filtered list). It
// returns the transactions found, by external id; an id missing from the
// map has no transaction. includes are sent with each request (the
// TransactionInclude constants), so a payment can be checked for before
// it is applied again. On an error it returns what it found so far with
// the error. An empty externalIDs sends nothing. An API version without
// the filter (the older docs have none) sends every transaction: the walk
// then still finds them, a page of 100 at a time, at the cost of the pages
// it reads.
func (s *TransactionService) FindByExternalIDs(ctx context.Context, businessID string, externalIDs []string, includes []string, opts ...Option) (map[string]Transaction, error) {
	if err := checkFindKeys("externalIDs", externalIDs); err != nil {
		return nil, err
	}
	if err := checkCommaList("externalIDs", externalIDs); err != nil {
		return nil, err
	}
	want := slices.Sorted(maps.Keys(setOf(externalIDs)))
	found := make(map[string]Transaction, len(want))
	for chunk := range slices.Chunk(want, maxBatch) {
		params := &TransactionListParams{ExternalIDs: chunk, Includes: includes, PageSize: maxBatch}
		got, err := find(ctx, s.list(businessID, params, opts), "externalIDs", chunk, func(t *Transaction) string { return t.ExternalID })
		maps.Copy(found, got)
		if err != nil {
			return found, err
		}
	}
	return found, nil
}

func transactionsPath(businessID string) (apiPath, error) {
	return pathf("/v0/business/%s/transactions", idArg{"businessID", businessID})
}

func setOf(keys []string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}
