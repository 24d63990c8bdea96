package katsupaytest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/katsupay"
	"github.com/assetkit/asset-go/katsupay/katsupaytest"
)

func invoice() katsupay.CreateInvoice {
	return katsupay.CreateInvoice{
		CounterPartyID:     "3fa85f64-5717-4562-b3fc-2c963f66afa6",
		ReceivingAccountID: "9b2e6c1a-4d3f-4e8b-a5c7-1f0d2e3b4a5c",
		DueDate:            time.Date(2024, 3, 20, 0, 0, 0, 0, time.UTC),
		Currency:           977,
		Products: []katsupay.Product{
			{ProductID: "1c8f4a2e-7b6d-4c5e-9a8b-0f1e2d3c4b5a", Quantity: 3, UnitPrice: asset.MustDecimal("0.10")},
			{ProductID: "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a", Quantity: 1, UnitPrice: asset.MustDecimal("0.20")},
		},
		Taxes:            []katsupay.Tax{{TaxID: "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d", TaxPercentageValue: asset.MustDecimal("7.5")}},
		RecurringInvoice: true,
		PaymentMethods:   []katsupay.PaymentMethod{4},
	}
}

// post sends body to the server as a client that does not check anything
// would, with the default credentials unless header overrides them.
func post(t *testing.T, srv *katsupaytest.Server, path, body string, header map[string]string) (int, http.Header, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+katsupaytest.Token)
	req.Header.Set("service-api-key", katsupaytest.APIKey)
	req.Header.Set("service-api-code", katsupaytest.APICode)
	for k, v := range header {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var env map[string]any
	_ = json.Unmarshal(b, &env)
	return resp.StatusCode, resp.Header, env
}

func validBody(t *testing.T) string {
	t.Helper()
	b, err := json.Marshal(invoice())
	require.NoError(t, err)
	return string(b)
}

// The zero Option does nothing, as asset's does.
func TestZeroOptionDoesNothing(t *testing.T) {
	var srv *katsupaytest.Server
	require.NotPanics(t, func() { srv = katsupaytest.NewServer(katsupaytest.Option{}) })
	defer srv.Close()
	_, err := srv.Client().Invoices.Create(context.Background(), invoice())
	require.NoError(t, err)
}

func TestServerCreatesInvoices(t *testing.T) {
	srv := katsupaytest.NewServer()
	defer srv.Close()
	c := srv.Client()

	first, err := c.Invoices.Create(context.Background(), invoice())
	require.NoError(t, err)
	second, err := c.Invoices.Create(context.Background(), invoice())
	require.NoError(t, err)

	assert.Equal(t, "00000000-0000-4000-8000-000000000001", first.InvoiceID)
	assert.Equal(t, "00000000-0000-4000-8000-000000000002", second.InvoiceID)
	assert.Equal(t, "0.50", first.Amount.String(), "3 × 0.10 + 0.20, exactly")
	got := srv.Invoices()
	require.Len(t, got, 2)
	assert.Equal(t, first.InvoiceID, got[0].ID)
	assert.Equal(t, invoice().Products, got[0].Request.Products)
	assert.Equal(t, katsupay.Currency(977), got[0].Request.Currency)
	assert.True(t, got[0].Request.RecurringInvoice)
	assert.Equal(t, []katsupay.PaymentMethod{4}, got[0].Request.PaymentMethods)
	assert.Equal(t, 2, srv.Requests())
}

func TestServerAnswersWithTheEnvelope(t *testing.T) {
	srv := katsupaytest.NewServer()
	defer srv.Close()
	status, header, env := post(t, srv, "/api/v1/Invoice/Create", validBody(t), nil)
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, header.Get("Content-Type"), "application/json")
	assert.Equal(t, true, env["succeeded"])
	assert.Equal(t, []any{}, env["errors"])
	assert.Equal(t, map[string]any{"invoiceId": "00000000-0000-4000-8000-000000000001", "amount": 0.5}, env["data"])
}

func TestServerChecksCredentials(t *testing.T) {
	srv := katsupaytest.NewServer()
	defer srv.Close()
	for _, h := range []map[string]string{
		{"Authorization": ""},
		{"Authorization": "Bearer wrong"},
		{"Authorization": katsupaytest.Token},
		{"service-api-key": ""},
		{"service-api-code": "wrong"},
	} {
		status, _, env := post(t, srv, "/api/v1/Invoice/Create", validBody(t), h)
		assert.Equal(t, http.StatusUnauthorized, status, h)
		assert.Equal(t, false, env["succeeded"], h)
		assert.NotEmpty(t, env["message"], h)
	}
	assert.Empty(t, srv.Invoices())

	c, err := katsupay.NewClient(srv.URL, katsupay.WithToken("wrong"), katsupay.WithServiceKey(katsupaytest.APIKey, katsupaytest.APICode))
	require.NoError(t, err)
	_, err = c.Invoices.Create(context.Background(), invoice())
	assert.ErrorIs(t, err, asset.ErrUnauthorized)
}

func TestServerWithOtherCredentials(t *testing.T) {
	srv := katsupaytest.NewServer(katsupaytest.WithToken("tok-2"), katsupaytest.WithServiceKey("", ""))
	defer srv.Close()
	_, err := srv.Client().Invoices.Create(context.Background(), invoice())
	require.NoError(t, err)
	status, _, _ := post(t, srv, "/api/v1/Invoice/Create", validBody(t), map[string]string{"Authorization": "Bearer tok-2", "service-api-key": ""})
	assert.Equal(t, http.StatusOK, status)

	open := katsupaytest.NewServer(katsupaytest.WithToken(""), katsupaytest.WithServiceKey("", ""))
	defer open.Close()
	_, err = open.Client().Invoices.Create(context.Background(), invoice())
	require.NoError(t, err)
}

// headerRecorder passes requests on and keeps their headers.
type headerRecorder struct {
	tr      *http.Transport
	mu      sync.Mutex
	headers []http.Header
}

func (h *headerRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	h.mu.Lock()
	h.headers = append(h.headers, r.Header.Clone())
	h.mu.Unlock()
	return h.tr.RoundTrip(r)
}

// sentHeaders creates one invoice through srv.Client and returns the
// headers it sent.
func sentHeaders(t *testing.T, srv *katsupaytest.Server) http.Header {
	t.Helper()
	rec := &headerRecorder{tr: &http.Transport{}}
	defer rec.tr.CloseIdleConnections()
	_, err := srv.Client(katsupay.WithHTTPClient(&http.Client{Transport: rec})).Invoices.Create(context.Background(), invoice())
	require.NoError(t, err)
	require.Len(t, rec.headers, 1)
	return rec.headers[0]
}

func TestServerClientSendsOnlyTheCredentialsExpected(t *testing.T) {
	open := katsupaytest.NewServer(katsupaytest.WithToken(""), katsupaytest.WithServiceKey("", ""))
	defer open.Close()
	h := sentHeaders(t, open)
	assert.Empty(t, h.Values("Authorization"))
	assert.Empty(t, h.Values("service-api-key"))
	assert.Empty(t, h.Values("service-api-code"))

	keyOnly := katsupaytest.NewServer(katsupaytest.WithToken(""))
	defer keyOnly.Close()
	h = sentHeaders(t, keyOnly)
	assert.Empty(t, h.Values("Authorization"))
	assert.Equal(t, katsupaytest.APIKey, h.Get("service-api-key"))
	assert.Equal(t, katsupaytest.APICode, h.Get("service-api-code"))

	both := katsupaytest.NewServer()
	defer both.Close()
	h = sentHeaders(t, both)
	assert.Equal(t, "Bearer "+katsupaytest.Token, h.Get("Authorization"))
	assert.Equal(t, katsupaytest.APIKey, h.Get("service-api-key"))
}

func TestServerRequiringCredentialsRefusesAClientWithout(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []katsupaytest.Option
	}{
		{"token and key", nil},
		{"token", []katsupaytest.Option{katsupaytest.WithServiceKey("", "")}},
		{"service key", []katsupaytest.Option{katsupaytest.WithToken("")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := katsupaytest.NewServer(tc.opts...)
			defer srv.Close()
			c, err := katsupay.NewClient(srv.URL)
			require.NoError(t, err)
			_, err = c.Invoices.Create(context.Background(), invoice())
			assert.ErrorIs(t, err, asset.ErrUnauthorized)
			var kerr *katsupay.Error
			require.ErrorAs(t, err, &kerr)
			assert.Equal(t, http.StatusUnauthorized, kerr.StatusCode)
			assert.Empty(t, srv.Invoices())

			_, err = srv.Client().Invoices.Create(context.Background(), invoice())
			require.NoError(t, err, "with the credentials it expects")
			assert.Len(t, srv.Invoices(), 1)
		})
	}
}

func TestServerAcceptsTheDocumentedContentTypes(t *testing.T) {
	srv := katsupaytest.NewServer()
	defer srv.Close()
	types := []string{
		"application/json", "text/json", "text/plain",
		"application/json; charset=utf-8", "text/json; charset=utf-8", "text/plain; charset=UTF-8",
		"Text/Plain",
	}
	for _, ct := range types {
		status, _, env := post(t, srv, "/api/v1/Invoice/Create", validBody(t), map[string]string{"Content-Type": ct})
		assert.Equal(t, http.StatusOK, status, ct)
		assert.Equal(t, true, env["succeeded"], ct)
	}
	assert.Len(t, srv.Invoices(), len(types))
}

func TestServerIgnoresUnknownFields(t *testing.T) {
	srv := katsupaytest.NewServer()
	defer srv.Close()
	body := validBody(t)
	// Fields from the docs' other example shape, and Go's spelling of the
	// misspelt field: ASP.NET drops both without complaint.
	body = strings.Replace(body, "{", `{"status":"Pending","invoiceId":"1234567890","extra":{"nested":[1,2,{"x":null}]},`, 1)
	body = strings.Replace(body, `"recuringInvoice":true`, `"recurringInvoice":true`, 1)
	require.Contains(t, body, `"recurringInvoice":true`)

	status, _, env := post(t, srv, "/api/v1/Invoice/Create", body, nil)
	require.Equal(t, http.StatusOK, status, env)
	got := srv.Invoices()
	require.Len(t, got, 1)
	assert.False(t, got[0].Request.RecurringInvoice, "the misspelt field is ignored, as ASP.NET does")
	assert.Equal(t, invoice().CounterPartyID, got[0].Request.CounterPartyID)
	assert.Equal(t, invoice().Products, got[0].Request.Products)
}

func TestServerChecksTheRequest(t *testing.T) {
	srv := katsupaytest.NewServer()
	defer srv.Close()
	body := validBody(t)
	for _, tc := range []struct {
		name, path, body string
		header           map[string]string
		status           int
		says             string
	}{
		{"other path", "/api/v1/Invoice/Get", body, nil, http.StatusNotFound, "not found"},
		{"XML", "/api/v1/Invoice/Create", body, map[string]string{"Content-Type": "application/xml"}, http.StatusUnsupportedMediaType, "Content-Type"},
		{"form", "/api/v1/Invoice/Create", body, map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, http.StatusUnsupportedMediaType, "Content-Type"},
		{"no Content-Type", "/api/v1/Invoice/Create", body, map[string]string{"Content-Type": ""}, http.StatusUnsupportedMediaType, "Content-Type"},
		{"cut JSON", "/api/v1/Invoice/Create", body[:len(body)/2], nil, http.StatusBadRequest, "not a CreateInvoice"},
		{"data after the object", "/api/v1/Invoice/Create", body + `{}`, nil, http.StatusBadRequest, "after the JSON object"},
		{"an array", "/api/v1/Invoice/Create", "[" + body + "]", nil, http.StatusBadRequest, "not a CreateInvoice"},
		{"empty body", "/api/v1/Invoice/Create", "", nil, http.StatusBadRequest, "not a CreateInvoice"},
		{"bad id", "/api/v1/Invoice/Create", strings.Replace(body, "3fa85f64-5717-4562-b3fc-2c963f66afa6", "42", 1), nil, http.StatusBadRequest, "counterPartyId"},
		{"no products", "/api/v1/Invoice/Create", `{"counterPartyId":"3fa85f64-5717-4562-b3fc-2c963f66afa6","receivingAccountId":"9b2e6c1a-4d3f-4e8b-a5c7-1f0d2e3b4a5c","dueDate":"2024-03-20T00:00:00Z","products":[]}`, nil, http.StatusBadRequest, "products"},
		{"string quantity", "/api/v1/Invoice/Create", strings.Replace(body, `"quantity":3`, `"quantity":"3"`, 1), nil, http.StatusBadRequest, "quantity"},
		{"negative price", "/api/v1/Invoice/Create", strings.Replace(body, `"unitPrice":0.10`, `"unitPrice":-0.10`, 1), nil, http.StatusBadRequest, "unitPrice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, _, env := post(t, srv, tc.path, tc.body, tc.header)
			assert.Equal(t, tc.status, status)
			assert.Equal(t, false, env["succeeded"])
			all, _ := json.Marshal(env)
			assert.Contains(t, strings.ToLower(string(all)), strings.ToLower(tc.says))
		})
	}
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/api/v1/Invoice/Create", nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	assert.Empty(t, srv.Invoices())
}

func TestServerFaults(t *testing.T) {
	srv := katsupaytest.NewServer()
	defer srv.Close()
	c := srv.Client(katsupay.WithMaxRetries(0))
	ctx := context.Background()

	srv.FailNext(
		katsupaytest.Fault{Status: 400, Message: "Validation failed", Errors: []string{"Counterparty not found"}},
		katsupaytest.Fault{Status: 404},
		katsupaytest.Fault{Status: 500, Message: "Internal server error"},
		katsupaytest.Fault{Message: "Account is inactive"},
		katsupaytest.Fault{Body: `<html>maintenance</html>`},
		katsupaytest.Fault{Drop: true},
		katsupaytest.Fault{Status: 429},
	)
	_, err := c.Invoices.Create(ctx, invoice())
	var kerr *katsupay.Error
	require.ErrorAs(t, err, &kerr)
	assert.Equal(t, 400, kerr.StatusCode)
	assert.Equal(t, []string{"Counterparty not found"}, kerr.Errors)
	assert.ErrorIs(t, err, asset.ErrValidation)

	_, err = c.Invoices.Create(ctx, invoice())
	assert.ErrorIs(t, err, asset.ErrNotFound)

	_, err = c.Invoices.Create(ctx, invoice())
	assert.ErrorIs(t, err, asset.ErrServer)
	assert.ErrorIs(t, err, asset.ErrOutcomeUnknown)

	_, err = c.Invoices.Create(ctx, invoice())
	require.ErrorAs(t, err, &kerr)
	assert.Equal(t, 200, kerr.StatusCode)
	assert.Equal(t, "Account is inactive", kerr.Message)
	assert.ErrorIs(t, err, asset.ErrValidation)

	_, err = c.Invoices.Create(ctx, invoice())
	assert.ErrorIs(t, err, asset.ErrInvalidReply)

	_, err = c.Invoices.Create(ctx, invoice())
	var nerr *asset.NetworkError
	require.ErrorAs(t, err, &nerr)
	assert.True(t, nerr.MayHaveApplied)

	_, err = c.Invoices.Create(ctx, invoice())
	assert.ErrorIs(t, err, asset.ErrRateLimited)

	assert.Empty(t, srv.Invoices(), "a faulted request creates nothing")
	inv, err := c.Invoices.Create(ctx, invoice())
	require.NoError(t, err, "the queue is empty again")
	assert.Equal(t, "00000000-0000-4000-8000-000000000001", inv.InvoiceID)
	assert.Equal(t, 8, srv.Requests())
}

func TestServerFaultAfterCreateDrop(t *testing.T) {
	srv := katsupaytest.NewServer()
	defer srv.Close()
	c := srv.Client(katsupay.WithRetryWait(time.Millisecond, time.Millisecond))
	srv.FailNext(katsupaytest.Fault{Drop: true, AfterCreate: true})

	_, err := c.Invoices.Create(context.Background(), invoice())
	assert.ErrorIs(t, err, asset.ErrOutcomeUnknown)
	var nerr *asset.NetworkError
	require.ErrorAs(t, err, &nerr)
	assert.True(t, nerr.MayHaveApplied)
	got := srv.Invoices()
	require.Len(t, got, 1, "created, though the answer was lost")
	assert.Equal(t, invoice().CounterPartyID, got[0].Request.CounterPartyID)
	assert.Equal(t, 1, srv.Requests(), "not retried, despite retries being on")
}

func TestServerFaultAfterCreateAnswers(t *testing.T) {
	srv := katsupaytest.NewServer()
	defer srv.Close()
	c := srv.Client(katsupay.WithMaxRetries(0))
	ctx := context.Background()

	srv.FailNext(
		katsupaytest.Fault{Status: 500, Message: "Internal server error", AfterCreate: true},
		katsupaytest.Fault{Status: 502, Body: `<html>Bad gateway</html>`, AfterCreate: true},
		katsupaytest.Fault{Body: `{"succeeded":true,"data":{"amount":0.5}}`, AfterCreate: true},
	)
	_, err := c.Invoices.Create(ctx, invoice())
	assert.ErrorIs(t, err, asset.ErrServer)
	assert.ErrorIs(t, err, asset.ErrOutcomeUnknown)
	assert.Len(t, srv.Invoices(), 1)

	_, err = c.Invoices.Create(ctx, invoice())
	assert.ErrorIs(t, err, asset.ErrOutcomeUnknown)
	var kerr *katsupay.Error
	require.ErrorAs(t, err, &kerr)
	assert.Equal(t, 502, kerr.StatusCode)
	assert.Equal(t, "<html>Bad gateway</html>", string(kerr.Body))
	assert.Len(t, srv.Invoices(), 2)

	_, err = c.Invoices.Create(ctx, invoice())
	assert.ErrorIs(t, err, asset.ErrInvalidReply)
	assert.ErrorIs(t, err, asset.ErrOutcomeUnknown)
	assert.Len(t, srv.Invoices(), 3)
	assert.Equal(t, 3, srv.Requests())
}

func TestServerFaultAfterCreateOnARefusedRequest(t *testing.T) {
	srv := katsupaytest.NewServer()
	defer srv.Close()
	srv.FailNext(
		katsupaytest.Fault{Status: 503, AfterCreate: true},
		katsupaytest.Fault{Status: 503, AfterCreate: true},
	)
	status, _, env := post(t, srv, "/api/v1/Invoice/Create", validBody(t), map[string]string{"Authorization": "Bearer wrong"})
	assert.Equal(t, http.StatusServiceUnavailable, status, "the fault replaces the 401")
	assert.Equal(t, false, env["succeeded"])
	status, _, _ = post(t, srv, "/api/v1/Invoice/Create", `{"products":[]}`, nil)
	assert.Equal(t, http.StatusServiceUnavailable, status, "the fault replaces the 400")
	assert.Empty(t, srv.Invoices(), "a refused request creates nothing")

	status, _, _ = post(t, srv, "/api/v1/Invoice/Create", validBody(t), nil)
	assert.Equal(t, http.StatusOK, status, "the queue is empty again")
}

func TestServerFaultRetryAfter(t *testing.T) {
	srv := katsupaytest.NewServer()
	defer srv.Close()
	srv.FailNext(katsupaytest.Fault{Status: 429, RetryAfter: 1500 * time.Millisecond})
	status, header, _ := post(t, srv, "/api/v1/Invoice/Create", validBody(t), nil)
	assert.Equal(t, http.StatusTooManyRequests, status)
	assert.Equal(t, "2", header.Get("Retry-After"))
}

func TestServerLetsTheClientRetryA429(t *testing.T) {
	srv := katsupaytest.NewServer()
	defer srv.Close()
	srv.FailNext(katsupaytest.Fault{Status: 429})
	inv, err := srv.Client(katsupay.WithRetryWait(time.Millisecond, time.Millisecond)).Invoices.Create(context.Background(), invoice())
	require.NoError(t, err)
	assert.NotEmpty(t, inv.InvoiceID)
	assert.Equal(t, 2, srv.Requests())
}

func TestServerIsSafeForConcurrentUse(t *testing.T) {
	srv := katsupaytest.NewServer()
	defer srv.Close()
	c := srv.Client()
	var wg sync.WaitGroup
	ids := make([]string, 8)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			inv, err := c.Invoices.Create(context.Background(), invoice())
			if assert.NoError(t, err) {
				ids[i] = inv.InvoiceID
			}
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, id := range ids {
		assert.False(t, seen[id], id)
		seen[id] = true
	}
	assert.Len(t, srv.Invoices(), 8)
}
