package main

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
	"github.com/assetkit/asset-go/examples/internal/cli"
	"github.com/assetkit/asset-go/examples/internal/exampletest"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestRunsOnTheEmbeddedServer(t *testing.T) {
	var stdout, stderr bytes.Buffer
	require.NoError(t, run(context.Background(), nil, env(nil), &stdout, &stderr))
	assert.Empty(t, stderr.String())

	lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
	require.Len(t, lines, 22, stdout.String())
	assert.Regexp(t, `^ASSET_TOKEN is not set: running on an embedded assettest server at http://127\.0\.0\.1:\d+ \(business biz_example\), which forgets everything when this program exits$`, lines[0])
	assert.Equal(t, []string{
		"Created customer Acme Corp (external id QS-acme), billed in Springfield",
		"Created 4 invoices:",
		"  QS-1001    open         570.00",
		"  QS-1002    open         377.84",
		"  QS-1003    open        1200.00",
		"  QS-1004    open         570.00",
		"Open and due within 30 days: QS-1001, QS-1002, QS-1004",
		"Walked every invoice, 2 per page: 4 invoices, 2717.84 to be paid",
		"Voided QS-1004: status voided, voided at set: true",
		"Tagged QS-1001: Project=Website",
		"Recorded deposit QS-DEP-1 of 570.00",
		"Paid 200.00 on QS-1001: 200.00 of 570.00 paid, balance 370.00, status open",
		"Paid 370.00 on QS-1001: 570.00 of 570.00 paid, balance 0.00, status paid",
		"The transaction shows what it paid on QS-1001: 200.00 + 370.00",
		"Credited QS-CM-1 with 400.00; paid QS-1002 from the credit: 377.84 of 377.84 paid, status paid, from memo QS-CM-1: true",
		"Voided QS-CM-1: the 22.16 left of it is no longer credit, voided at set: true",
		"Refunded 50.00 of QS-1001 as QS-RF-1: refund pending, invoice partially_refunded",
		"Paid the refund: 50.00 of 50.00 paid, refund completed",
	}, lines[1:19])
	assert.Regexp(t, `^Paying voided QS-1004: refused by the API \(422 Invoice is voided\): change the request; quote request id req_\w+ to support if it looks wrong$`, lines[19])
	assert.Equal(t, "Paying -5.00: refused before sending, payment.PaymentAmount -5.00 is negative: fix the input; nothing was sent", lines[20])
	assert.Equal(t, `Creating QS-1001 again with QS-1005: created QS-1005; not created: QS-1001 (An invoice with number "QS-1001" already exists); the others were, so create only these again once fixed`, lines[21])
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
	const biz = "biz_live"
	tests := []struct {
		name             string
		tagField, txn    bool
		tagLine, payLine string // a line the output must have
		paid             bool
	}{
		{"a tag field and a transaction", true, true, "Tagged QS-*-1001: Location=Website", "Paid 370.00 on QS-*-1001: 570.00 of 570.00 paid, balance 0.00, status paid", true},
		{"no tag field", false, true, "Skipped tagging: the API only takes tags whose field exists in the business; set ASSET_TAG_FIELD to one", "Paid 200.00 on QS-*-1001: 200.00 of 570.00 paid, balance 370.00, status open", true},
		{"no transaction", true, false, "Tagged QS-*-1001: Location=Website", "Skipped the payments: set ASSET_TRANSACTION_ID to money received (at least 570.00) to pay with", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := assettest.NewServer()
			defer srv.Close()
			vars := realAPI(srv, biz)
			if tt.tagField {
				srv.AddTagField(biz, "Location")
				vars["ASSET_TAG_FIELD"] = "Location"
			}
			if tt.txn {
				vars["ASSET_TRANSACTION_ID"] = srv.AddTransaction(biz, asset.MustDecimal("1000.00"))
			}
			// What a business already holds: a voided invoice, with a balance
			// nobody owes, and an open one.
			old, err := srv.Client().Invoices.Create(context.Background(), biz, []asset.InvoiceCreate{
				{Number: "OLD-1", Lines: []asset.InvoiceLineCreate{{Amount: asset.MustDecimal("100.00")}}},
				{Number: "OLD-2", Lines: []asset.InvoiceLineCreate{{Amount: asset.MustDecimal("50.00")}}},
			})
			require.NoError(t, err)
			_, err = srv.Client().Invoices.Update(context.Background(), biz, old[0].ID, asset.InvoiceUpdate{Status: asset.InvoiceStatusVoided})
			require.NoError(t, err)

			var stdout, stderr bytes.Buffer
			require.NoError(t, run(context.Background(), nil, env(vars), &stdout, &stderr))
			assert.Empty(t, stderr.String())
			lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
			assert.Equal(t, "Using the Asset API at "+srv.URL+" (business biz_live)", lines[0])

			// Numbers carry the run's time and a random part, so that a
			// second run does not collide.
			invs := srv.Invoices(biz)
			require.Len(t, invs, 7)
			prefix := regexp.MustCompile(`^QS-\d{10}-[0-9a-f]{6}-`).FindString(invs[2].Number)
			require.NotEmpty(t, prefix, invs[2].Number)
			out := strings.ReplaceAll(stdout.String(), prefix, "QS-*-")
			assert.Contains(t, out, "\nWalked every invoice, 100 per page: 6 invoices, 2767.84 to be paid\n", "the open invoices only")
			assert.Contains(t, out, "\n"+tt.tagLine+"\n")
			assert.Contains(t, out, "\n"+tt.payLine+"\n")
			assert.Equal(t, tt.txn, strings.Contains(out, "Paying voided"), "the voided invoice is paid only with a transaction")
			assert.Contains(t, out, "\nSkipped the credit memo and the refund: they would credit and refund a real customer; run on the embedded server to see them\n")
			assert.Empty(t, srv.CreditMemos(biz), "no real customer is credited")
			assert.Empty(t, srv.Refunds(biz), "no real customer is refunded")

			first := invs[2]
			// The invoices are the customer's the run created: its id was
			// taken from the create call. No transaction is recorded on a
			// real business.
			customers := srv.Customers(biz)
			require.Len(t, customers, 2, "the run's and globex, named by an external id")
			assert.Equal(t, prefix+"acme", customers[0].ExternalID)
			assert.Equal(t, customers[0].ID, first.CustomerID)
			assert.Zero(t, srv.Requests(assettest.RouteCreateTransactions), "no deposit is booked on the real API")
			if tt.tagField {
				assert.Equal(t, "Website", first.Tags["Location"].String())
			} else {
				assert.Empty(t, first.Tags)
			}
			want := map[string]asset.InvoiceStatus{"1001": asset.InvoiceStatusOpen, "1002": asset.InvoiceStatusOpen,
				"1003": asset.InvoiceStatusOpen, "1004": asset.InvoiceStatusVoided, "1005": asset.InvoiceStatusOpen}
			if tt.paid {
				want["1001"] = asset.InvoiceStatusPaid
			}
			for _, inv := range invs[2:] {
				assert.Equal(t, want[strings.TrimPrefix(inv.Number, prefix)], inv.Status, inv.Number)
			}
			if tt.txn {
				left, _ := srv.TransactionRemaining(biz, vars["ASSET_TRANSACTION_ID"])
				assert.Equal(t, "430.00", left.String(), "both payments drew on the transaction given")
			} else {
				assert.Zero(t, srv.Requests(assettest.RouteApplyPayment), "no payment is sent")
			}
		})
	}
}

// A real business may hold thousands of invoices: the walk stops after a
// few pages, and says so, rather than spend the deadline and rate limit.
func TestRealWalkStopsAfterThreePages(t *testing.T) {
	srv := assettest.NewServer()
	defer srv.Close()
	const biz = "biz_large"
	for start := 0; start < 300; start += 100 {
		var batch []asset.InvoiceCreate
		for i := start; i < start+100; i++ {
			batch = append(batch, asset.InvoiceCreate{Number: fmt.Sprintf("OLD-%d", i), Lines: []asset.InvoiceLineCreate{{Amount: asset.MustDecimal("1.00")}}})
		}
		_, err := srv.Client().Invoices.Create(context.Background(), biz, batch)
		require.NoError(t, err)
	}
	srv.ResetStats()

	var stdout bytes.Buffer
	require.NoError(t, run(context.Background(), nil, env(realAPI(srv, biz)), &stdout, &bytes.Buffer{}))
	assert.Contains(t, stdout.String(), "\nWalked the first 3 pages, 100 per page, and stopped there, as the business has more: 300 invoices, 300.00 to be paid on them\n")
	assert.Equal(t, 4, srv.Requests(assettest.RouteListInvoices), "the filtered list and three pages, not the fourth")
}

func TestNeedsABusinessWithAToken(t *testing.T) {
	err := run(context.Background(), nil, env(map[string]string{"ASSET_TOKEN": "tok"}), &bytes.Buffer{}, &bytes.Buffer{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ASSET_BUSINESS_ID is not set")
}

func TestCommandLine(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		once string // said exactly once on stderr
	}{
		{[]string{"-h"}, 0, "usage: quickstart"},
		{[]string{"-nope"}, 2, "flag provided but not defined: -nope"},
		{[]string{"extra"}, 2, `unexpected arguments ["extra"]`},
	} {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), tc.args, env(nil), &stdout, &stderr)
		assert.Equal(t, tc.code, cli.Exit("quickstart", err, &stderr), "%q", tc.args)
		assert.Equal(t, 1, strings.Count(stderr.String(), tc.once), "%q: %s", tc.args, stderr.String())
		assert.Contains(t, stderr.String(), "usage: quickstart", "%q", tc.args)
		assert.Empty(t, stdout.String(), "%q: nothing ran", tc.args)
	}
}

// -h lists every variable the program reads from the environment, and says
// that without a token it runs on an embedded server that keeps nothing.
func TestHelpNamesTheEnvironment(t *testing.T) {
	var stderr bytes.Buffer
	err := run(context.Background(), []string{"-h"}, env(nil), &bytes.Buffer{}, &stderr)
	require.Equal(t, 0, cli.Exit("quickstart", err, &stderr))
	for _, name := range exampletest.EnvRead(t, "main.go", "../internal/exampleenv/exampleenv.go") {
		assert.Contains(t, stderr.String(), name)
	}
	assert.Contains(t, stderr.String(), "embedded assettest server")
	assert.Contains(t, stderr.String(), "forgets everything")
}

// Two runs in the same second on a real business must not collide.
func TestRunPrefixIsUniquePerRun(t *testing.T) {
	now := time.Unix(1700000000, 0)
	a, b := runPrefix(now), runPrefix(now)
	assert.NotEqual(t, a, b)
	assert.Regexp(t, `^QS-1700000000-[0-9a-f]{6}-$`, a)
}

// A server that accepts and never answers: the first create's try, the
// customer's, ends at the attempt timeout, says so on stderr, and the
// advice is to look the customer up before creating it again.
func TestASilentServer(t *testing.T) {
	vars := map[string]string{"ASSET_TOKEN": "tok", "ASSET_BUSINESS_ID": "biz_1", "ASSET_BASE_URL": exampletest.SilentServer(t), "ASSET_ATTEMPT_TIMEOUT": "100ms"}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var stderr bytes.Buffer
	err := run(ctx, nil, env(vars), &bytes.Buffer{}, &stderr)
	require.Error(t, err)
	require.NoError(t, ctx.Err(), "the attempt timeout ended the call, not the test's deadline")
	assert.Contains(t, stderr.String(), `level=ERROR msg="asset-go: request failed" method=POST route=/v0/business/biz_1/customers status=0 attempt=1`)
	assert.Contains(t, err.Error(), "create the customer: ")
	assert.Contains(t, err.Error(), "Customers.FindByExternalID")
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
		vars := realAPI(srv, biz)
		vars["ASSET_TRANSACTION_ID"] = srv.AddTransaction(biz, asset.MustDecimal("570.00"))
		srv.DropNext(assettest.RouteApplyPayment, 1, assettest.DropAfterApply)
		err := run(context.Background(), nil, env(vars), &bytes.Buffer{}, &bytes.Buffer{})
		require.ErrorIs(t, err, asset.ErrOutcomeUnknown)
		assert.Contains(t, err.Error(), "pay in part: ")
		assert.Contains(t, err.Error(), "look at its payments before trying again")
		assert.Equal(t, 1, srv.Applied(assettest.RouteApplyPayment), "applied once, not retried")
	})
	t.Run("a create whose answer is lost", func(t *testing.T) {
		srv.DropNext(assettest.RouteCreateInvoices, 1, assettest.DropAfterApply)
		err := run(context.Background(), nil, env(realAPI(srv, biz)), &bytes.Buffer{}, &bytes.Buffer{})
		require.ErrorIs(t, err, asset.ErrOutcomeUnknown)
		assert.Contains(t, err.Error(), "create: ")
		assert.Contains(t, err.Error(), "send the same batch again")
		assert.NotContains(t, err.Error(), "payments")
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
