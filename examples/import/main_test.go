package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go/assettest"
	"github.com/assetkit/asset-go/examples/internal/cli"
	"github.com/assetkit/asset-go/examples/internal/exampletest"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
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

// resultRow is one line of a result file.
type resultRow struct {
	number, result, id, exists, detail string
}

// readResults reads a result file, keyed by the input's line.
func readResults(t *testing.T, path string) map[int]resultRow {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	require.NotEmpty(t, records)
	require.Equal(t, []string{"line", "number", "result", "invoice_id", "exists", "detail"}, records[0])
	rows := map[int]resultRow{}
	for _, r := range records[1:] {
		line, err := strconv.Atoi(r[0])
		require.NoError(t, err)
		_, dup := rows[line]
		require.False(t, dup, "line %d reported twice", line)
		rows[line] = resultRow{r[1], r[2], r[3], r[4], r[5]}
	}
	return rows
}

// runImport runs the program and returns what it printed and its error.
func runImport(t *testing.T, vars map[string]string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	err = run(ctx, args, env(vars), &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestImportsAGeneratedFileOnTheEmbeddedServer(t *testing.T) {
	dir := t.TempDir()
	stdout, stderr, err := runImport(t, map[string]string{"TMPDIR": dir}, "-generate", "250")
	require.NoError(t, err)

	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	require.Len(t, lines, 4, stdout)
	assert.Regexp(t, `^ASSET_TOKEN is not set: running on an embedded assettest server at http://127\.0\.0\.1:\d+ \(business biz_example\), `+
		`which forgets everything when this program exits \(-repeat 2 imports the file twice against it\)$`, lines[0])
	m := regexp.MustCompile(`^Generated 250 sample invoices in (.+)$`).FindStringSubmatch(lines[1])
	require.NotNil(t, m, lines[1])
	file := m[1]
	assert.Equal(t, dir, filepath.Dir(filepath.Dir(file)), "in TMPDIR")
	assert.Equal(t, "Imported "+file+": 250 invoices in 466 rows: 466 created, 0 exist, 0 unknown, 0 failed, 0 invalid", lines[2])
	out := file + ".result.csv"
	assert.Equal(t, "Results in "+out, lines[3])
	assert.Equal(t, "lines 2-467 done, 100% of the file; so far 466 rows: 466 created, 0 exist, 0 unknown, 0 failed, 0 invalid\n", stderr)

	results := readResults(t, out)
	require.Len(t, results, 466)
	ids := map[string]string{}
	for line := 2; line <= 467; line++ {
		r, ok := results[line]
		require.True(t, ok, "line %d has no result", line)
		assert.Equal(t, "created", r.result, "line %d", line)
		assert.Equal(t, "yes", r.exists)
		assert.Regexp(t, `^inv_`, r.id)
		if id, seen := ids[r.number]; seen {
			assert.Equal(t, id, r.id, "the rows of one invoice, one id")
		}
		ids[r.number] = r.id
	}
	assert.Len(t, ids, 250)
}

// The rows of the sample: good invoices (one of two rows), and bad rows of
// every kind, each to be reported with its line.
const sampleCSV = `number,customer_external_id,due_date,description,line_description,quantity,unit_price,amount
A-1,erp-1,2026-12-31,Dec,Consulting,10,150.00,
A-1,erp-1,2026-12-31,Dec,Travel,,,80.00
A-2,erp-2,2026-13-01,Dec,Support,1,99.00,
A-3,erp-3,2026-12-31,Dec,Support,1,,
A-4,erp-4,2026-12-31,Dec,Support,,,-5.00
A-5,erp-5,2026-12-31,Dec,Support,,,5.00
A-5,erp-9,2026-12-31,Dec,Support,,,5.00
A-6,erp-6,2026-12-31,Dec,Support,,,abc
A-7,erp-7
A-8,erp-8,2026-12-31,Dec,,,,
A-1,erp-1,2026-12-31,Dec,Again,,,1.00
A-9,erp-9,2026-12-31,Dec,Support,,,12.00
`

const sampleJSONL = `{"number": "A-1", "customer_external_id": "erp-1", "due_at": "2026-12-31T00:00:00Z", "lines": [{"description": "Consulting", "quantity": 10, "unit_price": 150.00}, {"description": "Travel", "amount": "80.00"}]}
{"number": "A-2", "due_at": "2026-13-01"}
{"number": "A-3", "colour": "blue"}
{"number": "A-4", "lines": [{"amount": -5.00}]}
{"number": "A-5"

{"number": "A-8", "customer_external_id": "erp-8"}
{"number": "A-1", "lines": [{"amount": 1.00}]}
{"number": "A-9", "lines": [{"amount": 12.00}]}
`

// want is a line's expected result and what its detail says.
type want struct{ result, detail string }

func TestImportTwiceCreatesNothingTwice(t *testing.T) {
	tests := []struct {
		name, file, content string
		first               map[int]want
		invoices            int // entries read: an invoice's rows, or a bad line
		created             []string
	}{
		{"csv", "invoices.csv", sampleCSV, map[int]want{
			2:  {"created", ""},
			3:  {"created", ""},
			4:  {"invalid", `due_date "2026-13-01" is not a date`},
			5:  {"invalid", "needs an amount, or a quantity and a unit_price"},
			6:  {"invalid", "lines[0].amount -5.00 is negative"},
			7:  {"invalid", "line 8: its customer, due date or description differs"},
			8:  {"invalid", "line 8: its customer, due date or description differs"},
			9:  {"invalid", `amount "abc" is not a number`},
			10: {"invalid", "has 2 fields; the header has 8"},
			11: {"created", ""},
			12: {"invalid", `number "A-1" is also on line 2`},
			13: {"created", ""},
		}, 10, []string{"A-1", "A-8", "A-9"}},
		{"jsonl", "invoices.jsonl", sampleJSONL, map[int]want{
			1: {"created", ""},
			2: {"invalid", "not an invoice: "},
			3: {"invalid", `unknown field "colour"`},
			4: {"invalid", "lines[0].amount -5.00 is negative"},
			5: {"invalid", "not an invoice: "},
			7: {"created", ""},
			8: {"invalid", `number "A-1" is also on line 1`},
			9: {"created", ""},
		}, 8, []string{"A-1", "A-8", "A-9"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const biz = "biz_import"
			srv := assettest.NewServer()
			defer srv.Close()
			file := filepath.Join(t.TempDir(), tt.file)
			require.NoError(t, os.WriteFile(file, []byte(tt.content), 0o600))
			out := file + ".result.csv"

			stdout, _, err := runImport(t, realAPI(srv, biz), "-file", file)
			require.ErrorIs(t, err, errAttention, "bad rows need attention")
			count := map[string]int{}
			for _, w := range tt.first {
				count[w.result]++
			}
			assert.Contains(t, stdout, fmt.Sprintf(": %d invoices in %d rows: %d created, 0 exist, 0 unknown, 0 failed, %d invalid\n",
				tt.invoices, len(tt.first), count["created"], count["invalid"]))
			first := readResults(t, out)
			require.Len(t, first, len(tt.first), "one result per row, blank lines aside")
			ids := map[string]string{}
			for line, w := range tt.first {
				r := first[line]
				assert.Equal(t, w.result, r.result, "line %d: %+v", line, r)
				assert.Contains(t, r.detail, w.detail, "line %d", line)
				if w.result == "created" {
					assert.Equal(t, "yes", r.exists)
					ids[r.number] = r.id
				} else {
					assert.Equal(t, "no", r.exists)
					assert.Empty(t, r.id)
				}
			}
			var numbers []string
			for _, inv := range srv.Invoices(biz) {
				numbers = append(numbers, inv.Number)
				assert.Equal(t, ids[inv.Number], inv.ID, "the id reported is the invoice's")
			}
			assert.ElementsMatch(t, tt.created, numbers)
			a1 := srv.Invoices(biz)[0]
			assert.Equal(t, "1580.00", a1.TotalAmount.String(), "A-1's two lines")
			applied := srv.Applied(assettest.RouteCreateInvoices)

			// The second run on the same file: what was created exists.
			_, _, err = runImport(t, realAPI(srv, biz), "-file", file)
			require.ErrorIs(t, err, errAttention)
			second := readResults(t, out)
			require.Len(t, second, len(tt.first))
			for line, w := range tt.first {
				r := second[line]
				if w.result == "created" {
					assert.Equal(t, "exists", r.result, "line %d: %+v", line, r)
					assert.Equal(t, "yes", r.exists)
					assert.Equal(t, first[line].id, r.id, "line %d: the id of the invoice that exists", line)
				} else {
					assert.Equal(t, first[line], r, "line %d: the same bad row", line)
				}
			}
			assert.Len(t, srv.Invoices(biz), len(tt.created), "nothing created twice")
			assert.Equal(t, applied, srv.Applied(assettest.RouteCreateInvoices), "the second run changed nothing")
		})
	}
}

// writeInvoices writes a CSV file of n invoices of rows lines each, and
// returns its path.
func writeInvoices(t testing.TB, n, rows int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("number,customer_external_id,due_date,line_description,amount\n")
	for i := range n {
		for r := range rows {
			fmt.Fprintf(&b, "T-%06d,erp-%d,2026-12-31,Line %d,%d.50\n", i, i%13, r, 10+r)
		}
	}
	file := filepath.Join(t.TempDir(), "invoices.csv")
	require.NoError(t, os.WriteFile(file, []byte(b.String()), 0o600))
	return file
}

// A batch whose answer is lost after it was applied: the run settles it,
// every row created with its id, and a second run finds every row existing,
// with its id, and creates nothing.
func TestImportSettlesALostAnswer(t *testing.T) {
	const biz = "biz_lost"
	srv := assettest.NewServer()
	defer srv.Close()
	srv.DropNext(assettest.RouteCreateInvoices, 1, assettest.DropAfterApply)
	file := writeInvoices(t, 250, 1)
	out := file + ".result.csv"

	stdout, _, err := runImport(t, realAPI(srv, biz), "-file", file, "-concurrency", "1")
	require.NoError(t, err)
	assert.Contains(t, stdout, ": 250 invoices in 250 rows: 250 created, 0 exist, 0 unknown, 0 failed, 0 invalid\n")
	first := readResults(t, out)
	require.Len(t, first, 250)
	ids := map[string]string{}
	for _, inv := range srv.Invoices(biz) {
		ids[inv.Number] = inv.ID
	}
	require.Len(t, ids, 250)
	for line := 2; line <= 251; line++ {
		r := first[line]
		assert.Equal(t, "created", r.result, "line %d", line)
		assert.Equal(t, ids[r.number], r.id, "line %d", line)
	}

	_, _, err = runImport(t, realAPI(srv, biz), "-file", file, "-concurrency", "1")
	require.NoError(t, err, "every row created or existing")
	second := readResults(t, out)
	for line := 2; line <= 251; line++ {
		r := second[line]
		assert.Equal(t, "exists", r.result, "line %d", line)
		assert.Equal(t, ids[r.number], r.id, "line %d: the existing invoice's id", line)
	}
	assert.Len(t, srv.Invoices(biz), 250, "nothing created twice")
}

// The file is read and sent a chunk at a time, a chunk ending only between
// two invoices.
func TestImportReadsInChunks(t *testing.T) {
	const biz = "biz_chunks"
	srv := assettest.NewServer()
	defer srv.Close()
	file := writeInvoices(t, 95, 2) // rows 2-191, invoice k on rows 2k+2 and 2k+3

	_, stderr, err := runImport(t, realAPI(srv, biz), "-file", file, "-chunk", "21")
	require.NoError(t, err)
	progress := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	// 22 rows (11 invoices) reach 21: 8 full chunks and one of 7 invoices.
	require.Len(t, progress, 9, stderr)
	for i, p := range progress {
		first, last := 2+22*i, min(23+22*i, 191)
		assert.True(t, strings.HasPrefix(p, fmt.Sprintf("lines %d-%d done, ", first, last)), "chunk %d: %s", i, p)
	}
	assert.Contains(t, progress[8], "100% of the file; so far 190 rows: 190 created")
	assert.Equal(t, 9, srv.Requests(assettest.RouteCreateInvoices), "one CreateMany, of one batch, per chunk")
	assert.Len(t, srv.Invoices(biz), 95)
	assert.Len(t, readResults(t, file+".result.csv"), 190)
}

// Interrupted, the run reports every row it read, says where it stopped,
// and a second run finishes the file without creating anything twice.
func TestImportInterruptedAndRunAgain(t *testing.T) {
	const biz = "biz_interrupted"
	srv := assettest.NewServer(assettest.WithLatency(100 * time.Millisecond))
	defer srv.Close()
	file := writeInvoices(t, 500, 1)
	out := file + ".result.csv"

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	go func() {
		// While the second batch waits on the server's latency, most
		// likely: the first and second created, the third not sent. The
		// assertions hold whenever it comes.
		for srv.Requests(assettest.RouteCreateInvoices) < 2 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	var stdout, stderr bytes.Buffer
	err := run(ctx, []string{"-file", file, "-chunk", "300", "-concurrency", "1"}, env(realAPI(srv, biz)), &stdout, &stderr)
	require.ErrorIs(t, err, context.Canceled)
	m := regexp.MustCompile(`interrupted after line (\d+)`).FindStringSubmatch(err.Error())
	require.NotNil(t, m, err.Error())
	stopped, _ := strconv.Atoi(m[1])
	first := readResults(t, out)
	require.Len(t, first, stopped-1, "every row up to where it stopped")
	on := map[string]bool{}
	for _, inv := range srv.Invoices(biz) {
		on[inv.Number] = true
	}
	t.Logf("stopped after line %d: %s", stopped, stdout.String())
	for line, r := range first {
		switch r.result {
		case "created":
			assert.True(t, on[r.number], "line %d", line)
		case "not_sent":
			assert.False(t, on[r.number], "line %d", line)
			assert.Equal(t, "no", r.exists)
		default: // not unknown: the batches in flight were waited for
			t.Errorf("line %d: %+v", line, r)
		}
	}

	_, _, err = runImport(t, realAPI(srv, biz), "-file", file)
	require.NoError(t, err)
	second := readResults(t, out)
	require.Len(t, second, 500)
	for line, r := range second {
		want := "created"
		if first[line].result == "created" {
			want = "exists"
		}
		assert.Equal(t, want, r.result, "line %d", line)
	}
	assert.Len(t, srv.Invoices(biz), 500, "every invoice, once")
}

func TestImportRefusesBadUsage(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
		return p
	}
	srv := assettest.NewServer()
	defer srv.Close()
	api := realAPI(srv, "biz_usage")
	tests := []struct {
		name string
		vars map[string]string
		args []string
		err  string
	}{
		{"no file for the real API", api, nil, "-file is required"},
		{"an unknown format", api, []string{"-file", write("x.txt", "")}, "give a .csv or a .jsonl file"},
		{"no such file", api, []string{"-file", filepath.Join(dir, "none.csv")}, "no such file"},
		{"no number column", api, []string{"-file", write("a.csv", "customer_id,amount\n")}, "line 1: the header has no number column"},
		{"an unknown column", api, []string{"-file", write("b.csv", "number,colour\n")}, `line 1: unknown column "colour"`},
		{"an empty CSV", api, []string{"-file", write("c.csv", "")}, "reading the CSV header: EOF"},
		{"no rows per chunk", api, []string{"-chunk", "0"}, "-chunk must be at least 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runImport(t, tt.vars, tt.args...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.err)
			assert.NotErrorIs(t, err, errAttention)
		})
	}
	assert.Zero(t, srv.Requests(assettest.RouteCreateInvoices))
}

func TestCommandLine(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		once string // said exactly once on stderr
	}{
		{[]string{"-h"}, 0, "usage: import -file"},
		{[]string{"-nope"}, 2, "flag provided but not defined: -nope"},
		{[]string{"extra"}, 2, `unexpected arguments ["extra"]`},
		{[]string{"-concurrency", "0"}, 2, "-concurrency must be at least 1"},
		{[]string{"-repeat", "0"}, 2, "-repeat must be at least 1"},
	} {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), tc.args, env(nil), &stdout, &stderr)
		assert.Equal(t, tc.code, cli.Exit("import", err, &stderr), "%q", tc.args)
		assert.Equal(t, 1, strings.Count(stderr.String(), tc.once), "%q: %s", tc.args, stderr.String())
		assert.Empty(t, stdout.String(), "%q: nothing imported", tc.args)
	}
}

// A broken quote stops the reading at its line; what came before is
// imported and reported, but for the invoice just before, which may have
// gone on in the unreadable row.
func TestImportStopsAtABrokenQuote(t *testing.T) {
	const biz = "biz_quote"
	srv := assettest.NewServer()
	defer srv.Close()
	file := filepath.Join(t.TempDir(), "q.csv")
	require.NoError(t, os.WriteFile(file, []byte("number,amount\nQ-1,1.00\nQ-2,2.00\nQ-\"3,3.00\nQ-4,4.00\n"), 0o600))
	_, _, err := runImport(t, realAPI(srv, biz), "-file", file)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "line 4")
	assert.Contains(t, err.Error(), "the rows before were imported")
	results := readResults(t, file+".result.csv")
	assert.Equal(t, "created", results[2].result)
	assert.Equal(t, "invalid", results[3].result)
	assert.Contains(t, results[3].detail, "the next row could not be read")
	assert.Len(t, results, 2)
	assert.Len(t, srv.Invoices(biz), 1)
}

func TestHelpNamesTheEnvironment(t *testing.T) {
	var stderr bytes.Buffer
	err := run(context.Background(), []string{"-h"}, env(nil), &bytes.Buffer{}, &stderr)
	require.Equal(t, 0, cli.Exit("import", err, &stderr))
	for _, name := range exampletest.EnvRead(t, "main.go", "../internal/exampleenv/exampleenv.go") {
		assert.Contains(t, stderr.String(), name)
	}
	assert.Contains(t, stderr.String(), "forgets everything")
	assert.Contains(t, stderr.String(), "-repeat")
}
