package asset

import (
	"context"
	"fmt"
	"iter"
	"net/http"
)

// Create creates one customer (POST /v0/business/{business_id}/customers)
// and returns it with its cus_ id. It is never retried after it may have
// reached the server: on an error matching ErrOutcomeUnknown, look for
// customer.ExternalID with FindByExternalID before creating it again.
func (s *CustomerService) Create(ctx context.Context, businessID string, customer CustomerCreate, opts ...Option) (*Customer, error) {
	path, err := customersPath(businessID)
	if err != nil {
		return nil, err
	}
	if err := customer.validate(); err != nil {
		return nil, err
	}
	return decodeData[Customer](ctx, s.client, apiRequest{method: http.MethodPost, path: path, body: customer, name: "customer"}, opts)
}

// Get fetches one customer
// (GET /v0/business/{business_id}/customers/{customer_id}).
func (s *CustomerService) Get(ctx context.Context, businessID, customerID string, opts ...Option) (*Customer, error) {
	path, err := customerPath(businessID, customerID)
	if err != nil {
		return nil, err
	}
	return decodeData[Customer](ctx, s.client, apiRequest{method: http.MethodGet, path: path}, opts)
}

// List fetches one page of the business's customers
// (GET /v0/business/{business_id}/customers). params may be nil.
func (s *CustomerService) List(ctx context.Context, businessID string, params *CustomerListParams, opts ...Option) (*Page[Customer], error) {
	return s.list(businessID, params, opts).firstPage(ctx)
}

// All iterates over every customer, as InvoiceService.All does over
// invoices. params may be nil and is copied.
func (s *CustomerService) All(ctx context.Context, businessID string, params *CustomerListParams, opts ...Option) iter.Seq2[Customer, error] {
	return s.list(businessID, params, opts).items(ctx)
}

// Pager returns a pager over the customers, starting at params.PageToken
// (the first page when empty). Bad input is reported by the pager's first
// Next or Previous.
func (s *CustomerService) Pager(businessID string, params *CustomerListParams, opts ...Option) *Pager[Customer] {
	return s.list(businessID, params, opts).pager()
}

func (s *CustomerService) list(businessID string, params *CustomerListParams, opts []Option) lister[Customer] {
	path, err := customersPath(businessID)
	return newLister[Customer](s.client, path, err, params, opts)
}

// Update changes a customer
// (PATCH /v0/business/{business_id}/customers/{customer_id}); only what
// update sets is sent. It is never retried after it may have reached the
// server; an Update whose outcome is unknown can be checked with Get.
func (s *CustomerService) Update(ctx context.Context, businessID, customerID string, update CustomerUpdate, opts ...Option) (*Customer, error) {
	path, err := customerPath(businessID, customerID)
	if err != nil {
		return nil, err
	}
	if err := update.validate(); err != nil {
		return nil, err
	}
	return decodeData[Customer](ctx, s.client, apiRequest{method: http.MethodPatch, path: path, body: update, name: "update"}, opts)
}

// FindByExternalID looks a customer up by the ExternalID it was created
// with. The API has no filter for it, so it walks the business's customers
// (GET /v0/business/{business_id}/customers) a page of 100 at a time and
// stops at the first match: at most one request per 100 customers. A
// customer that is not there is an error matching ErrNotFound.
func (s *CustomerService) FindByExternalID(ctx context.Context, businessID, externalID string, opts ...Option) (*Customer, error) {
	found, err := find(ctx, s.list(businessID, &CustomerListParams{PageSize: 100}, opts), "externalID", []string{externalID},
		func(c *Customer) string { return c.ExternalID })
	if err != nil {
		return nil, err
	}
	c, ok := found[externalID]
	if !ok {
		return nil, fmt.Errorf("asset: no customer with external id %q: %w", externalID, ErrNotFound)
	}
	return &c, nil
}

func customersPath(businessID string) (apiPath, error) {
	return pathf("/v0/business/%s/customers", idArg{"businessID", businessID})
}

func customerPath(businessID, customerID string) (apiPath, error) {
	return pathf("/v0/business/%s/customers/%s", idArg{"businessID", businessID}, idArg{"customerID", customerID})
}
