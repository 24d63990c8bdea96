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
	assert.Regexp(t, `^ASSET_TOKEN is not set: running on an embedded assettest server at http://127\.0\.0\.1:\d+ \(business biz_example\)$`, lines[0])
	m := regexp.MustCompile(`^Generated 250 sample invoices in (.+)$`).FindStringSubmatch(lines[1])
	require.NotNil(t, m, lines[1])
	file := m[1]
	assert.Equal(t, dir, filepath.Dir(filepath.Dir(file)), "in TMPDIR")
	assert.Equal(t, "Imported "+file+": 250 invoices, 466 rows: 466 created, 0 exist, 0 unknown, 0 failed, 0 invalid", lines[2])
	out := strings.TrimSuffix(file, ".csv") + ".result.csv"
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
			out := strings.TrimSuffix(file, filepath.Ext(file)) + ".result.csv"

			stdout, _, err := runImport(t, realAPI(srv, biz), "-file", file)
			require.ErrorIs(t, err, errAttention, "bad rows need attention")
			count := map[string]int{}
			for _, w := range tt.first {
				count[w.result]++
			}
			assert.Contains(t, stdout, fmt.Sprintf(": %d invoices, %d rows: %d created, 0 exist, 0 unknown, 0 failed, %d invalid\n",
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
					assert.Contains(t, r.detail, "already exists")
				} else {
					assert.Equal(t, first[line], r, "line %d: the same bad row", line)
				}
			}
			assert.Len(t, srv.Invoices(biz), len(tt.created), "nothing created twice")
			assert.Equal(t, applied, srv.Applied(assettest.RouteCreateInvoices), "the second run changed nothing")
		})
	}
}
