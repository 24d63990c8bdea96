package asset

import (
	"context"
	"net/http"
)

// List returns every ledger of the business
// (GET /v0/business/{business_id}/ledger); the API sends them all at once,
// without pages.
func (s *LedgerService) List(ctx context.Context, businessID string, opts ...Option) ([]Ledger, error) {
	path, err := pathf("/v0/business/%s/ledger", idArg{"businessID", businessID})
	if err != nil {
		return nil, err
	}
	var env listEnvelope[Ledger]
	if err := s.client.do(ctx, apiRequest{method: http.MethodGet, path: path}, &env, opts); err != nil {
		return nil, err
	}
	return env.Data, nil
}

// Get fetches one ledger
// (GET /v0/business/{business_id}/ledger/{ledger_id}).
func (s *LedgerService) Get(ctx context.Context, businessID, ledgerID string, opts ...Option) (*Ledger, error) {
	path, err := pathf("/v0/business/%s/ledger/%s", idArg{"businessID", businessID}, idArg{"ledgerID", ledgerID})
	if err != nil {
		return nil, err
	}
	return decodeData[Ledger](ctx, s.client, apiRequest{method: http.MethodGet, path: path}, opts)
}
