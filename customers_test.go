package asset

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	testCustomer   = "cus_Lq5AyApd4pdL1VvakpY5aJ"
	customersRoute = "/v0/business/" + testBiz + "/customers"
	customerRoute  = "/v0/business/" + testBiz + "/customers/" + testCustomer
)

// The doc_customer* files are the example payloads of the public API
// reference, copied verbatim:
//
//	doc_customer_create_request.json  docs.getasset.com/api-reference/customer/create-a-new-customer (body)
//	doc_customer_update_request.json  docs.getasset.com/api-reference/customer/update-a-customer (body)
//	doc_customer_response.json        the answer of both pages
//	doc_customers_list.json           docs.getasset.com/api-reference/customer/list-customers-for-a-business

// docCustomer is the documented customer, written out by hand.
func docCustomer() Customer {
	a := &Address{Street1: "<string>", Street2: "<string>", City: "<string>", State: "<string>", PostalCode: "<string>", Country: "<string>"}
	b := *a
	return Customer{ID: "<string>", Name: "<string>", ExternalID: "<string>", Email: "<string>", PhoneNumber: "<string>",
		BillingAddress: a, ShippingAddress: &b}
}

func TestCustomerDocPayloadsDecode(t *testing.T) {
	t.Parallel()
	raw := testdataFile(t, "doc_customer_response.json")
	var one dataEnvelope[Customer]
	require.NoError(t, decodeBody(raw, &one))
	require.NoError(t, one.checkShape(raw))
	assert.Equal(t, docCustomer(), one.Data)

	raw = testdataFile(t, "doc_customers_list.json")
	var list listEnvelope[Customer]
	require.NoError(t, decodeBody(raw, &list))
	require.NoError(t, list.checkShape(raw))
	page := list.page()
	assert.Equal(t, []Customer{docCustomer()}, page.Data)
	assert.True(t, page.HasNext())
}

// What the SDK sends is what the docs show: the documented request bodies
// are what a create and an update of the documented values encode to.
func TestCustomerRequests(t *testing.T) {
	t.Parallel()
	doc := docCustomer()
	text := "<string>"
	tests := []struct {
		name, method, path, golden string
		call                       func(ctx context.Context, c *Client) (*Customer, error)
	}{
		{"create", http.MethodPost, customersRoute, "doc_customer_create_request.json", func(ctx context.Context, c *Client) (*Customer, error) {
			return c.Customers.Create(ctx, testBiz, CustomerCreate{Name: doc.Name, ExternalID: doc.ExternalID, Email: doc.Email,
				PhoneNumber: doc.PhoneNumber, BillingAddress: doc.BillingAddress, ShippingAddress: doc.ShippingAddress})
		}},
		{"update", http.MethodPatch, customerRoute, "doc_customer_update_request.json", func(ctx context.Context, c *Client) (*Customer, error) {
			return c.Customers.Update(ctx, testBiz, testCustomer, CustomerUpdate{Name: &text, Email: &text, PhoneNumber: &text,
				BillingAddress: doc.BillingAddress, ShippingAddress: doc.ShippingAddress})
		}},
		{"get", http.MethodGet, customerRoute, "", func(ctx context.Context, c *Client) (*Customer, error) {
			return c.Customers.Get(ctx, testBiz, testCustomer)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t)
			srv.Handle(tt.path, replyFile(t, http.StatusOK, "doc_customer_response.json"))
			got, err := tt.call(context.Background(), c)
			require.NoError(t, err)
			sent := srv.Sent()
			require.Len(t, sent, 1)
			assert.Equal(t, tt.method, sent[0].Method)
			assert.Empty(t, sent[0].Query)
			assert.Equal(t, "Bearer "+testToken, sent[0].Header.Get("Authorization"))
			if tt.golden == "" {
				assert.Empty(t, sent[0].Body)
			} else {
				assert.Equal(t, "application/json", sent[0].Header.Get("Content-Type"))
				requireSameJSON(t, testdataFile(t, tt.golden), sent[0].Body)
			}
			assert.Equal(t, docCustomer(), *got)
		})
	}
}

// An update sends only what it sets, and clears with null.
func TestCustomerUpdateBody(t *testing.T) {
	t.Parallel()
	name, empty, email := "Acme", "", "ap@acme.test"
	tests := []struct {
		name   string
		update CustomerUpdate
		want   string
	}{
		{"rename", CustomerUpdate{Name: &name}, `{"name":"Acme"}`},
		{"set email", CustomerUpdate{Email: &email}, `{"email":"ap@acme.test"}`},
		{"clear email and phone", CustomerUpdate{Email: &empty, PhoneNumber: &empty}, `{"email":null,"phone_number":null}`},
		{"clear an address", CustomerUpdate{ShippingAddress: &Address{}}, `{"shipping_address":null}`},
		{"replace an address", CustomerUpdate{BillingAddress: &Address{City: "Oslo"}}, `{"billing_address":{"city":"Oslo"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t)
			srv.Handle("PATCH "+customerRoute, replyFile(t, http.StatusOK, "doc_customer_response.json"))
			_, err := c.Customers.Update(context.Background(), testBiz, testCustomer, tt.update)
			require.NoError(t, err)
			sent := srv.Sent()
			require.Len(t, sent, 1)
			requireSameJSON(t, []byte(tt.want), sent[0].Body)
		})
	}
}

func TestCustomerInputErrors(t *testing.T) {
	t.Parallel()
	long, empty, bad := strings.Repeat("é", 256), "", "a\xffb"
	tests := []struct {
		name, field string
		call        func(ctx context.Context, c *Client) error
	}{
		{"no name", "customer.Name", func(ctx context.Context, c *Client) error {
			_, err := c.Customers.Create(ctx, testBiz, CustomerCreate{ExternalID: "x"})
			return err
		}},
		{"long email", "customer.Email", func(ctx context.Context, c *Client) error {
			_, err := c.Customers.Create(ctx, testBiz, CustomerCreate{Name: "A", Email: long})
			return err
		}},
		{"long city", "customer.BillingAddress.City", func(ctx context.Context, c *Client) error {
			_, err := c.Customers.Create(ctx, testBiz, CustomerCreate{Name: "A", BillingAddress: &Address{City: long}})
			return err
		}},
		{"invalid UTF-8", "customer", func(ctx context.Context, c *Client) error {
			_, err := c.Customers.Create(ctx, testBiz, CustomerCreate{Name: bad})
			return err
		}},
		{"invalid UTF-8 in an update", "update", func(ctx context.Context, c *Client) error {
			_, err := c.Customers.Update(ctx, testBiz, testCustomer, CustomerUpdate{BillingAddress: &Address{City: bad}})
			return err
		}},
		{"empty id", "customerID", func(ctx context.Context, c *Client) error {
			_, err := c.Customers.Get(ctx, testBiz, "")
			return err
		}},
		{"rename to nothing", "update.Name", func(ctx context.Context, c *Client) error {
			_, err := c.Customers.Update(ctx, testBiz, testCustomer, CustomerUpdate{Name: &empty})
			return err
		}},
		{"update of nothing", "update", func(ctx context.Context, c *Client) error {
			_, err := c.Customers.Update(ctx, testBiz, testCustomer, CustomerUpdate{})
			return err
		}},
		{"page size", "params.PageSize", func(ctx context.Context, c *Client) error {
			_, err := c.Customers.List(ctx, testBiz, &CustomerListParams{PageSize: 101})
			return err
		}},
		{"find nothing", "externalID[0]", func(ctx context.Context, c *Client) error {
			_, err := c.Customers.FindByExternalID(ctx, testBiz, "")
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t) // no handlers: anything sent fails the test
			err := tt.call(context.Background(), c)
			var in *InputError
			require.ErrorAs(t, err, &in)
			assert.True(t, strings.HasPrefix(in.Field, tt.field), "field %q", in.Field)
			assert.ErrorIs(t, err, ErrValidation)
			assert.Zero(t, srv.Requests())
		})
	}
}

func TestCustomerFindByExternalID(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	srv.Handle("GET "+customersRoute, byPageToken(t, map[string]http.HandlerFunc{
		"":   reply(http.StatusOK, `{"data": [{"id": "cus_1", "name": "A", "external_id": "a"}], "pagination": {"next_page_token": "p2", "previous_page_token": null}}`),
		"p2": reply(http.StatusOK, `{"data": [{"id": "cus_2", "name": "B", "external_id": "b"}], "pagination": {"next_page_token": null, "previous_page_token": "p1"}}`),
	}))
	tokens := func() []string {
		var out []string
		for _, s := range srv.Sent() {
			out = append(out, s.Values(t).Get("page_token"))
		}
		return out
	}

	got, err := c.Customers.FindByExternalID(context.Background(), testBiz, "b")
	require.NoError(t, err)
	assert.Equal(t, "cus_2", got.ID)
	assert.Equal(t, []string{"", "p2"}, tokens())
	assert.Equal(t, "100", srv.Sent()[0].Values(t).Get("page_size"))

	_, err = c.Customers.FindByExternalID(context.Background(), testBiz, "c")
	assert.True(t, errors.Is(err, ErrNotFound), "%v", err)
	assert.Equal(t, []string{"", "p2", "", "p2"}, tokens(), "a search that finds nothing reads every page")
}
