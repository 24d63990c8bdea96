package katsupay_test

import (
	"bytes"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gopkg.in/h2non/gock.v1"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/katsupay"
)

// Shared by the package's tests.

const (
	testBase     = "https://pay.katsu.example"
	testToken    = "tok_katsu_secret_9f8e7d"
	testAPIKey   = "svc_key_secret_123"
	testAPICode  = "svc_code_456"
	createPathRE = "^/api/v1/Invoice/Create$"
)

// newGockClient returns a client whose *http.Client is intercepted by gock,
// with fast retries. Every mock registered must be used by the end of the
// test, and nothing unmocked may reach the network.
func newGockClient(t *testing.T, opts ...katsupay.Option) *katsupay.Client {
	t.Helper()
	return newGockClientAt(t, testBase, opts...)
}

// newGockClientAt is newGockClient for another base URL.
func newGockClientAt(t *testing.T, baseURL string, opts ...katsupay.Option) *katsupay.Client {
	t.Helper()
	hc := &http.Client{}
	gock.InterceptClient(hc)
	t.Cleanup(func() {
		pending := gock.Pending()
		gock.Off()
		gock.RestoreClient(hc)
		if !t.Failed() && len(pending) > 0 {
			t.Errorf("%d gock mocks were not used, the first %s %s", len(pending),
				pending[0].Request().Method, pending[0].Request().URLStruct)
		}
	})
	base := []katsupay.Option{
		katsupay.WithToken(testToken),
		katsupay.WithServiceKey(testAPIKey, testAPICode),
		katsupay.WithHTTPClient(hc),
		katsupay.WithRetryWait(time.Millisecond, 5*time.Millisecond),
	}
	c, err := katsupay.NewClient(baseURL, append(base, opts...)...)
	require.NoError(t, err)
	return c
}

// mockCreate registers one POST /api/v1/Invoice/Create.
func mockCreate() *gock.Request {
	return gock.New(testBase).Post(createPathRE)
}

// countRequests counts the requests that reach gock, matched or not, so a
// test can assert that bad input sent nothing or that nothing was retried.
func countRequests(t *testing.T) *atomic.Int32 {
	t.Helper()
	var n atomic.Int32
	gock.Observe(func(*http.Request, gock.Mock) { n.Add(1) })
	t.Cleanup(func() { gock.Observe(nil) })
	return &n
}

// captured is a request as gock saw it.
type captured struct {
	header http.Header
	body   []byte
}

// capture records the request that matches m.
func capture(m *gock.Request) *captured {
	c := &captured{}
	m.AddMatcher(func(req *http.Request, _ *gock.Request) (bool, error) {
		c.header = req.Header.Clone()
		if req.Body != nil {
			b, err := io.ReadAll(req.Body)
			if err != nil {
				return false, err
			}
			req.Body = io.NopCloser(bytes.NewReader(b))
			c.body = b
		}
		return true, nil
	})
	return c
}

// validInvoice fills every documented field.
func validInvoice() katsupay.CreateInvoice {
	return katsupay.CreateInvoice{
		CounterPartyID:     "3fa85f64-5717-4562-b3fc-2c963f66afa6",
		ReceivingAccountID: "9b2e6c1a-4d3f-4e8b-a5c7-1f0d2e3b4a5c",
		CounterPartyName:   "Lovelace Analytical Engines Ltd",
		AccountName:        "Operating account",
		DueDate:            time.Date(2024, 3, 20, 0, 0, 0, 0, time.UTC),
		Currency:           2,
		Products: []katsupay.Product{
			{ProductID: "1c8f4a2e-7b6d-4c5e-9a8b-0f1e2d3c4b5a", Quantity: 2, UnitPrice: asset.MustDecimal("500.00")},
			{ProductID: "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a", Quantity: 1, UnitPrice: asset.MustDecimal("49.99")},
		},
		Taxes: []katsupay.Tax{
			{TaxID: "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d", TaxPercentageValue: asset.MustDecimal("7.5")},
		},
		Discount:         katsupay.Discount{DiscountType: 1, DiscountValue: asset.MustDecimal("10.00")},
		Description:      "March consulting",
		BillingCycle:     7,
		RecurringInvoice: true,
		Notification:     []katsupay.NotificationChannel{1, 2},
		PaymentMethods:   []katsupay.PaymentMethod{1, 3},
		BeforeDueDates:   []int{7, 1},
		AfterDueDates:    []int{1, 3},
		OnDueDate:        true,
		SendInvoice:      true,
	}
}

const okReply = `{"succeeded":true,"message":"Invoice created","errors":[],"data":{"invoiceId":"7c9e6679-7425-40de-944b-e07fc1f90ae7","amount":1049.99}}`
