package asset_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
)

const findBiz = "biz_Find00000000000000000001"

// findServer is a server whose business holds n invoices, F-0 ... F-(n-1),
// due one day apart from due0, created in batches of 100.
func findServer(t *testing.T, n int, due0 time.Time) (*assettest.Server, *asset.Client) {
	t.Helper()
	srv := assettest.NewServer(assettest.WithoutRateLimit())
	t.Cleanup(srv.Close)
	c := srv.Client()
	in := make([]asset.InvoiceCreate, n)
	for i := range in {
		in[i] = asset.InvoiceCreate{Number: fmt.Sprintf("F-%d", i), DueAt: due0.AddDate(0, 0, i),
			Lines: []asset.InvoiceLineCreate{{Description: "x", Amount: asset.MustDecimal("1")}}}
	}
	_, err := c.Invoices.CreateMany(context.Background(), findBiz, in, asset.WithConcurrency(1)) // listed in this order
	require.NoError(t, err)
	srv.ResetStats()
	return srv, c
}

func TestInvoicesFindByNumbers(t *testing.T) {
	t.Parallel()
	due0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	srv, c := findServer(t, 450, due0)
	tests := []struct {
		name    string
		numbers []string
		opts    []asset.Option
		found   []string
		pages   int // list requests
	}{
		{"on the first page", []string{"F-3", "F-97"}, nil, []string{"F-3", "F-97"}, 1},
		{"stops once all are found", []string{"F-150", "F-5"}, nil, []string{"F-5", "F-150"}, 2},
		{"asked twice", []string{"F-5", "F-5"}, nil, []string{"F-5"}, 1},
		{"one missing walks to the end", []string{"F-5", "nope"}, nil, []string{"F-5"}, 5},
		{"nothing asked sends nothing", nil, nil, nil, 0},
		{"within a due window", []string{"F-400", "F-420"},
			[]asset.Option{asset.WithDueWindow(due0.AddDate(0, 0, 399), due0.AddDate(0, 0, 421))},
			[]string{"F-400", "F-420"}, 1},
		{"outside the due window", []string{"F-5"},
			[]asset.Option{asset.WithDueWindow(due0.AddDate(0, 0, 399), time.Time{})}, nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.ResetStats()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			found, err := c.Invoices.FindByNumbers(ctx, findBiz, tt.numbers, tt.opts...)
			require.NoError(t, err)
			require.Len(t, found, len(tt.found))
			for _, n := range tt.found {
				inv, ok := found[n]
				require.True(t, ok, "%s not found", n)
				assert.Equal(t, n, inv.Number)
				assert.NotEmpty(t, inv.ID)
			}
			assert.Equal(t, tt.pages, srv.Requests(assettest.RouteListInvoices), "pages walked")
		})
	}
}

func TestFindRefusesBadInput(t *testing.T) {
	t.Parallel()
	c, err := asset.NewClient(asset.WithToken("tok"), asset.WithBaseURL("http://127.0.0.1:1"))
	require.NoError(t, err)
	ctx := context.Background()
	due := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name, field string
		call        func() error
	}{
		{"an empty number", "numbers[1]", func() error {
			_, err := c.Invoices.FindByNumbers(ctx, findBiz, []string{"A", ""})
			return err
		}},
		{"a window that ends before it starts", "WithDueWindow", func() error {
			_, err := c.Invoices.FindByNumbers(ctx, findBiz, []string{"A"}, asset.WithDueWindow(due, due.Add(-time.Second)))
			return err
		}},
		{"a bad business", "businessID", func() error {
			_, err := c.Invoices.FindByNumbers(ctx, "biz/1", []string{"A"})
			return err
		}},
		{"a memo lookup without a customer", "customerID", func() error {
			_, err := c.CreditMemos.FindByNumbers(ctx, findBiz, "", []string{"A"})
			return err
		}},
		{"a refund lookup without an external id", "externalID", func() error {
			_, err := c.Refunds.FindByExternalID(ctx, findBiz, "inv_1", "")
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var inputErr *asset.InputError
			require.ErrorAs(t, tt.call(), &inputErr)
			assert.Equal(t, tt.field, inputErr.Field)
		})
	}
	_, err = asset.NewClient(asset.WithDueWindow(due, due))
	var inputErr *asset.InputError
	require.ErrorAs(t, err, &inputErr, "a window belongs to one call")
}

// A walk that fails returns what it found before the failure.
func TestFindByNumbersKeepsWhatItFoundBeforeAnError(t *testing.T) {
	t.Parallel()
	srv, _ := findServer(t, 250, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	hc := srv.HTTPClient()
	hc.Transport = &failFrom{next: hc.Transport, n: 2}
	c := srv.Client(asset.WithHTTPClient(hc), asset.WithMaxRetries(0))
	found, err := c.Invoices.FindByNumbers(ctx, findBiz, []string{"F-1", "F-200"})
	require.ErrorIs(t, err, asset.ErrServer)
	assert.Contains(t, found, "F-1")
	assert.NotContains(t, found, "F-200")
}

// failFrom answers 503 itself from the nth request on.
type failFrom struct {
	next http.RoundTripper
	n    int
	seen int
}

func (f *failFrom) RoundTrip(r *http.Request) (*http.Response, error) {
	f.seen++
	if f.seen < f.n {
		return f.next.RoundTrip(r)
	}
	return &http.Response{StatusCode: http.StatusServiceUnavailable, Status: "503 Service Unavailable",
		Header: http.Header{"Content-Type": {"application/json"}}, Body: http.NoBody, Request: r}, nil
}

func TestCreditMemosFindByNumbers(t *testing.T) {
	t.Parallel()
	srv := assettest.NewServer(assettest.WithoutRateLimit())
	defer srv.Close()
	c := srv.Client()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var memos []asset.CreditMemoCreate
	for i := range 150 {
		cus := "cus_A"
		if i%2 == 1 {
			cus = "cus_B"
		}
		memos = append(memos, asset.CreditMemoCreate{CustomerID: cus, Number: fmt.Sprintf("CM-%d", i), Amount: asset.MustDecimal("1")})
	}
	for start := 0; start < len(memos); start += 100 {
		_, err := c.CreditMemos.Create(ctx, findBiz, memos[start:min(start+100, len(memos))])
		require.NoError(t, err)
	}
	srv.ResetStats()
	found, err := c.CreditMemos.FindByNumbers(ctx, findBiz, "cus_B", []string{"CM-1", "CM-149", "CM-2"})
	require.NoError(t, err)
	assert.Len(t, found, 2, "CM-2 is cus_A's")
	assert.Equal(t, "cus_B", found["CM-149"].CustomerID)
	assert.NotEmpty(t, found["CM-1"].ID)
	assert.Equal(t, 1, srv.Requests(assettest.RouteListCreditMemos), "cus_B's 75 memos are one page")
}

func TestRefundsFindByExternalID(t *testing.T) {
	t.Parallel()
	srv := assettest.NewServer(assettest.WithoutRateLimit())
	defer srv.Close()
	c := srv.Client()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	invs, err := c.Invoices.Create(ctx, findBiz, []asset.InvoiceCreate{{Number: "R-1",
		Lines: []asset.InvoiceLineCreate{{Description: "x", Amount: asset.MustDecimal("10")}}}})
	require.NoError(t, err)
	inv := invs[0]
	_, err = c.Payments.Apply(ctx, findBiz, asset.InvoicePaymentCreate{InvoiceID: inv.ID,
		TransactionID: srv.AddTransaction(findBiz, asset.MustDecimal("10")), PaymentAmount: asset.MustDecimal("10")})
	require.NoError(t, err)
	made, err := c.Refunds.Create(ctx, findBiz, asset.RefundCreate{Amount: asset.MustDecimal("4"), ExternalID: "rf-1",
		RefundedAt: time.Now(), Method: asset.RefundMethodCash,
		InvoicesToRefund: []asset.RefundInvoiceCreate{{InvoiceID: inv.ID, Amount: asset.MustDecimal("4")}}})
	require.NoError(t, err)

	got, err := c.Refunds.FindByExternalID(ctx, findBiz, inv.ID, "rf-1")
	require.NoError(t, err)
	assert.Equal(t, made.ID, got.ID)

	_, err = c.Refunds.FindByExternalID(ctx, findBiz, inv.ID, "rf-2")
	assert.ErrorIs(t, err, asset.ErrNotFound)
	assert.Contains(t, err.Error(), `"rf-2"`)
}
