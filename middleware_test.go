package asset_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
)

const mwBiz = "biz_Middleware000000000000001"

// callRecorder is Hooks that keep every call's name and result.
type callRecorder struct {
	mu      sync.Mutex
	names   []string
	results []asset.CallResult
	events  []string
	ops     []string
	opErrs  []error
}

func (r *callRecorder) hooks() asset.Hooks {
	return asset.Hooks{
		CallStart: func(ctx context.Context, call asset.CallInfo) context.Context {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.names = append(r.names, call.Name())
			return ctx
		},
		CallEnd: func(_ context.Context, _ asset.CallInfo, res asset.CallResult) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.results = append(r.results, res)
		},
		OperationStart: func(ctx context.Context, op asset.Operation) context.Context {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.ops = append(r.ops, op.Name+" "+op.Method+" "+op.Route)
			return ctx
		},
		OperationEvent: func(_ context.Context, _ asset.Operation, name string, attrs ...slog.Attr) {
			r.mu.Lock()
			defer r.mu.Unlock()
			s := name
			for _, a := range attrs {
				s += " " + a.String()
			}
			r.events = append(r.events, s)
		},
		OperationEnd: func(_ context.Context, _ asset.Operation, err error) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.opErrs = append(r.opErrs, err)
		},
	}
}

// TestRouteTemplates: every service method names its call by the route
// template the fake serves it under, with no id in it.
func TestRouteTemplates(t *testing.T) {
	t.Parallel()
	srv := assettest.NewServer()
	defer srv.Close()
	rec := &callRecorder{}
	c := srv.Client(asset.WithHooks(rec.hooks()), asset.WithMaxRetries(0))
	ctx := context.Background()
	const inv, memo = "inv_Route0000000000000000001", "cm_Route00000000000000000001"
	const cus, txn, ldg = "cus_Route0000000000000000001", "txn_Route0000000000000000001", "ldg_Route0000000000000000001"
	renamed := "Acme Corp"
	amount := asset.MustDecimal("1.00")
	for _, tc := range []struct {
		want assettest.Route
		call func() error
	}{
		{assettest.RouteCreateInvoices, func() error { _, err := c.Invoices.Create(ctx, mwBiz, bulkInput("route", 1)); return err }},
		{assettest.RouteListInvoices, func() error { _, err := c.Invoices.List(ctx, mwBiz, nil); return err }},
		{assettest.RouteGetInvoice, func() error { _, err := c.Invoices.Get(ctx, mwBiz, inv); return err }},
		{assettest.RouteUpdateInvoice, func() error {
			_, err := c.Invoices.Update(ctx, mwBiz, inv, asset.InvoiceUpdate{Status: asset.InvoiceStatusVoided})
			return err
		}},
		{assettest.RouteWriteOff, func() error { _, err := c.Invoices.WriteOff(ctx, mwBiz, inv, asset.InvoiceWriteOff{}); return err }},
		{assettest.RouteApplyPayment, func() error {
			_, err := c.Payments.Apply(ctx, mwBiz, asset.InvoicePaymentCreate{InvoiceID: inv, TransactionID: "txn_1", PaymentAmount: amount})
			return err
		}},
		{assettest.RouteCreateRefund, func() error {
			_, err := c.Refunds.Create(ctx, mwBiz, asset.RefundCreate{Amount: amount, ExternalID: "r-1", Method: asset.RefundMethodCash, RefundedAt: time.Now(),
				InvoicesToRefund: []asset.RefundInvoiceCreate{{Amount: amount, InvoiceID: inv}}})
			return err
		}},
		{assettest.RouteListInvoiceRefunds, func() error { _, err := c.Refunds.ListForInvoice(ctx, mwBiz, inv); return err }},
		{assettest.RouteListRefunds, func() error { _, err := c.Refunds.List(ctx, mwBiz, nil); return err }},
		{assettest.RouteApplyRefundPayment, func() error {
			_, err := c.Refunds.ApplyPayment(ctx, mwBiz, asset.RefundPaymentCreate{RefundID: "rf_1", TransactionID: "txn_1", PaymentAmount: amount})
			return err
		}},
		{assettest.RouteCreateCreditMemos, func() error {
			_, err := c.CreditMemos.Create(ctx, mwBiz, []asset.CreditMemoCreate{{CustomerID: "cus_1", Number: "cm-1", Amount: amount}})
			return err
		}},
		{assettest.RouteListCreditMemos, func() error { _, err := c.CreditMemos.List(ctx, mwBiz, nil); return err }},
		{assettest.RouteGetCreditMemo, func() error { _, err := c.CreditMemos.Get(ctx, mwBiz, memo); return err }},
		{assettest.RouteVoidCreditMemo, func() error { _, err := c.CreditMemos.Void(ctx, mwBiz, memo); return err }},
		{assettest.RouteCreateCustomer, func() error {
			_, err := c.Customers.Create(ctx, mwBiz, asset.CustomerCreate{Name: "Acme"})
			return err
		}},
		{assettest.RouteListCustomers, func() error { _, err := c.Customers.List(ctx, mwBiz, nil); return err }},
		{assettest.RouteGetCustomer, func() error { _, err := c.Customers.Get(ctx, mwBiz, cus); return err }},
		{assettest.RouteUpdateCustomer, func() error {
			_, err := c.Customers.Update(ctx, mwBiz, cus, asset.CustomerUpdate{Name: &renamed})
			return err
		}},
		{assettest.RouteCreateTransactions, func() error {
			_, err := c.Transactions.Create(ctx, mwBiz, []asset.TransactionCreate{{Description: "wire", Datetime: time.Now(),
				Amount: amount, ExternalID: "bank-1", ExternalAccountID: "eac_1"}})
			return err
		}},
		{assettest.RouteListTransactions, func() error { _, err := c.Transactions.List(ctx, mwBiz, nil); return err }},
		{assettest.RouteGetTransaction, func() error { _, err := c.Transactions.Get(ctx, mwBiz, txn, nil); return err }},
		{assettest.RouteListLedgers, func() error { _, err := c.Ledgers.List(ctx, mwBiz); return err }},
		{assettest.RouteGetLedger, func() error { _, err := c.Ledgers.Get(ctx, mwBiz, ldg); return err }},
	} {
		t.Run(string(tc.want), func(t *testing.T) {
			rec.mu.Lock()
			rec.names = nil
			rec.mu.Unlock()
			_ = tc.call() // refused or not, the call is named
			rec.mu.Lock()
			defer rec.mu.Unlock()
			require.Equal(t, []string{string(tc.want)}, rec.names)
			for _, id := range []string{mwBiz, inv, memo, cus, txn, ldg} {
				assert.NotContains(t, rec.names[0], id)
			}
		})
	}
}

// TestMiddlewareClientAndCall: the client's middlewares wrap a call's, the
// first given the outermost, and a call's run for that call only.
func TestMiddlewareClientAndCall(t *testing.T) {
	t.Parallel()
	srv := assettest.NewServer()
	defer srv.Close()
	var mu sync.Mutex
	var order []string
	named := func(name string) asset.Middleware {
		return func(req *http.Request, next asset.MiddlewareNext) (*http.Response, error) {
			mu.Lock()
			order = append(order, name)
			mu.Unlock()
			return next(req)
		}
	}
	c := srv.Client(asset.WithMiddleware(named("client1"), named("client2")))
	ctx := context.Background()
	_, err := c.Invoices.List(ctx, mwBiz, nil, asset.WithMiddleware(named("call")))
	require.NoError(t, err)
	_, err = c.Invoices.List(ctx, mwBiz, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"client1", "client2", "call", "client1", "client2"}, order)
}

// TestMiddlewareOncePerTry: a 503 then a success is two tries, each through
// the middleware once, which sees which try it is and which call.
func TestMiddlewareOncePerTry(t *testing.T) {
	t.Parallel()
	srv := assettest.NewServer()
	defer srv.Close()
	srv.FailNext(assettest.RouteListInvoices, 1, http.StatusServiceUnavailable)
	var tries []asset.TryInfo
	var calls []asset.CallInfo
	c := srv.Client(asset.WithMiddleware(func(req *http.Request, next asset.MiddlewareNext) (*http.Response, error) {
		try, ok := asset.TryInfoFrom(req.Context())
		require.True(t, ok)
		call, ok := asset.CallInfoFrom(req.Context())
		require.True(t, ok)
		tries, calls = append(tries, try), append(calls, call)
		return next(req)
	}))
	_, err := c.Invoices.List(context.Background(), mwBiz, nil)
	require.NoError(t, err)
	require.Len(t, tries, 2)
	assert.Equal(t, 1, tries[0].Attempt)
	assert.Equal(t, 2, tries[1].Attempt)
	assert.Positive(t, tries[1].Backoff)
	want := asset.CallInfo{Method: "GET", Route: "/v0/business/{business_id}/invoice", BusinessID: mwBiz}
	assert.Equal(t, []asset.CallInfo{want, want}, calls)
	_, ok := asset.TryInfoFrom(context.Background())
	assert.False(t, ok, "no try outside a middleware")
}

// TestMiddlewareNeverSendsAChangeTwice: a middleware that calls next twice
// for a create gets an error the second time, the server sees one request,
// and the call reports an unknown outcome rather than a failure that
// invites sending it again.
func TestMiddlewareNeverSendsAChangeTwice(t *testing.T) {
	t.Parallel()
	srv := assettest.NewServer()
	defer srv.Close()
	c := srv.Client(asset.WithMiddleware(func(req *http.Request, next asset.MiddlewareNext) (*http.Response, error) {
		resp, err := next(req)
		if err != nil {
			return nil, err
		}
		resp.Body.Close()
		return next(req) // "retry" it
	}))
	_, err := c.Invoices.Create(context.Background(), mwBiz, bulkInput("twice", 1))
	require.Error(t, err)
	assert.ErrorIs(t, err, asset.ErrOutcomeUnknown)
	assert.Equal(t, 1, srv.Requests(assettest.RouteCreateInvoices))
	assert.Equal(t, 1, srv.Applied(assettest.RouteCreateInvoices))
	assert.Len(t, srv.Invoices(mwBiz), 1)
}

// TestMiddlewareSeesNoCredential: the token is not in the request a
// middleware gets, and one it writes into Authorization is not sent.
func TestMiddlewareSeesNoCredential(t *testing.T) {
	t.Parallel()
	srv := assettest.NewServer()
	defer srv.Close()
	var seen []string
	c := srv.Client(asset.WithMiddleware(func(req *http.Request, next asset.MiddlewareNext) (*http.Response, error) {
		for k, v := range req.Header {
			seen = append(seen, k+": "+strings.Join(v, ","))
		}
		req = req.Clone(req.Context())
		req.Header.Set("Authorization", "Bearer not-the-token")
		return next(req)
	}))
	_, err := c.Invoices.List(context.Background(), mwBiz, nil)
	require.NoError(t, err, "the client's own token was sent")
	require.NotEmpty(t, seen)
	for _, h := range seen {
		assert.NotContains(t, h, srv.Token())
		assert.NotContains(t, strings.ToLower(h), "authorization")
	}
}

// TestHooksOutcomes: CallEnd classifies how each call ended, with its
// status, tries, request id and rate limit.
func TestHooksOutcomes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		fault   func(*assettest.Server)
		call    func(context.Context, *asset.Client) error
		outcome asset.Outcome
		status  int
		tries   int
	}{
		{"ok", func(*assettest.Server) {}, listCall, asset.OutcomeOK, 200, 1},
		{"refused 422", func(s *assettest.Server) { s.FailNext(assettest.RouteCreateInvoices, 1, 422) }, createCall, asset.OutcomeRefused, 422, 1},
		{"refused 404", func(*assettest.Server) {}, getMissingCall, asset.OutcomeRefused, 404, 1},
		{"rate limited", func(s *assettest.Server) {
			s.FailNextWith(assettest.RouteListInvoices, 2, assettest.Failure{Status: 429, Header: http.Header{"Retry-After": {"0"}}})
		}, listCall, asset.OutcomeRateLimited, 429, 2},
		{"unknown after a drop", func(s *assettest.Server) { s.DropNext(assettest.RouteCreateInvoices, 1, assettest.DropAfterApply) },
			createCall, asset.OutcomeUnknown, 0, 1},
		{"unknown after a 500", func(s *assettest.Server) { s.FailNext(assettest.RouteCreateInvoices, 1, 500) },
			createCall, asset.OutcomeUnknown, 500, 1},
		{"failed read", func(s *assettest.Server) { s.FailNext(assettest.RouteListInvoices, 2, 500) }, listCall, asset.OutcomeFailed, 500, 2},
		{"retried to success", func(s *assettest.Server) { s.FailNext(assettest.RouteListInvoices, 1, 503) }, listCall, asset.OutcomeOK, 200, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := assettest.NewServer()
			defer srv.Close()
			rec := &callRecorder{}
			c := srv.Client(asset.WithHooks(rec.hooks()), asset.WithMaxRetries(1))
			tc.fault(srv)
			err := tc.call(context.Background(), c)
			assert.Equal(t, tc.outcome, asset.OutcomeOf(err))
			require.Len(t, rec.results, 1)
			res := rec.results[0]
			assert.Equal(t, tc.outcome, res.Outcome)
			assert.Equal(t, err, res.Err)
			assert.Equal(t, tc.status, res.StatusCode)
			assert.Equal(t, tc.tries, res.Tries)
			if tc.status != 0 {
				assert.NotEmpty(t, res.RequestID)
				assert.True(t, res.RateLimitOK)
			}
		})
	}
}

func listCall(ctx context.Context, c *asset.Client) error {
	_, err := c.Invoices.List(ctx, mwBiz, nil)
	return err
}

func createCall(ctx context.Context, c *asset.Client) error {
	_, err := c.Invoices.Create(ctx, mwBiz, bulkInput("outcome", 1))
	return err
}

func getMissingCall(ctx context.Context, c *asset.Client) error {
	_, err := c.Invoices.Get(ctx, mwBiz, "inv_Missing00000000000000001")
	return err
}

// TestOutcomeOf classifies the errors the other tests cannot make.
func TestOutcomeOf(t *testing.T) {
	t.Parallel()
	assert.Equal(t, asset.OutcomeRefused, asset.OutcomeOf(&asset.InputError{Field: "x"}))
	assert.Equal(t, asset.OutcomeFailed, asset.OutcomeOf(context.Canceled))
	assert.Equal(t, asset.OutcomeFailed, asset.OutcomeOf(errors.New("other")))
	assert.Equal(t, asset.OutcomeOK, asset.OutcomeOf(nil))
}

// TestHooksOperations: CreateMany and All are operations whose calls run
// under them, reporting each batch and page as it ends.
func TestHooksOperations(t *testing.T) {
	t.Parallel()
	srv := assettest.NewServer()
	defer srv.Close()
	rec := &callRecorder{}
	c := srv.Client(asset.WithHooks(rec.hooks()))
	ctx := context.Background()
	_, err := c.Invoices.CreateMany(ctx, mwBiz, bulkInput("op", 150), asset.WithConcurrency(1))
	require.NoError(t, err)
	n := 0
	for _, err := range c.Invoices.All(ctx, mwBiz, &asset.InvoiceListParams{PageSize: 100}) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 150, n)
	rec.mu.Lock()
	defer rec.mu.Unlock()
	assert.Equal(t, []string{
		"CreateMany POST /v0/business/{business_id}/invoice",
		"All GET /v0/business/{business_id}/invoice",
	}, rec.ops)
	assert.Equal(t, []string{
		"batch done=100 total=150 created=100 failed=0",
		"batch done=150 total=150 created=150 failed=0",
		"page page=1 items=100 items_total=100",
		"page page=2 items=50 items_total=150",
	}, rec.events)
	assert.Equal(t, []error{nil, nil}, rec.opErrs)
	assert.Len(t, rec.names, 4, "two batches, two pages")
}
