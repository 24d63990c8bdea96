package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync/atomic"
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

// sampleTotal is the total of the i-th sample invoice, worked out here in
// integer cents rather than by the code under test.
func sampleTotal(i int) string {
	unit := (10+i%90)*100 + i%100
	cents := unit*(2+i%3) + i%100
	return fmt.Sprintf("%d.%02d", cents/100, cents%100)
}

func sampleStatus(i int) asset.InvoiceStatus {
	switch {
	case i%25 == 0:
		return asset.InvoiceStatusVoided
	case i%10 == 0:
		return asset.InvoiceStatusPaid
	}
	return asset.InvoiceStatusOpen
}

func readCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	require.NoError(t, err)
	return rows
}

func TestCSVOnTheEmbeddedServer(t *testing.T) {
	var stdout, stderr bytes.Buffer
	require.NoError(t, run(context.Background(), nil, env(nil), &stdout, &stderr))

	logLines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
	require.Len(t, logLines, 3, stderr.String())
	assert.Regexp(t, `^ASSET_TOKEN is not set: running on an embedded assettest server at http://127\.0\.0\.1:\d+ \(business biz_example\), which forgets everything when this program exits$`, logLines[0])
	assert.Equal(t, []string{"seeded 250 sample invoices", "exported 250 invoices (3 pages)"}, logLines[1:])

	rows := readCSV(t, stdout.Bytes())
	require.Len(t, rows, 251)
	assert.Equal(t, []string{"id", "number", "status", "source", "customer_id", "description",
		"total_amount", "total_paid", "balance", "credit_amount", "due_at", "sent_at", "voided_at"}, rows[0])
	counts := map[string]int{}
	ids := map[string]bool{}
	for i, row := range rows[1:] {
		n := i + 1
		require.Len(t, row, 13)
		assert.Regexp(t, `^inv_\w{22}$`, row[0])
		ids[row[0]] = true
		assert.Equal(t, fmt.Sprintf("INV-%04d", n), row[1])
		assert.Equal(t, string(sampleStatus(n)), row[2], row[1])
		assert.Equal(t, sampleTotal(n), row[6], row[1])
		assert.Equal(t, time.Date(2025, 1, 1+n, 0, 0, 0, 0, time.UTC).Format(time.RFC3339), row[10])
		assert.Equal(t, sampleStatus(n) == asset.InvoiceStatusVoided, row[12] != "", row[1])
		counts[row[2]]++
		if row[2] == "paid" {
			assert.Equal(t, []string{sampleTotal(n), "0.00"}, row[7:9], "paid in full, to the cent")
		}
	}
	assert.Len(t, ids, 250)
	assert.Equal(t, map[string]int{"open": 220, "paid": 20, "voided": 10}, counts)
	assert.Equal(t, []string{"INV-0001", "open", "manual", "", "Sample invoice 1", "33.04", "0", "33.04", ""}, rows[1][1:10])
}

func TestJSONLinesOnTheEmbeddedServer(t *testing.T) {
	var stdout, stderr bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-format", "jsonl", "-page-size", "60"}, env(nil), &stdout, &stderr))
	assert.True(t, strings.HasSuffix(stderr.String(), "\nexported 250 invoices (5 pages)\n"), stderr.String())

	sc := bufio.NewScanner(&stdout)
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		n++
		var inv asset.Invoice
		require.NoError(t, json.Unmarshal(sc.Bytes(), &inv), sc.Text())
		assert.Equal(t, fmt.Sprintf("INV-%04d", n), inv.Number)
		assert.Equal(t, sampleTotal(n), inv.TotalAmount.String())
		assert.Equal(t, sampleStatus(n), inv.Status)
		require.Len(t, inv.Lines, 1)
		assert.Equal(t, sampleTotal(n), inv.Lines[0].Amount.String())
		assert.Equal(t, sampleStatus(n) == asset.InvoiceStatusPaid, len(inv.Payments) == 1, inv.Number)
	}
	require.NoError(t, sc.Err())
	assert.Equal(t, 250, n)
}

// Amounts no float64 holds must come out as the API sent them.
func TestMoneyIsWrittenExactly(t *testing.T) {
	srv := assettest.NewServer()
	defer srv.Close()
	const biz = "biz_live"
	_, err := srv.Client().Invoices.Create(context.Background(), biz, []asset.InvoiceCreate{
		{Number: "A", Lines: []asset.InvoiceLineCreate{{Amount: asset.MustDecimal("0.1")}, {Amount: asset.MustDecimal("0.2")}}},
		{Number: "B", Lines: []asset.InvoiceLineCreate{{Amount: asset.MustDecimal("12345678901234567.89")}}},
		{Number: "C", CreditAmount: asset.MustDecimal("0.00"), Lines: []asset.InvoiceLineCreate{{Amount: asset.MustDecimal("10.50")}}},
	})
	require.NoError(t, err)
	vars := map[string]string{"ASSET_TOKEN": srv.Token(), "ASSET_BASE_URL": srv.URL, "ASSET_BUSINESS_ID": biz}
	want := [][]string{{"A", "0.3"}, {"B", "12345678901234567.89"}, {"C", "10.50"}}

	var stdout, stderr bytes.Buffer
	require.NoError(t, run(context.Background(), nil, env(vars), &stdout, &stderr))
	assert.Equal(t, "Using the Asset API at "+srv.URL+" (business biz_live)\nexported 3 invoices (1 page)\n", stderr.String())
	rows := readCSV(t, stdout.Bytes())
	require.Len(t, rows, 4)
	for i, w := range want {
		assert.Equal(t, w, []string{rows[i+1][1], rows[i+1][6]})
	}
	assert.Equal(t, "0.00", rows[3][9], "a present zero credit is written")
	assert.Equal(t, "", rows[1][9], "an absent one is left empty")

	stdout.Reset()
	require.NoError(t, run(context.Background(), []string{"-format=jsonl"}, env(vars), &stdout, &bytes.Buffer{}))
	lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
	require.Len(t, lines, 3)
	for i, w := range want {
		assert.Contains(t, lines[i], `"total_amount":`+w[1]+`,`, "a bare JSON number, as written")
	}
	assert.Len(t, srv.Invoices(biz), 3, "nothing seeded on an API given")
}

// clock is a time the test moves, read by the server from its goroutines.
type clock struct{ offset atomic.Int64 }

func (c *clock) now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *clock) advance(d time.Duration) { c.offset.Add(int64(d)) }

func TestFailedExportCanContinue(t *testing.T) {
	var clk clock
	srv := assettest.NewServer(assettest.WithRateLimit(2, time.Minute), assettest.WithClock(clk.now))
	defer srv.Close()
	const biz = "biz_live"
	var batch []asset.InvoiceCreate
	for i := 1; i <= 5; i++ {
		batch = append(batch, asset.InvoiceCreate{Number: fmt.Sprintf("R-%d", i), Lines: []asset.InvoiceLineCreate{{Amount: asset.MustDecimal("1.25")}}})
	}
	_, err := srv.Client().Invoices.Create(context.Background(), biz, batch)
	require.NoError(t, err)
	// The server's 429 is what this is about, not the client's own pacing
	// (which would hold the third page back until the window ends).
	vars := map[string]string{"ASSET_TOKEN": srv.Token(), "ASSET_BASE_URL": srv.URL, "ASSET_BUSINESS_ID": biz, "ASSET_RATE_LIMIT": "0"}
	// A deadline shorter than the minute the server asks to wait makes the
	// SDK hand back the 429 at once instead of waiting.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	// Two pages fit in the rate limit's window, the third is refused.
	clk.advance(time.Minute)
	var first bytes.Buffer
	err = run(ctx, []string{"-page-size", "2"}, env(vars), &first, &bytes.Buffer{})
	require.ErrorIs(t, err, asset.ErrRateLimited)
	m := regexp.MustCompile(`(?m)^wait 1m0s, then 4 invoices were written; to continue, run again with -from (\S+)$`).FindStringSubmatch(err.Error())
	require.NotNil(t, m, err.Error())
	rows := readCSV(t, first.Bytes())
	require.Len(t, rows, 5, "the header and the two pages written")
	assert.Equal(t, "R-4", rows[4][1])

	clk.advance(time.Minute)
	var rest, stderr bytes.Buffer
	require.NoError(t, run(ctx, []string{"-page-size", "2", "-from", m[1]}, env(vars), &rest, &stderr))
	assert.True(t, strings.HasSuffix(stderr.String(), "\nexported 1 invoice (1 page)\n"), stderr.String())
	rows = readCSV(t, append(first.Bytes(), rest.Bytes()...))
	require.Len(t, rows, 6, "no second header: the parts join into one file")
	assert.Equal(t, "R-5", rows[5][1])
}

func TestCommandLine(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		once string // said exactly once on stderr
	}{
		{[]string{"-h"}, 0, "usage: export [flags]"},
		{[]string{"-nope"}, 2, "flag provided but not defined: -nope"},
		{[]string{"extra"}, 2, `unexpected arguments ["extra"]`},
		// A bad value is a command line refused, as the README says: exit
		// 2, with the usage.
		{[]string{"-format", "xml"}, 2, `-format "xml": use csv or jsonl`},
		{[]string{"-page-size", "500"}, 2, "-page-size 500: use 1 to 100"},
		{[]string{"-page-size", "0"}, 2, "-page-size 0: use 1 to 100"},
	} {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), tc.args, env(nil), &stdout, &stderr)
		assert.Equal(t, tc.code, cli.Exit("export", err, &stderr), "%q", tc.args)
		assert.Equal(t, 1, strings.Count(stderr.String(), tc.once), "%q: %s", tc.args, stderr.String())
		assert.Equal(t, 1, strings.Count(stderr.String(), "usage: export [flags]"), "%q: the usage, once: %s", tc.args, stderr.String())
		assert.Empty(t, stdout.String(), "%q: nothing exported", tc.args)
	}
}

// -h says what the program reads from the environment, every variable it
// reads, and that without a token it runs on an embedded server that keeps
// nothing.
func TestHelpNamesTheEnvironment(t *testing.T) {
	var stderr bytes.Buffer
	err := run(context.Background(), []string{"-h"}, env(nil), &bytes.Buffer{}, &stderr)
	require.Equal(t, 0, cli.Exit("export", err, &stderr))
	for _, name := range exampletest.EnvRead(t, "main.go", "../internal/exampleenv/exampleenv.go") {
		assert.Contains(t, stderr.String(), name)
	}
	assert.Contains(t, stderr.String(), "embedded assettest server")
	assert.Contains(t, stderr.String(), "forgets everything")
	assert.Contains(t, stderr.String(), "-page-size")
}

// A server that accepts and never answers: each page try ends at the
// attempt timeout and stderr says that the next one is coming.
func TestASilentServerIsNotSilent(t *testing.T) {
	vars := map[string]string{"ASSET_TOKEN": "tok", "ASSET_BUSINESS_ID": "biz_1", "ASSET_BASE_URL": exampletest.SilentServer(t), "ASSET_ATTEMPT_TIMEOUT": "50ms"}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var stderr bytes.Buffer
	err := run(ctx, nil, env(vars), &bytes.Buffer{}, &stderr)
	require.Error(t, err)
	require.NoError(t, ctx.Err(), "the attempt timeout ended the tries, not the test's deadline")
	lines := strings.Split(stderr.String(), "\n")
	require.GreaterOrEqual(t, len(lines), 3, stderr.String())
	assert.Equal(t, "Using the Asset API at "+vars["ASSET_BASE_URL"]+" (business biz_1)", lines[0])
	assert.Contains(t, lines[1], `level=WARN msg="asset-go: try failed, retrying" method=GET route=/v0/business/biz_1/invoice status=0 attempt=1`)
	assert.Contains(t, stderr.String(), `level=ERROR msg="asset-go: request failed"`)
	assert.Contains(t, err.Error(), "run the export again")
}

func TestRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{{"-format", "xml"}, {"-page-size", "0"}, {"-page-size", "101"}, {"extra"}, {"-nope"}} {
		err := run(context.Background(), args, env(nil), &bytes.Buffer{}, &bytes.Buffer{})
		assert.Error(t, err, "%q", args)
	}
}

func TestExplainsFailures(t *testing.T) {
	srv := assettest.NewServer()
	defer srv.Close()
	vars := map[string]string{"ASSET_TOKEN": srv.Token(), "ASSET_BASE_URL": srv.URL, "ASSET_BUSINESS_ID": "biz_live"}

	t.Run("a wrong token", func(t *testing.T) {
		wrong := map[string]string{"ASSET_TOKEN": "tok_wrong", "ASSET_BASE_URL": srv.URL, "ASSET_BUSINESS_ID": "biz_live"}
		var stdout bytes.Buffer
		err := run(context.Background(), nil, env(wrong), &stdout, &bytes.Buffer{})
		assert.ErrorIs(t, err, asset.ErrUnauthorized)
		assert.Contains(t, err.Error(), "check ASSET_TOKEN and ASSET_BUSINESS_ID, then run the export again")
		assert.Empty(t, stdout.String(), "no header without data")
	})
	t.Run("a forged -from token", func(t *testing.T) {
		err := run(context.Background(), []string{"-from", "forged"}, env(vars), &bytes.Buffer{}, &bytes.Buffer{})
		assert.ErrorIs(t, err, asset.ErrValidation)
		assert.Contains(t, err.Error(), "the -from token was refused")
	})
}

func TestProgressEveryTenPages(t *testing.T) {
	tests := []struct {
		pageSize string
		progress []string
		summary  string
	}{
		{"100", nil, "exported 250 invoices (3 pages)"},
		{"25", nil, "exported 250 invoices (10 pages)"}, // the summary says it all
		{"20", []string{"200 invoices so far (10 pages)"}, "exported 250 invoices (13 pages)"},
		{"10", []string{"100 invoices so far (10 pages)", "200 invoices so far (20 pages)"}, "exported 250 invoices (25 pages)"},
	}
	for _, tt := range tests {
		t.Run(tt.pageSize, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			require.NoError(t, run(context.Background(), []string{"-page-size", tt.pageSize}, env(nil), &stdout, &stderr))
			lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
			require.GreaterOrEqual(t, len(lines), 3, stderr.String())
			assert.Equal(t, "seeded 250 sample invoices", lines[1])
			assert.Equal(t, tt.progress, nilIfEmpty(lines[2:len(lines)-1]))
			assert.Equal(t, tt.summary, lines[len(lines)-1])
			assert.Len(t, readCSV(t, stdout.Bytes()), 251, "progress goes to stderr, never into the data")
		})
	}
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// A run continued with -from that fails before its first page must be
// continued with the same token: starting over would append the header and
// the rows already written a second time.
func TestFailedContinuationKeepsItsToken(t *testing.T) {
	const biz = "biz_live"
	tests := []struct {
		name   string
		inject func(*assettest.Server, map[string]string)
		is     error
		hint   string // %s: the -from token
	}{
		{"a refused token", func(_ *assettest.Server, vars map[string]string) { vars["ASSET_TOKEN"] = "tok_wrong" }, asset.ErrUnauthorized,
			"check ASSET_TOKEN and ASSET_BUSINESS_ID, then run again with the same -from %s; nothing was written this time"},
		{"a forbidden business", func(srv *assettest.Server, _ map[string]string) { srv.FailNext(assettest.RouteListInvoices, 1, 403) }, asset.ErrForbidden,
			"check ASSET_TOKEN and ASSET_BUSINESS_ID, then run again with the same -from %s; nothing was written this time"},
		{"a conflict", func(srv *assettest.Server, _ map[string]string) { srv.FailNext(assettest.RouteListInvoices, 1, 409) }, asset.ErrConflict,
			"run again with the same -from %s; nothing was written this time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := assettest.NewServer()
			defer srv.Close()
			var batch []asset.InvoiceCreate
			for i := 1; i <= 5; i++ {
				batch = append(batch, asset.InvoiceCreate{Number: fmt.Sprintf("R-%d", i), Lines: []asset.InvoiceLineCreate{{Amount: asset.MustDecimal("1.25")}}})
			}
			_, err := srv.Client().Invoices.Create(context.Background(), biz, batch)
			require.NoError(t, err)
			page, err := srv.Client().Invoices.List(context.Background(), biz, &asset.InvoiceListParams{PageSize: 2})
			require.NoError(t, err)
			from := page.NextPageToken
			require.NotEmpty(t, from)

			vars := map[string]string{"ASSET_TOKEN": srv.Token(), "ASSET_BASE_URL": srv.URL, "ASSET_BUSINESS_ID": biz}
			tt.inject(srv, vars)
			args := []string{"-page-size", "2", "-from", from}
			var stdout bytes.Buffer
			err = run(context.Background(), args, env(vars), &stdout, &bytes.Buffer{})
			require.ErrorIs(t, err, tt.is)
			assert.True(t, strings.HasSuffix(err.Error(), "\n"+fmt.Sprintf(tt.hint, from)), err.Error())
			assert.NotContains(t, err.Error(), "run the export again")
			assert.Empty(t, stdout.String())

			// Following the hint continues the export where it was.
			vars["ASSET_TOKEN"] = srv.Token()
			require.NoError(t, run(context.Background(), args, env(vars), &stdout, &bytes.Buffer{}))
			rows := readCSV(t, stdout.Bytes())
			require.Len(t, rows, 3, "no header, rows 3 to 5")
			assert.Equal(t, []string{"R-3", "R-4", "R-5"}, []string{rows[0][1], rows[1][1], rows[2][1]})
		})
	}
}
