package exampleenv

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
	"github.com/assetkit/asset-go/examples/internal/exampletest"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestEmbeddedWithoutAToken(t *testing.T) {
	var out bytes.Buffer
	e, err := Open(env(map[string]string{"ASSET_BUSINESS_ID": "biz_mine"}), &out, io.Discard)
	require.NoError(t, err)
	defer e.Close()
	require.True(t, e.Embedded())
	assert.Equal(t, "ASSET_TOKEN is not set: running on an embedded assettest server at "+e.Fake.URL+" (business biz_mine)\n", out.String())
	assert.Equal(t, "biz_mine", e.BusinessID)
	_, err = e.Client.Invoices.Create(context.Background(), e.BusinessID, []asset.InvoiceCreate{{Number: "X-1"}})
	require.NoError(t, err)
	assert.Len(t, e.Fake.Invoices("biz_mine"), 1, "the client talks to the embedded server")

	e.Close()
	_, err = e.Client.Invoices.List(context.Background(), e.BusinessID, nil, asset.WithMaxRetries(0))
	assert.Error(t, err, "Close stops the server")
}

func TestEmbeddedLineSaysTheNote(t *testing.T) {
	var out bytes.Buffer
	e, err := OpenSaying(env(nil), &out, io.Discard, Forgets)
	require.NoError(t, err)
	defer e.Close()
	assert.Equal(t, "ASSET_TOKEN is not set: running on an embedded assettest server at "+e.Fake.URL+
		" (business biz_example), which forgets everything when this program exits\n", out.String())
}

func TestTheSandboxByDefault(t *testing.T) {
	var out bytes.Buffer
	e, err := Open(env(map[string]string{"ASSET_TOKEN": "tok", "ASSET_BUSINESS_ID": "biz_1"}), &out, io.Discard)
	require.NoError(t, err)
	defer e.Close()
	assert.False(t, e.Embedded())
	assert.Equal(t, "Using the Asset API at "+asset.SandboxURL+" (business biz_1)\n", out.String())
}

func TestRefusedEnvironments(t *testing.T) {
	for name, vars := range map[string]map[string]string{
		"no business": {"ASSET_TOKEN": "tok"},
		"plain http":  {"ASSET_TOKEN": "tok", "ASSET_BUSINESS_ID": "biz_1", "ASSET_BASE_URL": "http://api.example.com"},
		"not a url":   {"ASSET_TOKEN": "tok", "ASSET_BUSINESS_ID": "biz_1", "ASSET_BASE_URL": "::"},
		"bad limit":   {"ASSET_TOKEN": "tok", "ASSET_BUSINESS_ID": "biz_1", "ASSET_RATE_LIMIT": "-1"},
	} {
		var out bytes.Buffer
		_, err := Open(env(vars), &out, io.Discard)
		assert.Error(t, err, name)
		assert.Empty(t, out.String(), name)
	}
}

// The embedded server holds the API's rules: what a real business would
// need set up first, an example must set up on it too.
func TestEmbeddedNeedsTheSetupARealBusinessHas(t *testing.T) {
	e, err := Open(env(nil), &bytes.Buffer{}, io.Discard)
	require.NoError(t, err)
	defer e.Close()
	ctx := context.Background()
	invs, err := e.Client.Invoices.Create(ctx, e.BusinessID, []asset.InvoiceCreate{{
		Number: "X-1", CustomerID: "cus_1", Lines: []asset.InvoiceLineCreate{{Amount: asset.MustDecimal("5.00")}},
	}})
	require.NoError(t, err)
	tag := asset.InvoiceUpdate{Tags: map[string]*string{"Project": asset.TagSet("Roof")}}
	pay := asset.InvoicePaymentCreate{InvoiceID: invs[0].ID, PaymentAmount: asset.MustDecimal("5.00")}

	_, err = e.Client.Invoices.Update(ctx, e.BusinessID, invs[0].ID, tag)
	assert.ErrorIs(t, err, asset.ErrValidation, "a tag field the business lacks")
	_, err = e.Client.Payments.Apply(ctx, e.BusinessID, pay)
	assert.ErrorIs(t, err, asset.ErrValidation, "credit the customer lacks")

	e.Fake.AddTagField(e.BusinessID, "Project")
	e.Fake.AddCredit(e.BusinessID, "cus_1", asset.MustDecimal("5.00"))
	_, err = e.Client.Invoices.Update(ctx, e.BusinessID, invs[0].ID, tag)
	assert.NoError(t, err)
	inv, err := e.Client.Payments.Apply(ctx, e.BusinessID, pay)
	require.NoError(t, err)
	assert.Equal(t, asset.InvoiceStatusPaid, inv.Status)
}

// A server that never answers is not a silent wait: each try ends at the
// attempt timeout and says on the log that the next one is coming.
func TestASilentServerIsNotSilent(t *testing.T) {
	var log bytes.Buffer
	e, err := Open(env(map[string]string{
		"ASSET_TOKEN": "tok", "ASSET_BUSINESS_ID": "biz_1", "ASSET_BASE_URL": exampletest.SilentServer(t),
		"ASSET_ATTEMPT_TIMEOUT": "100ms",
	}), &bytes.Buffer{}, &log)
	require.NoError(t, err)
	defer e.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = e.Client.Invoices.List(ctx, e.BusinessID, nil, asset.WithMaxRetries(1), asset.WithRetryWait(time.Millisecond, time.Millisecond))
	require.Error(t, err)
	require.NoError(t, ctx.Err(), "the attempt timeout ended the tries, not the test's deadline")

	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	require.Len(t, lines, 2, log.String())
	assert.Contains(t, lines[0], `level=WARN msg="asset-go: try failed, retrying" method=GET route=/v0/business/biz_1/invoice status=0 attempt=1`)
	assert.Contains(t, lines[1], `level=ERROR msg="asset-go: request failed" method=GET route=/v0/business/biz_1/invoice status=0 attempt=2`)
	assert.NotContains(t, log.String(), "tok")
}

func TestRefusesABadAttemptTimeout(t *testing.T) {
	for _, v := range []string{"10", "-1s", "0s", "soon"} {
		_, err := Open(env(map[string]string{"ASSET_ATTEMPT_TIMEOUT": v}), &bytes.Buffer{}, io.Discard)
		assert.ErrorContains(t, err, "ASSET_ATTEMPT_TIMEOUT", v)
	}
}

// Against the real API the examples pace themselves to its 300 requests a
// minute, from the x-ratelimit-* headers as well: a call that would only
// draw a 429 waits for the window, or fails at its deadline having sent
// nothing.
func TestTheRealAPIIsPaced(t *testing.T) {
	srv := assettest.NewServer(assettest.WithRateLimit(2, time.Minute))
	defer srv.Close()
	e, err := Open(env(map[string]string{"ASSET_TOKEN": srv.Token(), "ASSET_BUSINESS_ID": "biz_1", "ASSET_BASE_URL": srv.URL}), io.Discard, io.Discard)
	require.NoError(t, err)
	defer e.Close()
	require.False(t, e.Embedded())
	for i := range 3 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, err := e.Client.Invoices.List(ctx, e.BusinessID, nil)
		cancel()
		if i < 2 {
			require.NoError(t, err)
			continue
		}
		assert.ErrorIs(t, err, asset.ErrRateLimited, "the window is spent")
	}
	st := srv.Stats(assettest.RouteListInvoices)
	assert.Equal(t, 2, st.Requests, "the third call was held back, not sent")
	assert.Zero(t, st.RateLimited)
}
