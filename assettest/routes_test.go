package assettest_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
)

// TestEveryRouteSharesThePreamble sends one request to each route: each
// gets fault injection, counters, the rate-limit headers and, where it
// needs one, authentication from the server's shared preamble, without a
// line of its own.
func TestEveryRouteSharesThePreamble(t *testing.T) {
	type request struct {
		method, path string
		body         any
		headers      []string
	}
	tests := []struct {
		route   assettest.Route
		changes bool
		// req builds the route's request; n keeps invoice numbers apart.
		req func(h *tester, n string) request
	}{
		{assettest.RouteToken, true, func(h *tester, n string) request {
			c := h.srv.ClientCredentials()
			form := url.Values{"grant_type": {"client_credentials"}, "client_id": {c.ClientID}, "client_secret": {c.ClientSecret}}
			return request{"POST", "/v0/auth/token", form.Encode(), []string{"Content-Type", "application/x-www-form-urlencoded"}}
		}},
		{assettest.RouteCreateInvoices, true, func(h *tester, n string) request {
			return request{"POST", bizPath(biz, "/invoice"), []any{map[string]any{"number": "N-" + n}}, nil}
		}},
		{assettest.RouteListInvoices, false, func(*tester, string) request {
			return request{"GET", bizPath(biz, "/invoice"), nil, nil}
		}},
		{assettest.RouteGetInvoice, false, func(h *tester, n string) request {
			return request{"GET", bizPath(biz, "/invoice/"+h.createOne(biz, "G-"+n, "10")), nil, nil}
		}},
		{assettest.RouteUpdateInvoice, true, func(h *tester, n string) request {
			id := h.createOne(biz, "U-"+n, "10")
			return request{"PATCH", bizPath(biz, "/invoice/"+id), map[string]any{"status": "uncollectible"}, nil}
		}},
		{assettest.RouteWriteOff, true, func(h *tester, n string) request {
			id := h.createOne(biz, "W-"+n, "10")
			return request{"POST", bizPath(biz, "/invoice/"+id+"/write-off"), map[string]any{"amount": 1}, nil}
		}},
		{assettest.RouteApplyPayment, true, func(h *tester, n string) request {
			id := h.createOne(biz, "P-"+n, "10")
			txn := h.srv.AddTransaction(biz, mustDec("5"))
			return request{"POST", bizPath(biz, "/invoice-payment"), map[string]any{"invoice_id": id, "transaction_id": txn, "payment_amount": 1}, nil}
		}},
		{assettest.RouteCreateRefund, true, func(h *tester, n string) request {
			id := h.paidInvoice(biz, "R-"+n, "10")
			return request{"POST", bizPath(biz, "/refund"), refundBody("ext-"+n, id, "1"), nil}
		}},
		{assettest.RouteListInvoiceRefunds, false, func(h *tester, n string) request {
			return request{"GET", bizPath(biz, "/invoice/"+h.createOne(biz, "LR-"+n, "10")+"/refunds"), nil, nil}
		}},
		{assettest.RouteListRefunds, false, func(*tester, string) request {
			return request{"GET", bizPath(biz, "/refunds"), nil, nil}
		}},
		{assettest.RouteApplyRefundPayment, true, func(h *tester, n string) request {
			refund := h.refundOne(biz, "ext-"+n, h.paidInvoice(biz, "RP-"+n, "10"), "5")
			txn := h.srv.AddTransaction(biz, mustDec("5"))
			return request{"POST", bizPath(biz, "/refund-payment"), map[string]any{"refund_id": refund, "transaction_id": txn, "payment_amount": 1}, nil}
		}},
		{assettest.RouteCreateCreditMemos, true, func(h *tester, n string) request {
			return request{"POST", bizPath(biz, "/credit-memo"), []any{map[string]any{"customer_id": "cus_r", "number": "CM-" + n, "amount": 1}}, nil}
		}},
		{assettest.RouteListCreditMemos, false, func(*tester, string) request {
			return request{"GET", bizPath(biz, "/credit-memo"), nil, nil}
		}},
		{assettest.RouteGetCreditMemo, false, func(h *tester, n string) request {
			return request{"GET", bizPath(biz, "/credit-memo/"+h.createMemo(biz, "cus_r", "G-"+n, "1")), nil, nil}
		}},
		{assettest.RouteVoidCreditMemo, true, func(h *tester, n string) request {
			return request{"POST", bizPath(biz, "/credit-memo/"+h.createMemo(biz, "cus_r", "V-"+n, "1")+"/void"), nil, nil}
		}},
		{assettest.RouteCreateCustomer, true, func(h *tester, n string) request {
			return request{"POST", bizPath(biz, "/customers"), map[string]any{"name": "C " + n, "external_id": "C-" + n}, nil}
		}},
		{assettest.RouteListCustomers, false, func(*tester, string) request {
			return request{"GET", bizPath(biz, "/customers"), nil, nil}
		}},
		{assettest.RouteGetCustomer, false, func(h *tester, n string) request {
			return request{"GET", bizPath(biz, "/customers/"+h.createCustomer(biz, "G-"+n)), nil, nil}
		}},
		{assettest.RouteUpdateCustomer, true, func(h *tester, n string) request {
			return request{"PATCH", bizPath(biz, "/customers/"+h.createCustomer(biz, "U-"+n)), map[string]any{"email": n + "@x.test"}, nil}
		}},
		{assettest.RouteCreateTransactions, true, func(h *tester, n string) request {
			return request{"POST", bizPath(biz, "/transactions"), []any{map[string]any{"description": "d", "transaction_datetime": "2025-01-15T00:00:00Z",
				"amount": 1, "transaction_id": "T-" + n, "external_account_id": "eac_1"}}, nil}
		}},
		{assettest.RouteListTransactions, false, func(*tester, string) request {
			return request{"GET", bizPath(biz, "/transactions"), nil, nil}
		}},
		{assettest.RouteGetTransaction, false, func(h *tester, n string) request {
			return request{"GET", bizPath(biz, "/transactions/"+h.srv.AddTransaction(biz, asset.MustDecimal("1"))), nil, nil}
		}},
		{assettest.RouteListLedgers, false, func(*tester, string) request {
			return request{"GET", bizPath(biz, "/ledger"), nil, nil}
		}},
		{assettest.RouteGetLedger, false, func(h *tester, n string) request {
			ledgers, err := h.srv.Client().Ledgers.List(context.Background(), biz)
			if err != nil {
				panic(err)
			}
			return request{"GET", bizPath(biz, "/ledger/"+ledgers[0].ID), nil, nil}
		}},
	}
	for _, tt := range tests {
		t.Run(string(tt.route), func(t *testing.T) {
			h := newTester(t)
			sent := 0
			send := func(extra ...string) reply {
				sent++
				r := tt.req(h, strconv.Itoa(sent))
				return h.do(r.method, r.path, r.body, append(r.headers, extra...)...)
			}
			h.srv.ResetStats()

			h.srv.FailNext(tt.route, 1, http.StatusServiceUnavailable)
			failed := send().requireStatus(t, http.StatusServiceUnavailable)
			assert.Equal(t, "Service Unavailable", failed.get("detail"))
			assert.Equal(t, "300", failed.header.Get("X-Ratelimit-Limit"))

			served := send()
			assert.Less(t, served.status, 300, "body %s", served.raw)
			assert.Equal(t, "300", served.header.Get("X-Ratelimit-Limit"))
			applied := 0
			if tt.changes {
				applied = 1
			}
			assert.Equal(t, assettest.RouteStats{Requests: 2, Served: 1, Applied: applied, Faulted: 1}, h.srv.Stats(tt.route))

			refused := send("Authorization", "Bearer nope")
			if tt.route == assettest.RouteToken {
				assert.Equal(t, http.StatusOK, refused.status, "the token endpoint takes no bearer token")
			} else {
				assert.Equal(t, http.StatusUnauthorized, refused.status)
			}
		})
	}
}
