package katsupay_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/h2non/gock.v1"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/internal/wiretest"
	"github.com/assetkit/asset-go/katsupay"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func TestCreateSendsTheDocumentedRequest(t *testing.T) {
	c := newGockClient(t)
	m := mockCreate()
	req := capture(m)
	m.Reply(200).BodyString(okReply)

	got, err := c.Invoices.Create(context.Background(), validInvoice())
	require.NoError(t, err)
	assert.Equal(t, "7c9e6679-7425-40de-944b-e07fc1f90ae7", got.InvoiceID)
	assert.Equal(t, "1049.99", got.Amount.String())

	var indented bytes.Buffer
	require.NoError(t, json.Indent(&indented, req.body, "", "  "))
	indented.WriteByte('\n')
	const golden = "testdata/golden_create_request.json"
	if *update {
		require.NoError(t, os.WriteFile(golden, indented.Bytes(), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, string(want), indented.String())

	h := req.header
	assert.Equal(t, "Bearer "+testToken, h.Get("Authorization"))
	assert.Equal(t, testAPIKey, h.Get("service-api-key"))
	assert.Equal(t, testAPICode, h.Get("service-api-code"))
	assert.Equal(t, "application/json", h.Get("Content-Type"))
	assert.Equal(t, "application/json", h.Get("Accept"))
	assert.True(t, strings.HasPrefix(h.Get("User-Agent"), "asset-go-katsupay/"+asset.Version+" (go"), h.Get("User-Agent"))
}

func TestCreateSendsOnlyTheCredentialsGiven(t *testing.T) {
	for _, tc := range []struct {
		name      string
		opts      []katsupay.Option
		bearer    bool
		serviceKV bool
	}{
		{"token", []katsupay.Option{katsupay.WithToken(testToken)}, true, false},
		{"service key", []katsupay.Option{katsupay.WithServiceKey(testAPIKey, testAPICode)}, false, true},
		{"none", nil, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hc := &http.Client{}
			gock.InterceptClient(hc)
			defer gock.RestoreClient(hc)
			defer gock.Off()
			m := mockCreate()
			req := capture(m)
			m.Reply(200).BodyString(okReply)
			c, err := katsupay.NewClient(testBase, append(tc.opts, katsupay.WithHTTPClient(hc))...)
			require.NoError(t, err)
			_, err = c.Invoices.Create(context.Background(), validInvoice())
			require.NoError(t, err)
			assert.Equal(t, tc.bearer, req.header.Get("Authorization") != "")
			assert.Equal(t, tc.serviceKV, req.header.Get("service-api-key") != "")
			assert.Equal(t, tc.serviceKV, req.header.Get("service-api-code") != "")
		})
	}
}

func TestCreateWithoutCredentialsReportsA401AsUnauthorized(t *testing.T) {
	hc := &http.Client{}
	gock.InterceptClient(hc)
	defer gock.RestoreClient(hc)
	defer gock.Off()
	mockCreate().Reply(401).BodyString(`{"succeeded":false,"message":"The bearer token is missing.","errors":[]}`)
	c, err := katsupay.NewClient(testBase, katsupay.WithHTTPClient(hc))
	require.NoError(t, err)
	_, err = c.Invoices.Create(context.Background(), validInvoice())
	assert.ErrorIs(t, err, asset.ErrUnauthorized)
	assert.NotErrorIs(t, err, asset.ErrOutcomeUnknown)
	var kerr *katsupay.Error
	require.ErrorAs(t, err, &kerr)
	assert.Equal(t, "The bearer token is missing.", kerr.Message)
	assert.True(t, gock.IsDone())
}

func TestCreateEncodesDueDateToDotNetPrecision(t *testing.T) {
	inv := validInvoice()
	inv.DueDate = time.Date(2024, 3, 20, 17, 30, 0, 123456789, time.FixedZone("", 2*3600))
	b, err := json.Marshal(inv)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"dueDate":"2024-03-20T17:30:00.1234567+02:00"`)
}

func TestCreateSendsEmptyListsAndZeroDiscount(t *testing.T) {
	inv := katsupay.CreateInvoice{DueDate: time.Date(2024, 3, 20, 0, 0, 0, 0, time.UTC)}
	b, err := json.Marshal(inv)
	require.NoError(t, err)
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(b, &m))
	for _, k := range []string{"products", "taxes", "notification", "paymentMethods", "beforeDueDates", "afterDueDates"} {
		assert.Equal(t, "[]", string(m[k]), k)
	}
	assert.JSONEq(t, `{"discountType":0,"discountValue":0}`, string(m["discount"]))
	assert.Len(t, m, 18)
}

// MarshalJSON lists the body's fields itself, to keep the documented order
// and dueDate's precision: a field added to CreateInvoice must be added
// there too, or it would never be sent.
func TestCreateSendsEveryField(t *testing.T) {
	b, err := json.Marshal(katsupay.CreateInvoice{DueDate: time.Date(2024, 3, 20, 0, 0, 0, 0, time.UTC)})
	require.NoError(t, err)
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(b, &m))
	typ := reflect.TypeFor[katsupay.CreateInvoice]()
	for i := range typ.NumField() {
		key, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		assert.Contains(t, m, key, "CreateInvoice.%s is not sent", typ.Field(i).Name)
	}
	assert.Len(t, m, typ.NumField(), "the body has fields CreateInvoice has not")
}

func TestUnknownEnumValuesPassThroughBothWays(t *testing.T) {
	inv := validInvoice()
	inv.Currency = 978
	inv.BillingCycle = 4242
	inv.Discount.DiscountType = -3
	inv.Notification = []katsupay.NotificationChannel{0, 99}
	inv.PaymentMethods = []katsupay.PaymentMethod{12345}

	c := newGockClient(t)
	m := mockCreate()
	req := capture(m)
	m.Reply(200).BodyString(okReply)
	_, err := c.Invoices.Create(context.Background(), inv)
	require.NoError(t, err)

	var wire map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(req.body, &wire))
	assert.Equal(t, "978", string(wire["currency"]))
	assert.Equal(t, "4242", string(wire["billingCycle"]))
	assert.JSONEq(t, `{"discountType":-3,"discountValue":10.00}`, string(wire["discount"]))
	assert.Equal(t, "[0,99]", string(wire["notification"]))
	assert.Equal(t, "[12345]", string(wire["paymentMethods"]))

	var back katsupay.CreateInvoice
	require.NoError(t, json.Unmarshal(req.body, &back))
	assert.Equal(t, inv.Currency, back.Currency)
	assert.Equal(t, inv.BillingCycle, back.BillingCycle)
	assert.Equal(t, inv.Discount.DiscountType, back.Discount.DiscountType)
	assert.Equal(t, inv.Notification, back.Notification)
	assert.Equal(t, inv.PaymentMethods, back.PaymentMethods)
}

func TestCreateDecodesBothSuccessShapes(t *testing.T) {
	for _, tc := range []struct {
		name, body, id, amount string
	}{
		{"envelope", okReply, "7c9e6679-7425-40de-944b-e07fc1f90ae7", "1049.99"},
		{"envelope beyond float64 precision",
			`{"succeeded":true,"message":null,"errors":null,"data":{"invoiceId":"7c9e6679-7425-40de-944b-e07fc1f90ae7","amount":12345678901234567.89}}`,
			"7c9e6679-7425-40de-944b-e07fc1f90ae7", "12345678901234567.89"},
		{"envelope with PascalCase keys and string amount",
			`{"Succeeded":true,"Data":{"InvoiceId":"7c9e6679-7425-40de-944b-e07fc1f90ae7","Amount":"10.10"}}`,
			"7c9e6679-7425-40de-944b-e07fc1f90ae7", "10.10"},
		{"envelope without an amount",
			`{"succeeded":true,"data":{"invoiceId":"7c9e6679-7425-40de-944b-e07fc1f90ae7"}}`,
			"7c9e6679-7425-40de-944b-e07fc1f90ae7", ""},
		{"bare invoice", `{"invoiceId":"1234567890","counterpartyId":"0987654321","amount":1000.00,"currency":"USD","status":"Pending"}`,
			"1234567890", "1000.00"},
		{"bare invoice with a numeric id", `{"invoiceId":1234567890,"amount":5}`, "1234567890", "5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newGockClient(t)
			mockCreate().Reply(200).BodyString(tc.body)
			got, err := c.Invoices.Create(context.Background(), validInvoice())
			require.NoError(t, err)
			assert.Equal(t, tc.id, got.InvoiceID)
			assert.Equal(t, tc.amount, got.Amount.String())
		})
	}
}

func TestCreateSucceededFalseIsAnError(t *testing.T) {
	for _, status := range []int{200, 201} {
		c := newGockClient(t)
		mockCreate().Reply(status).BodyString(
			`{"succeeded":false,"message":"Invoice could not be created","errors":["Counterparty not found","Account is inactive"],"data":null}`)
		_, err := c.Invoices.Create(context.Background(), validInvoice())
		var kerr *katsupay.Error
		require.ErrorAs(t, err, &kerr)
		assert.Equal(t, status, kerr.StatusCode)
		assert.Equal(t, "Invoice could not be created", kerr.Message)
		assert.Equal(t, []string{"Counterparty not found", "Account is inactive"}, kerr.Errors)
		assert.ErrorIs(t, err, asset.ErrValidation)
		assert.NotErrorIs(t, err, asset.ErrOutcomeUnknown)
		assert.NotErrorIs(t, err, asset.ErrServer)
		assert.Contains(t, err.Error(), "succeeded false: Invoice could not be created: Counterparty not found; Account is inactive")
		gock.Off()
	}
}

func TestCreateErrorStatuses(t *testing.T) {
	envelope := `{"succeeded":false,"message":"%s","errors":["detail one"],"data":null}`
	for _, tc := range []struct {
		status  int
		body    string
		message string
		errs    []string
		is      []error
		isNot   []error
	}{
		{400, strings.Replace(envelope, "%s", "Bad Request: quantity", 1), "Bad Request: quantity", []string{"detail one"},
			[]error{asset.ErrValidation}, []error{asset.ErrOutcomeUnknown, asset.ErrServer}},
		{400, `{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"One or more validation errors occurred.","status":400,"errors":{"Products[0].Quantity":["The field Quantity must be positive."],"$.dueDate":["Could not convert.","Second."]},"traceId":"00-abc-01"}`,
			"One or more validation errors occurred.",
			[]string{"$.dueDate: Could not convert.", "$.dueDate: Second.", "Products[0].Quantity: The field Quantity must be positive."},
			[]error{asset.ErrValidation}, []error{asset.ErrOutcomeUnknown}},
		{404, strings.Replace(envelope, "%s", "Resource not found", 1), "Resource not found", []string{"detail one"},
			[]error{asset.ErrNotFound}, []error{asset.ErrValidation, asset.ErrOutcomeUnknown}},
		{500, strings.Replace(envelope, "%s", "Internal server error", 1), "Internal server error", []string{"detail one"},
			[]error{asset.ErrServer, asset.ErrOutcomeUnknown}, []error{asset.ErrValidation}},
		{502, `<html><body>Bad gateway</body></html>`, "Bad Gateway", nil,
			[]error{asset.ErrServer, asset.ErrOutcomeUnknown}, nil},
		{401, ``, "Unauthorized", nil, []error{asset.ErrUnauthorized}, []error{asset.ErrOutcomeUnknown}},
		{403, `{"message":"Forbidden for this service"}`, "Forbidden for this service", nil, []error{asset.ErrForbidden}, nil},
		{409, `{"succeeded":false,"message":"Duplicate"}`, "Duplicate", nil, []error{asset.ErrConflict}, nil},
		{429, `{"succeeded":false,"message":"Too many requests"}`, "Too many requests", nil,
			[]error{asset.ErrRateLimited}, []error{asset.ErrOutcomeUnknown, asset.ErrServer}},
	} {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			c := newGockClient(t, katsupay.WithMaxRetries(0))
			n := countRequests(t)
			mockCreate().Reply(tc.status).BodyString(tc.body)
			got, err := c.Invoices.Create(context.Background(), validInvoice())
			require.Nil(t, got)
			var kerr *katsupay.Error
			require.ErrorAs(t, err, &kerr)
			assert.Equal(t, tc.status, kerr.StatusCode)
			assert.Equal(t, tc.message, kerr.Message)
			assert.Equal(t, tc.errs, kerr.Errors)
			assert.Equal(t, tc.body, string(kerr.Body))
			for _, target := range tc.is {
				assert.ErrorIs(t, err, target)
			}
			for _, target := range tc.isNot {
				assert.NotErrorIs(t, err, target)
			}
			assert.NotContains(t, err.Error(), testToken)
			assert.NotContains(t, err.Error(), testAPIKey)
			assert.Equal(t, int32(1), n.Load(), "a create must not be retried after this status")
		})
	}
}

func TestCreateErrorMessage(t *testing.T) {
	c := newGockClient(t)
	mockCreate().Reply(500).BodyString(`{"succeeded":false,"message":"Database timeout","errors":["a","b","c","d","e"]}`)
	_, err := c.Invoices.Create(context.Background(), validInvoice())
	assert.EqualError(t, err, "katsupay: POST /api/v1/Invoice/Create: 500 Internal Server Error: Database timeout: a; b; c; and 2 more"+
		" (outcome unknown: the invoice may have been created; check before retrying)")
}

func TestCreateRefusesUnreadableSuccess(t *testing.T) {
	for _, tc := range []struct{ name, body, says string }{
		{"html", `<html>OK</html>`, "neither the {succeeded, data} envelope nor an invoice"},
		{"empty", ``, "neither"},
		{"empty object", `{}`, "neither"},
		{"array", `[{"invoiceId":"x"}]`, "neither"},
		{"succeeded without data", `{"succeeded":true,"message":"ok","data":null}`, "says succeeded but names no invoiceId"},
		{"succeeded not a boolean", `{"succeeded":"maybe","data":{"invoiceId":"x"}}`, "neither"},
		{"amount not a number", `{"succeeded":true,"data":{"invoiceId":"x","amount":"lots"}}`, "neither"},
		{"data not an object", `{"succeeded":true,"data":"7c9e6679"}`, "neither"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newGockClient(t)
			mockCreate().Reply(200).BodyString(tc.body)
			got, err := c.Invoices.Create(context.Background(), validInvoice())
			require.Nil(t, got)
			require.Error(t, err)
			assert.ErrorIs(t, err, asset.ErrInvalidReply)
			assert.ErrorIs(t, err, asset.ErrOutcomeUnknown)
			assert.Contains(t, err.Error(), tc.says)
			var kerr *katsupay.Error
			assert.False(t, errors.As(err, &kerr))
		})
	}
}

func TestCreateRefusesAnOversizedReply(t *testing.T) {
	c := newGockClient(t)
	mockCreate().Reply(200).BodyString(`{"succeeded":true,"message":"` + strings.Repeat("x", 2<<20) + `"}`)
	_, err := c.Invoices.Create(context.Background(), validInvoice())
	assert.ErrorIs(t, err, asset.ErrInvalidReply)
	assert.Contains(t, err.Error(), "larger than")
}

func TestCreateChecksInputBeforeSending(t *testing.T) {
	for _, tc := range []struct {
		field  string
		modify func(*katsupay.CreateInvoice)
	}{
		{"counterPartyId", func(c *katsupay.CreateInvoice) { c.CounterPartyID = "" }},
		{"counterPartyId", func(c *katsupay.CreateInvoice) { c.CounterPartyID = "0987654321" }},
		{"counterPartyId", func(c *katsupay.CreateInvoice) { c.CounterPartyID = "{3fa85f64-5717-4562-b3fc-2c963f66afa6}" }},
		{"counterPartyId", func(c *katsupay.CreateInvoice) { c.CounterPartyID = "3fa85f64-5717-4562-b3fc-2c963f66afaZ" }},
		{"receivingAccountId", func(c *katsupay.CreateInvoice) { c.ReceivingAccountID = "00000000-0000-0000-0000-000000000000" }},
		{"receivingAccountId", func(c *katsupay.CreateInvoice) { c.ReceivingAccountID = "3fa85f645717-4562-b3fc-2c963f66afa6-" }},
		{"dueDate", func(c *katsupay.CreateInvoice) { c.DueDate = time.Time{} }},
		{"dueDate", func(c *katsupay.CreateInvoice) { c.DueDate = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }},
		{"description", func(c *katsupay.CreateInvoice) { c.Description = "bad \xff byte" }},
		{"products", func(c *katsupay.CreateInvoice) { c.Products = nil }},
		{"products[1].productId", func(c *katsupay.CreateInvoice) { c.Products[1].ProductID = "sku-1" }},
		{"products[0].quantity", func(c *katsupay.CreateInvoice) { c.Products[0].Quantity = -1 }},
		{"products[0].quantity", func(c *katsupay.CreateInvoice) { c.Products[0].Quantity = 0 }},
		{"products[0].unitPrice", func(c *katsupay.CreateInvoice) { c.Products[0].UnitPrice = asset.MustDecimal("-0.01") }},
		{"products[1].unitPrice", func(c *katsupay.CreateInvoice) { c.Products[1].UnitPrice = asset.Decimal{} }},
		{"taxes[0].taxId", func(c *katsupay.CreateInvoice) { c.Taxes[0].TaxID = "" }},
		{"taxes[0].taxPercentageValue", func(c *katsupay.CreateInvoice) { c.Taxes[0].TaxPercentageValue = asset.Decimal{} }},
		{"taxes[0].taxPercentageValue", func(c *katsupay.CreateInvoice) { c.Taxes[0].TaxPercentageValue = asset.MustDecimal("-5") }},
		{"discount.discountValue", func(c *katsupay.CreateInvoice) { c.Discount.DiscountValue = asset.MustDecimal("-1") }},
		{"beforeDueDates[1]", func(c *katsupay.CreateInvoice) { c.BeforeDueDates = []int{3, -1} }},
		{"afterDueDates[0]", func(c *katsupay.CreateInvoice) { c.AfterDueDates = []int{-2} }},
	} {
		t.Run(tc.field, func(t *testing.T) {
			c := newGockClient(t)
			n := countRequests(t)
			inv := validInvoice()
			tc.modify(&inv)
			got, err := c.Invoices.Create(context.Background(), inv)
			require.Nil(t, got)
			assert.ErrorIs(t, err, asset.ErrValidation)
			var ierr *asset.InputError
			require.ErrorAs(t, err, &ierr)
			assert.Equal(t, tc.field, ierr.Field)
			assert.Equal(t, int32(0), n.Load(), "bad input must send nothing")
		})
	}
}

func TestCreateAcceptsAMinimalInvoice(t *testing.T) {
	c := newGockClient(t)
	mockCreate().Reply(200).BodyString(okReply)
	inv := validInvoice()
	inv.Taxes, inv.Discount, inv.Notification, inv.PaymentMethods = nil, katsupay.Discount{}, nil, nil
	inv.BeforeDueDates, inv.AfterDueDates, inv.CounterPartyName, inv.AccountName, inv.Description = nil, nil, "", "", ""
	inv.Products[0].UnitPrice = asset.DecimalFromInt(0)
	inv.CounterPartyID = strings.ToUpper(inv.CounterPartyID)
	_, err := c.Invoices.Create(context.Background(), inv)
	require.NoError(t, err)
}

func TestCreateRefusesANilContext(t *testing.T) {
	c := newGockClient(t)
	//lint:ignore SA1012 the nil context is what is under test
	_, err := c.Invoices.Create(nil, validInvoice())
	assert.ErrorIs(t, err, asset.ErrValidation)
}

func TestCreateWithACancelledContextSendsNothing(t *testing.T) {
	c := newGockClient(t)
	n := countRequests(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Invoices.Create(ctx, validInvoice())
	assert.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, asset.ErrOutcomeUnknown)
	assert.Equal(t, int32(0), n.Load())
}

func TestCreateRetriesAfter429(t *testing.T) {
	c := newGockClient(t)
	n := countRequests(t)
	mockCreate().Reply(429).SetHeader("Retry-After", "0").BodyString(`{"succeeded":false,"message":"Too many requests"}`)
	mockCreate().Reply(200).BodyString(okReply)
	got, err := c.Invoices.Create(context.Background(), validInvoice())
	require.NoError(t, err)
	assert.Equal(t, "7c9e6679-7425-40de-944b-e07fc1f90ae7", got.InvoiceID)
	assert.Equal(t, int32(2), n.Load())
}

func TestCreateGivesUpOn429AfterTheRetries(t *testing.T) {
	c := newGockClient(t, katsupay.WithMaxRetries(2))
	n := countRequests(t)
	mockCreate().Times(3).Reply(429).SetHeader("Retry-After", "0").BodyString(`{"succeeded":false,"message":"Too many requests"}`)
	_, err := c.Invoices.Create(context.Background(), validInvoice())
	var kerr *katsupay.Error
	require.ErrorAs(t, err, &kerr)
	assert.Equal(t, 429, kerr.StatusCode)
	assert.ErrorIs(t, err, asset.ErrRateLimited)
	assert.True(t, kerr.Temporary())
	assert.Equal(t, int32(3), n.Load())
}

// A wait longer than the cap is the caller's to decide: the 429 comes back
// at once with the wait asked for. The call's context has no deadline, so
// only the cap can end the call.
func TestCreateReportsTheServersWait(t *testing.T) {
	c := newGockClient(t)
	n := countRequests(t)
	mockCreate().Reply(429).SetHeader("Retry-After", "3600").BodyString(`{"succeeded":false}`)
	err := wiretest.Promise("a Retry-After past the cap is handed back at once, not waited on").Within(t, wiretest.Bound,
		func(ctx context.Context) error {
			_, err := c.Invoices.Create(ctx, validInvoice())
			return err
		})
	assert.Equal(t, int32(1), n.Load())
	var kerr *katsupay.Error
	require.ErrorAs(t, err, &kerr)
	assert.Equal(t, time.Hour, kerr.RetryAfter)
	assert.Contains(t, err.Error(), "retry after 1h0m0s")
}

func TestCreateIsNotRetriedAfter5xx(t *testing.T) {
	for _, status := range []int{500, 502, 503, 504} {
		c := newGockClient(t, katsupay.WithMaxRetries(5))
		n := countRequests(t)
		mockCreate().Reply(status).BodyString(`{"succeeded":false,"message":"boom"}`)
		_, err := c.Invoices.Create(context.Background(), validInvoice())
		assert.ErrorIs(t, err, asset.ErrOutcomeUnknown)
		assert.Equal(t, int32(1), n.Load(), "status %d", status)
		gock.Off()
		gock.Observe(nil)
	}
}

// cutServer reads each request whole and closes the connection without an
// answer: the request arrived, so the invoice may exist.
func cutServer(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		_, _ = new(bytes.Buffer).ReadFrom(r.Body)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestCreateIsNotRetriedAfterACutConnection(t *testing.T) {
	srv, n := cutServer(t)
	c, err := katsupay.NewClient(srv.URL, katsupay.WithToken(testToken), katsupay.WithMaxRetries(5),
		katsupay.WithRetryWait(time.Millisecond, time.Millisecond))
	require.NoError(t, err)
	_, err = c.Invoices.Create(context.Background(), validInvoice())
	var nerr *asset.NetworkError
	require.ErrorAs(t, err, &nerr)
	assert.True(t, nerr.MayHaveApplied)
	assert.Equal(t, 1, nerr.Attempts)
	assert.Equal(t, "/api/v1/Invoice/Create", nerr.Path)
	assert.ErrorIs(t, err, asset.ErrOutcomeUnknown)
	assert.Equal(t, int32(1), n.Load())
}

func TestCreateIsRetriedWhenTheConnectionNeverOpened(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(okReply))
	}))
	defer srv.Close()
	var dials atomic.Int32
	d := &net.Dialer{}
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		if dials.Add(1) == 1 {
			return nil, &net.OpError{Op: "dial", Net: network, Err: errors.New("connection refused")}
		}
		return d.DialContext(ctx, network, addr)
	}}
	defer tr.CloseIdleConnections()
	c, err := katsupay.NewClient(srv.URL, katsupay.WithToken(testToken), katsupay.WithHTTPClient(&http.Client{Transport: tr}),
		katsupay.WithRetryWait(time.Millisecond, time.Millisecond))
	require.NoError(t, err)
	got, err := c.Invoices.Create(context.Background(), validInvoice())
	require.NoError(t, err)
	assert.Equal(t, "7c9e6679-7425-40de-944b-e07fc1f90ae7", got.InvoiceID)
	assert.Equal(t, int32(2), dials.Load())
}

func TestCreateFailsSafelyWhenTheHostIsDown(t *testing.T) {
	c, err := katsupay.NewClient(wiretest.RefusedURL(t), katsupay.WithToken(testToken), katsupay.WithMaxRetries(1),
		katsupay.WithRetryWait(time.Millisecond, time.Millisecond))
	require.NoError(t, err)
	_, err = c.Invoices.Create(context.Background(), validInvoice())
	var nerr *asset.NetworkError
	require.ErrorAs(t, err, &nerr)
	assert.False(t, nerr.MayHaveApplied)
	assert.Equal(t, 2, nerr.Attempts)
	assert.NotErrorIs(t, err, asset.ErrOutcomeUnknown)
}

func TestCreateDoesNotFollowRedirects(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Redirect(w, r, "/elsewhere?token=abc", http.StatusFound)
	}))
	defer srv.Close()
	c, err := katsupay.NewClient(srv.URL, katsupay.WithToken(testToken))
	require.NoError(t, err)
	_, err = c.Invoices.Create(context.Background(), validInvoice())
	var kerr *katsupay.Error
	require.ErrorAs(t, err, &kerr)
	assert.Equal(t, http.StatusFound, kerr.StatusCode)
	assert.Contains(t, kerr.Message, "not followed")
	assert.NotContains(t, kerr.Message, "abc")
	assert.Equal(t, int32(1), hits.Load())
}

// A redirect answers a request the server has read: the invoice may have
// been created before the server pointed elsewhere (303 See Other is the
// usual answer to a processed POST).
func TestCreateRedirectIsOutcomeUnknown(t *testing.T) {
	for _, status := range []int{301, 302, 303, 307, 308} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Location", "/api/v1/Invoice/42")
				w.WriteHeader(status)
			}))
			defer srv.Close()
			c, err := katsupay.NewClient(srv.URL)
			require.NoError(t, err)
			_, err = c.Invoices.Create(context.Background(), validInvoice())
			var kerr *katsupay.Error
			require.ErrorAs(t, err, &kerr)
			assert.ErrorIs(t, err, asset.ErrOutcomeUnknown)
			assert.False(t, kerr.Temporary())
		})
	}
}
