package asset

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every expected value in this file is written out by hand from the
// payload beside it: a test that compared the decoder with itself (through
// the models' own UnmarshalJSON) would pass whatever the decoder did.

func seedTime() time.Time { return time.Date(2023, 11, 7, 5, 31, 56, 0, time.UTC) }

// seedOlderInvoice is the invoice of the create and list examples: the
// older model, with metadata_, priced lines and the payment's back
// reference as {}.
func seedOlderInvoice() Invoice {
	n := MustDecimal("123")
	return Invoice{
		ID: "inv_WQMDNUHpBThYSNh4AprDBo", BusinessID: "biz_Pk2fNFDd8wj7EFeLWJywc7",
		Number: "<string>", Description: "<string>", CustomerID: "<string>",
		TotalAmount: n, TotalPaid: MustDecimal("0"), CreditAmount: n,
		Source: InvoiceSourceManual, Status: InvoiceStatusOpen,
		DueAt: seedTime(), SentAt: seedTime(), VoidedAt: seedTime(),
		Metadata: map[string]any{},
		Lines: []InvoiceLine{{
			ID: "inv_line_WQMDNUHpBThYSNh4AprDBo", InvoiceID: "inv_WQMDNUHpBThYSNh4AprDBo",
			Description: "<string>", LedgerID: "ldg_WQMDNUHpBThYSNh4AprDBo",
			UnitPrice: n, Quantity: n, DiscountAmount: n, DiscountRate: n, TaxAmount: n, TaxRate: n,
			IsPrepayment: true, Metadata: map[string]any{},
		}},
		Payments: []InvoicePayment{{
			ID: "inp_WQMDNUHpBThYSNh4AprDBo", InvoiceID: "inv_WQMDNUHpBThYSNh4AprDBo",
			TransactionID: "txn_WQMDNUHpBThYSNh4AprDBo", PaymentID: "WQMDNUHpBThYSNh4AprDBo",
			Datetime: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC), PaymentAmount: n,
		}},
	}
}

// seedPaymentInvoice is the payment example's invoice: the older model
// with the back reference as the string "<unknown>".
func seedPaymentInvoice() Invoice {
	n := MustDecimal("123")
	return Invoice{
		ID: "<string>", BusinessID: "<string>", Number: "<string>", Description: "<string>", CustomerID: "<string>",
		TotalAmount: n, TotalPaid: MustDecimal("0"), CreditAmount: n,
		Source: InvoiceSourceManual, Status: InvoiceStatusOpen,
		DueAt: seedTime(), SentAt: seedTime(), VoidedAt: seedTime(),
		Metadata: map[string]any{},
		Lines: []InvoiceLine{{
			ID: "<string>", InvoiceID: "<string>", Description: "<string>", LedgerID: "ldg_WQMDNUHpBThYSNh4AprDBo",
			UnitPrice: n, Quantity: n, DiscountAmount: n, DiscountRate: n, TaxAmount: n, TaxRate: n,
			IsPrepayment: true, Metadata: map[string]any{},
		}},
		Payments: []InvoicePayment{{
			ID: "<string>", InvoiceID: "<string>", TransactionID: "<string>", PaymentID: "<string>",
			Datetime: seedTime(), PaymentAmount: n,
		}},
	}
}

// seedUpdateInvoice is the update example's invoice: the newer model, with
// metadata, lines that carry only an amount, tags and the credit fields on
// payments, and no source or status.
func seedUpdateInvoice() Invoice {
	n := MustDecimal("123")
	return Invoice{
		ID: "<string>", BusinessID: "<string>", Number: "<string>", Description: "<string>", CustomerID: "<string>",
		TotalAmount: n, TotalPaid: MustDecimal("0"),
		DueAt: seedTime(), SentAt: seedTime(), VoidedAt: seedTime(),
		Metadata: map[string]any{},
		Tags:     map[string]TagValue{"Location": {Value: "NYC"}},
		Lines: []InvoiceLine{{
			ID: "<string>", InvoiceID: "<string>", Description: "<string>", LedgerID: "ldg_ErisumsAc7qgmbTctM7zKK",
			Amount: n, Metadata: map[string]any{},
		}},
		Payments: []InvoicePayment{{
			ID: "<string>", InvoiceID: "<string>", TransactionID: "txn_WQMDNUHpBThYSNh4AprDBo", PaymentID: "<string>",
			Datetime: seedTime(), PaymentAmount: n,
			CreditJournalEntryID: "3c90c3cc-0d44-4b50-8888-8dd25736052a",
			CreditMemoID:         "3c90c3cc-0d44-4b50-8888-8dd25736052a",
		}},
	}
}

// inUTC returns inv with every time in UTC, so that a time written with an
// offset compares equal to the same instant written by hand in UTC.
func inUTC(inv Invoice) Invoice {
	inv.DueAt, inv.SentAt, inv.VoidedAt = inv.DueAt.UTC(), inv.SentAt.UTC(), inv.VoidedAt.UTC()
	if inv.Payments != nil {
		ps := make([]InvoicePayment, len(inv.Payments))
		for i, p := range inv.Payments {
			p.Datetime = p.Datetime.UTC()
			ps[i] = p
		}
		inv.Payments = ps
	}
	return inv
}

func invoicesInUTC(invs []Invoice) []Invoice {
	if invs == nil {
		return nil
	}
	out := make([]Invoice, len(invs))
	for i, inv := range invs {
		out[i] = inUTC(inv)
	}
	return out
}

// decodeCase is a body, the envelope the client decodes it into, and what
// that must give: want (a *Page[Invoice], an Invoice or a *batchEnvelope)
// or an error.
type decodeCase struct {
	body    string
	as      string // "list", "data" or "batch"
	want    any
	wantErr bool
}

// check decodes the case as the client does and compares with want.
func (c decodeCase) check(t *testing.T) {
	t.Helper()
	var (
		got any
		err error
	)
	switch c.as {
	case "list":
		var env listEnvelope[Invoice]
		err = decodeBody([]byte(c.body), &env)
		p := env.page()
		p.Data = invoicesInUTC(p.Data)
		got = p
	case "data":
		var env dataEnvelope[Invoice]
		err = decodeBody([]byte(c.body), &env)
		got = inUTC(env.Data)
	case "batch":
		var env batchEnvelope[Invoice]
		err = decodeBody([]byte(c.body), &env)
		env.Data = invoicesInUTC(env.Data)
		got = &env
	default:
		t.Fatalf("unknown envelope %q", c.as)
	}
	if c.wantErr {
		require.Error(t, err, "decoded into %+v", got)
		return
	}
	require.NoError(t, err)
	assert.Equal(t, c.want, got)
}

func TestDecodeCases(t *testing.T) {
	t.Parallel()
	one := func(invs ...Invoice) *Page[Invoice] { return &Page[Invoice]{Data: invs} }
	tests := map[string]decodeCase{
		"older line metadata, null payments": {
			body: `{"data":[{"id":"inv_1","lines":[{"id":"l1","amount":1.50,"metadata_":{"a":1}}],"payments":null}],"pagination":{"next_page_token":null}}`,
			as:   "list",
			want: one(Invoice{ID: "inv_1", Lines: []InvoiceLine{{ID: "l1", Amount: MustDecimal("1.50"), Metadata: map[string]any{"a": 1.0}}}}),
		},
		"key matching only case-insensitively": {body: `{"data":[{"ID":"inv_1"}],"pagination":{}}`, as: "list", want: one(Invoice{ID: "inv_1"})},
		"dotless i does not fold onto id":      {body: `{"data":[{"ıd":"inv_1"}]}`, as: "list", want: one(Invoice{})},
		"repeated key, last wins":              {body: `{"data":[{"id":"inv_1","id":"inv_2"}]}`, as: "list", want: one(Invoice{ID: "inv_2"})},
		"escapes in values": {
			body: `{"data":[{"id":"inv_\u0031","description":"say \"hi\"\n"}]}`, as: "list",
			want: one(Invoice{ID: "inv_1", Description: "say \"hi\"\n"}),
		},
		"escaped key": {body: `{"data":[{"\u0069d":"inv_1"}]}`, as: "list", want: one(Invoice{ID: "inv_1"})},
		"non-ASCII and invalid UTF-8": {
			body: "{\"data\":[{\"id\":\"caf\xc3\xa9\",\"number\":\"bad \xff utf-8\"}]}", as: "list",
			want: one(Invoice{ID: "café", Number: "bad \uFFFD utf-8"}),
		},
		"lone surrogate":       {body: `{"data":[{"id":"\ud800"}]}`, as: "list", want: one(Invoice{ID: "\uFFFD"})},
		"id of the wrong type": {body: `{"data":[{"id":1}]}`, as: "list", wantErr: true},
		"money as string, null and exponent": {
			body: `{"data":[{"total_amount":"12.50","total_paid":null,"credit_amount":1e2}]}`, as: "list",
			want: one(Invoice{TotalAmount: MustDecimal("12.50"), CreditAmount: MustDecimal("1e2")}),
		},
		"money as a boolean": {body: `{"data":[{"total_amount":true}]}`, as: "list", wantErr: true},
		"naive times": {
			body: `{"data":[{"due_at":"2023-11-07 05:31:56","sent_at":"2023-11-07","voided_at":""}]}`, as: "list",
			want: one(Invoice{DueAt: seedTime(), SentAt: time.Date(2023, 11, 7, 0, 0, 0, 0, time.UTC)}),
		},
		"time with an offset": {
			body: `{"data":[{"due_at":"2023-11-07T05:31:56+02:00"}]}`, as: "list",
			want: one(Invoice{DueAt: time.Date(2023, 11, 7, 3, 31, 56, 0, time.UTC)}),
		},
		"every tag shape": {
			body: `{"data":[{"tags":{"Location":"NYC","Job":[{"amount":"3000.00","value":"Roof"}],"Odd":{"x":1},"Gone":null}}]}`, as: "list",
			want: one(Invoice{Tags: map[string]TagValue{
				"Location": {Value: "NYC"},
				"Job":      {Allocations: []TagAllocation{{Amount: MustDecimal("3000.00"), Value: "Roof"}}},
				"Odd":      {Raw: json.RawMessage(`{"x":1}`)},
				"Gone":     {},
			}}),
		},
		"metadata number beyond float64": {
			body: `{"data":[{"metadata":{"n":1.5,"big":1e400,"s":"x","b":true,"z":null,"o":{"k":[1,"2"]}},"metadata_":{"old":1}}]}`,
			as:   "list", wantErr: true,
		},
		"metadata of every JSON type, newer wins": {
			body: `{"data":[{"metadata":{"n":1.5,"s":"x","b":true,"z":null,"o":{"k":[1,"2"]}},"metadata_":{"old":1}}]}`, as: "list",
			want: one(Invoice{Metadata: map[string]any{"n": 1.5, "s": "x", "b": true, "z": nil, "o": map[string]any{"k": []any{1.0, "2"}}}}),
		},
		"newer metadata null, older kept": {
			body: `{"data":[{"metadata":null,"metadata_":{"old":1}}]}`, as: "list",
			want: one(Invoice{Metadata: map[string]any{"old": 1.0}}),
		},
		"back reference of any depth": {
			body: `{"data":[{"lines":[],"payments":[{"id":"p","invoice":{"deep":[[[{}]]]},"is_write_off":true}]}]}`, as: "list",
			want: one(Invoice{Lines: []InvoiceLine{}, Payments: []InvoicePayment{{ID: "p", IsWriteOff: true}}}),
		},
		"null item":                {body: `{"data":[null]}`, as: "list", want: one(Invoice{})},
		"null list and pagination": {body: `{"data":null,"pagination":null}`, as: "list", want: &Page[Invoice]{}},
		"both tokens, unknown pagination key": {
			body: `{"data":[],"pagination":{"next_page_token":"a","previous_page_token":"b","extra":1}}`, as: "list",
			want: &Page[Invoice]{Data: []Invoice{}, NextPageToken: "a", PreviousPageToken: "b"},
		},
		"trailing space":         {body: `{"data":[] }  `, as: "list", want: &Page[Invoice]{Data: []Invoice{}}},
		"trailing garbage":       {body: `{"data":[]} x`, as: "list", wantErr: true},
		"trailing comma":         {body: `{"data":[1,]}`, as: "list", wantErr: true},
		"leading zero":           {body: `{"data":[{"id":"x","n":-0.5e-3,"m":0,"bad":01}]}`, as: "list", wantErr: true},
		"bad literal":            {body: `{"data":[{"id":"x","n":[tru]}]}`, as: "list", wantErr: true},
		"missing comma":          {body: `{"data":[{"id":"x" "number":"y"}]}`, as: "list", wantErr: true},
		"an array":               {body: `[]`, as: "list", wantErr: true},
		"null body":              {body: `null`, as: "list", want: &Page[Invoice]{}},
		"empty body":             {body: ``, as: "list", wantErr: true},
		"cut body":               {body: `{`, as: "list", wantErr: true},
		"an object as list data": {body: `{"data":{"id":"inv_1"},"errors":[{"error":"dup","invoice_number":"A"}]}`, as: "list", wantErr: true},
		"an object as one invoice": {
			body: `{"data":{"id":"inv_1"},"errors":[{"error":"dup","invoice_number":"A"}]}`, as: "data",
			want: Invoice{ID: "inv_1"},
		},
		"an object as batch data": {body: `{"data":{"id":"inv_1"},"errors":[{"error":"dup","invoice_number":"A"}]}`, as: "batch", wantErr: true},
		"batch, unknown error key": {
			body: `{"data":[{"id":"inv_1"}],"errors":[{"error":"dup","invoice_number":"A","extra":1}]}`, as: "batch",
			want: &batchEnvelope[Invoice]{Data: []Invoice{{ID: "inv_1"}}, Errors: []batchRefusal{{Error: "dup", InvoiceNumber: "A"}}},
		},
		"credit memo batch errors": {
			body: `{"data":[],"errors":[{"error":"dup","number":"CM-1"}]}`, as: "batch",
			want: &batchEnvelope[Invoice]{Data: []Invoice{}, Errors: []batchRefusal{{Error: "dup", Number: "CM-1"}}},
		},
	}
	for name, tt := range tests {
		t.Run(name, tt.check)
	}
}

// TestDecodeFuzzSeeds pins what each seed of FuzzDecodeInvoice decodes to,
// so the corpus is a decoding test too; a new seed needs its entry here.
func TestDecodeFuzzSeeds(t *testing.T) {
	t.Parallel()
	older := seedOlderInvoice()
	seeds := map[string][]decodeCase{
		"batch_errors": {{as: "batch", want: &batchEnvelope[Invoice]{Data: []Invoice{}, Errors: []batchRefusal{{Error: "dup", InvoiceNumber: "A-1"}}}}},
		"duplicate_keys": {{as: "data", want: Invoice{
			// The later metadata null leaves the older metadata_ in force;
			// the later null amount leaves the amount absent.
			Metadata: map[string]any{"b": 2.0},
		}}},
		"null_data": {
			{as: "data", want: Invoice{}},
			{as: "list", want: &Page[Invoice]{}},
			{as: "batch", want: &batchEnvelope[Invoice]{}},
		},
		"null_items":            {{as: "list", want: &Page[Invoice]{Data: []Invoice{{}, {Lines: []InvoiceLine{{}}, Payments: []InvoicePayment{{}}}}}}},
		"seed_create_response":  {{as: "batch", want: &batchEnvelope[Invoice]{Data: []Invoice{older}}}},
		"seed_list_response":    {{as: "list", want: &Page[Invoice]{Data: []Invoice{older}, NextPageToken: "<string>", PreviousPageToken: "<string>"}}},
		"seed_payment_response": {{as: "data", want: seedPaymentInvoice()}},
		"seed_update_response":  {{as: "data", want: seedUpdateInvoice()}},
		"small_data": {{as: "data", want: Invoice{
			TotalAmount: MustDecimal("1.50"),
			Lines:       []InvoiceLine{{Amount: MustDecimal("2")}},
			Payments:    []InvoicePayment{{PaymentAmount: MustDecimal("3")}},
		}}},
		"small_exponent": {{as: "data", want: Invoice{CreditAmount: MustDecimal("1e3"), TotalAmount: MustDecimal("-2.5E-2")}}},
		"small_list": {{as: "list", want: &Page[Invoice]{Data: []Invoice{{
			TotalPaid: MustDecimal("0"),
			Tags:      map[string]TagValue{"Job": {Allocations: []TagAllocation{{Amount: MustDecimal("3000.00"), Value: "x"}}}},
		}}}}},
		"small_times": {{as: "data", want: Invoice{DueAt: seedTime(), SentAt: time.Date(2023, 11, 7, 0, 0, 0, 0, time.UTC)}}},
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzDecodeInvoice")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, len(seeds), "every seed needs its expected value, and every expected value its seed")
	for _, e := range entries {
		t.Run(e.Name(), func(t *testing.T) {
			cases, ok := seeds[e.Name()]
			require.True(t, ok, "no expected value for seed %s", e.Name())
			body := readFuzzSeed(t, filepath.Join(dir, e.Name()))
			for _, c := range cases {
				c.body = body
				c.check(t)
			}
		})
	}
}

// readFuzzSeed returns the one []byte value of a "go test fuzz v1" file.
func readFuzzSeed(t *testing.T, path string) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	header, value, ok := strings.Cut(strings.TrimSpace(string(raw)), "\n")
	require.True(t, ok && header == "go test fuzz v1", "%s is not a fuzz seed", path)
	s, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(value, "[]byte("), ")"))
	require.NoError(t, err, "%s: the seed's value is not a quoted string", path)
	return s
}

func TestBatchFailures(t *testing.T) {
	t.Parallel()
	const missing = "missing from the response, neither created nor refused: it may have been created; look it up with Invoices.FindByNumbers before creating it again (CreateMany does)"
	const countMissing = "not in the response under its number, and the response holds 1 entry under other numbers for 2 such invoices: " +
		"it may have been created; look it up with Invoices.FindByNumbers before creating it again (CreateMany does)"
	created := func(numbers ...string) []Invoice {
		out := make([]Invoice, len(numbers))
		for i, n := range numbers {
			out[i] = Invoice{ID: "inv_" + n, Number: n}
		}
		return out
	}
	tests := []struct {
		name    string
		sent    []string
		data    []Invoice
		refused []batchRefusal
		want    []BatchFailure
	}{
		{name: "all created", sent: []string{"A", "B"}, data: created("B", "A")},
		{
			name: "one refused", sent: []string{"A", "B"}, data: created("A"),
			refused: []batchRefusal{{Error: "dup", InvoiceNumber: "B"}},
			want:    []BatchFailure{{Number: "B", Index: 1, Message: "dup"}},
		},
		{
			name: "credit memo refusals name the number", sent: []string{"CM-1"}, data: []Invoice{},
			refused: []batchRefusal{{Error: "dup", Number: "CM-1"}},
			want:    []BatchFailure{{Number: "CM-1", Index: 0, Message: "dup"}},
		},
		{name: "one created under another number", sent: []string{"inv-001"}, data: created("INV-001")},
		{name: "all created under other numbers", sent: []string{"a", "b"}, data: created("<string>", "<string>")},
		{
			// Whether b is B cannot be told: B may exist.
			name: "a refusal under another number accounts for none", sent: []string{"A", "B"}, data: created("A"),
			refused: []batchRefusal{{Error: "Customer not found", InvoiceNumber: "b"}},
			want: []BatchFailure{
				{Number: "B", Index: 1, Message: missing, Err: errUnaccounted},
				{Number: "b", Index: -1, Message: "Customer not found"},
			},
		},
		{
			name: "nothing accounts for one", sent: []string{"A", "B", "C"}, data: created("A"),
			refused: []batchRefusal{{Error: "dup", InvoiceNumber: "B"}},
			want:    []BatchFailure{{Number: "B", Index: 1, Message: "dup"}, {Number: "C", Index: 2, Message: missing, Err: errUnaccounted}},
		},
		{
			name: "fewer entries than unmatched invoices", sent: []string{"A", "B", "C"}, data: created("A", "x"),
			want: []BatchFailure{
				{Number: "B", Index: 1, Message: countMissing, Err: errUnaccounted},
				{Number: "C", Index: 2, Message: countMissing, Err: errUnaccounted},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := batchEnvelope[Invoice]{Data: tt.data, Errors: tt.refused}
			_, err := batchFailures("invoice", tt.sent, &env, func(inv *Invoice) string { return inv.Number })
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			var be *BatchError
			require.ErrorAs(t, err, &be)
			assert.Equal(t, tt.want, be.Failures)
		})
	}
}

// The count-matching message names the batch's own kind of item.
func TestBatchFailuresNameTheKind(t *testing.T) {
	t.Parallel()
	env := batchEnvelope[CreditMemo]{Data: []CreditMemo{{ID: "cm_1", Number: "A"}, {ID: "cm_2", Number: "x"}}}
	_, err := batchFailures("credit memo", []string{"A", "B", "C"}, &env, func(m *CreditMemo) string { return m.Number })
	var be *BatchError
	require.ErrorAs(t, err, &be)
	require.Len(t, be.Failures, 2)
	for _, f := range be.Failures {
		assert.Contains(t, f.Message, "for 2 such credit memos:")
	}
}
