package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestRunsOnTheEmbeddedServer(t *testing.T) {
	var stdout, stderr bytes.Buffer
	require.NoError(t, run(context.Background(), nil, env(nil), &stdout, &stderr))
	assert.Empty(t, stderr.String())

	lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
	require.Len(t, lines, 15, stdout.String())
	assert.Regexp(t, `^ASSET_TOKEN is not set: running on an embedded assettest server at http://127\.0\.0\.1:\d+ \(business biz_example\)$`, lines[0])
	assert.Equal(t, []string{
		"Created 4 invoices:",
		"  QS-1001    open         570.00",
		"  QS-1002    open         377.84",
		"  QS-1003    open        1200.00",
		"  QS-1004    open         570.00",
		"Open and due within 30 days: QS-1001, QS-1002, QS-1004",
		"Walked every invoice, 2 per page: 4 invoices, 2717.84 to be paid",
		"Voided QS-1004: status voided, voided at set: true",
		"Tagged QS-1001: Project=Website",
		"Paid 200.00 on QS-1001: 200.00 of 570.00 paid, balance 370.00, status open",
		"Paid 370.00 on QS-1001: 570.00 of 570.00 paid, balance 0.00, status paid",
	}, lines[1:12])
	assert.Regexp(t, `^Paying voided QS-1004: refused by the API \(422 Invoice is voided\): change the request; quote request id req_\w+ to support if it looks wrong$`, lines[12])
	assert.Equal(t, "Paying -5.00: refused before sending, payment.PaymentAmount -5.00 is negative: fix the input; nothing was sent", lines[13])
	assert.Equal(t, `Creating QS-1001 again with QS-1005: created QS-1005; not created: QS-1001 (An invoice with number "QS-1001" already exists); the others were, so create only these again once fixed`, lines[14])
}

// realAPI is the environment of a run against a server of the test's own,
// standing in for the real API.
func realAPI(srv *assettest.Server, biz string) map[string]string {
	return map[string]string{
		"ASSET_TOKEN":       srv.Token(),
		"ASSET_BASE_URL":    srv.URL,
		"ASSET_BUSINESS_ID": biz,
	}
}

func TestRunsOnTheAPIGiven(t *testing.T) {
	srv := assettest.NewServer()
	defer srv.Close()
	const biz = "biz_live"
	vars := realAPI(srv, biz)
	vars["ASSET_TRANSACTION_ID"] = srv.AddTransaction(biz, asset.MustDecimal("1000.00"))

	var stdout bytes.Buffer
	require.NoError(t, run(context.Background(), nil, env(vars), &stdout, &bytes.Buffer{}))
	first, _, _ := strings.Cut(stdout.String(), "\n")
	assert.Equal(t, "Using the Asset API at "+srv.URL+" (business biz_live)", first)

	// Numbers carry the run's time, so that a second run does not collide.
	invs := srv.Invoices(biz)
	require.Len(t, invs, 5)
	prefix := regexp.MustCompile(`^QS-\d{10}-`).FindString(invs[0].Number)
	require.NotEmpty(t, prefix, invs[0].Number)
	want := map[string]asset.InvoiceStatus{"1001": asset.InvoiceStatusPaid, "1002": asset.InvoiceStatusOpen,
		"1003": asset.InvoiceStatusOpen, "1004": asset.InvoiceStatusVoided, "1005": asset.InvoiceStatusOpen}
	for _, inv := range invs {
		assert.Equal(t, want[strings.TrimPrefix(inv.Number, prefix)], inv.Status, inv.Number)
	}
	left, _ := srv.TransactionRemaining(biz, vars["ASSET_TRANSACTION_ID"])
	assert.Equal(t, "430.00", left.String(), "both payments drew on the transaction given")
}

func TestNeedsABusinessWithAToken(t *testing.T) {
	err := run(context.Background(), nil, env(map[string]string{"ASSET_TOKEN": "tok"}), &bytes.Buffer{}, &bytes.Buffer{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ASSET_BUSINESS_ID is not set")
}

func TestRefusesArguments(t *testing.T) {
	var stderr bytes.Buffer
	assert.Error(t, run(context.Background(), []string{"extra"}, env(nil), &bytes.Buffer{}, &stderr))
	assert.Contains(t, stderr.String(), "usage: quickstart")
}

func TestExplainsFailures(t *testing.T) {
	srv := assettest.NewServer()
	defer srv.Close()
	const biz = "biz_live"

	t.Run("a wrong token", func(t *testing.T) {
		vars := realAPI(srv, biz)
		vars["ASSET_TOKEN"] = "tok_wrong"
		err := run(context.Background(), nil, env(vars), &bytes.Buffer{}, &bytes.Buffer{})
		assert.ErrorIs(t, err, asset.ErrUnauthorized)
		assert.Contains(t, err.Error(), "check ASSET_TOKEN")
	})
	t.Run("a payment whose answer is lost", func(t *testing.T) {
		srv.DropNext(assettest.RouteApplyPayment, 1, assettest.DropAfterApply)
		err := run(context.Background(), nil, env(realAPI(srv, biz)), &bytes.Buffer{}, &bytes.Buffer{})
		require.ErrorIs(t, err, asset.ErrOutcomeUnknown)
		assert.Contains(t, err.Error(), "pay in part: ")
		assert.Contains(t, err.Error(), "look at its payments before trying again")
		assert.Equal(t, 1, srv.Applied(assettest.RouteApplyPayment), "applied once, not retried")
	})
}

func TestExplain(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{nil, "done"},
		{&asset.InputError{Field: "businessID", Reason: "is empty"}, "refused before sending, businessID is empty"},
		{&asset.BatchError{Failures: []asset.BatchFailure{{Number: "A-1", Message: "exists"}}}, "not created: A-1 (exists)"},
		{&asset.NetworkError{MayHaveApplied: true}, "the outcome is unknown"},
		{&asset.APIError{StatusCode: 503, Message: "Service Unavailable"}, "the API failed (503 Service Unavailable): try again later"},
		{&asset.APIError{StatusCode: 409, Message: "Conflict"}, "refused by the API (409 Conflict): change the request"},
		{&asset.APIError{StatusCode: 403}, "check ASSET_BUSINESS_ID"},
		{&asset.APIError{StatusCode: 404}, "not found in this business"},
		{&asset.APIError{StatusCode: 429, RetryAfter: 30e9}, "try again in 30s"},
		{&asset.NetworkError{}, "no answer from the API"},
	} {
		assert.Contains(t, explain(tc.err), tc.want)
	}
}
