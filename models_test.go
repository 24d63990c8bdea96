package asset

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// decodeFixture decodes testdata/name into a T, failing the test on error.
func decodeFixture[T any](t *testing.T, name string) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal(testdataFile(t, name), &v), name)
	return v
}

// assertDecimal checks that d is present and written exactly as want, scale
// included: "4500.00" must not come back as "4500".
func assertDecimal(t *testing.T, want string, d Decimal, field string) {
	t.Helper()
	if assert.True(t, d.IsSet(), "%s should be present", field) {
		assert.Equal(t, want, d.String(), field)
	}
}

func TestFixturesDecode(t *testing.T) {
	t.Parallel()
	// Every documented response decodes as the client decodes it, into the
	// envelope its call uses, and passes the envelope's shape check; the
	// batch and list envelopes are the only ones with an array.
	files, err := filepath.Glob(filepath.Join("testdata", "*_response.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			raw := testdataFile(t, name)
			var probe struct {
				Data json.RawMessage `json:"data"`
			}
			require.NoError(t, json.Unmarshal(raw, &probe))
			require.NotEmpty(t, probe.Data, "no data member")
			var env shapeChecker
			switch {
			case strings.HasPrefix(name, "seed_create") || strings.HasPrefix(name, "batch_"):
				env = &batchEnvelope[Invoice]{}
			case probe.Data[0] == '[':
				env = &listEnvelope[Invoice]{}
			default:
				env = &dataEnvelope[Invoice]{}
			}
			require.NoError(t, decodeBody(raw, env))
			require.NoError(t, env.checkShape(raw))
		})
	}
}

// The seeds are compared whole with values written out by hand, so that a
// field decoded wrongly, or one decoded that the payload does not have,
// fails.
func TestDecodeSeedCreateResponse(t *testing.T) {
	t.Parallel()
	env := decodeFixture[batchEnvelope[Invoice]](t, "seed_create_response.json")
	require.Empty(t, env.Errors)
	require.Len(t, env.Data, 1)
	assert.Equal(t, seedOlderInvoice(), inUTC(env.Data[0]))
	assertDecimal(t, "123", env.Data[0].Balance(), "Balance")
}

func TestDecodeSeedListResponse(t *testing.T) {
	t.Parallel()
	env := decodeFixture[listEnvelope[Invoice]](t, "seed_list_response.json")
	page := env.page()
	require.Len(t, page.Data, 1)
	assert.Equal(t, seedOlderInvoice(), inUTC(page.Data[0]))
	assert.Equal(t, "<string>", page.NextPageToken)
	assert.Equal(t, "<string>", page.PreviousPageToken)
	assert.True(t, page.HasNext())
	assert.True(t, page.HasPrevious())
}

// The payment seed has the back reference as the string "<unknown>".
func TestDecodeSeedPaymentResponse(t *testing.T) {
	t.Parallel()
	env := decodeFixture[dataEnvelope[Invoice]](t, "seed_payment_response.json")
	assert.Equal(t, seedPaymentInvoice(), inUTC(env.Data))
}

// The update seed shows the newer model: metadata, lines with amount, tags,
// the credit fields on payments, and no source or status.
func TestDecodeSeedUpdateResponse(t *testing.T) {
	t.Parallel()
	env := decodeFixture[dataEnvelope[Invoice]](t, "seed_update_response.json")
	assert.Equal(t, seedUpdateInvoice(), inUTC(env.Data))
	assert.Equal(t, "NYC", env.Data.Tags["Location"].String())
}

// The request seeds decode into the request types too (a fake server reads
// them); fields the SDK does not send, like business_id, are ignored.
func TestDecodeSeedRequests(t *testing.T) {
	t.Parallel()
	creates := decodeFixture[[]InvoiceCreate](t, "seed_create_request.json")
	require.Len(t, creates, 1)
	c := creates[0]
	assert.Equal(t, "<string>", c.Number)
	assert.True(t, c.DueAt.Equal(time.Date(2023, 11, 7, 5, 31, 56, 0, time.UTC)))
	assertDecimal(t, "1", c.CreditAmount, "credit_amount")
	require.Len(t, c.Lines, 1)
	assertDecimal(t, "123", c.Lines[0].UnitPrice, "unit_price")
	assertDecimal(t, "123", c.Lines[0].TaxRate, "tax_rate")
	assert.True(t, c.Lines[0].IsPrepayment)

	pay := decodeFixture[InvoicePaymentCreate](t, "seed_payment_request.json")
	assert.Equal(t, "<string>", pay.InvoiceID)
	assert.Equal(t, "<string>", pay.TransactionID)
	assertDecimal(t, "1", pay.PaymentAmount, "payment_amount")

	upd := decodeFixture[InvoiceUpdate](t, "seed_update_request.json")
	assert.Equal(t, InvoiceStatusOpen, upd.Status)
	require.NotNil(t, upd.LineChanges)
	require.Len(t, upd.LineChanges.CreateLines, 1)
	assertDecimal(t, "520.56", upd.LineChanges.CreateLines[0].Amount, "amount")
	assert.Equal(t, []string{"<string>"}, upd.LineChanges.DeleteLines)
	require.Contains(t, upd.Tags, "Location")
	require.NotNil(t, upd.Tags["Location"])
	assert.Equal(t, "NYC", *upd.Tags["Location"])
}

func TestDecodeTagShapes(t *testing.T) {
	t.Parallel()
	inv := decodeFixture[dataEnvelope[Invoice]](t, "tags_allocations_response.json").Data
	assertDecimal(t, "4500.00", inv.TotalAmount, "total_amount")
	require.Len(t, inv.Tags, 4)

	job := inv.Tags["Job"]
	assert.Empty(t, job.Value)
	assert.Nil(t, job.Raw)
	require.Len(t, job.Allocations, 2)
	assert.Equal(t, "Roof", job.Allocations[0].Value)
	assertDecimal(t, "3000.00", job.Allocations[0].Amount, "Job[0].amount")
	assert.Equal(t, "Gutters", job.Allocations[1].Value)
	assertDecimal(t, "1500.00", job.Allocations[1].Amount, "Job[1].amount")
	assert.Equal(t, "Roof,Gutters", job.String())

	assert.Equal(t, TagValue{Value: "NYC"}, inv.Tags["Location"])
	assert.Equal(t, TagValue{}, inv.Tags["Cleared"])
	assert.JSONEq(t, `{"unexpected": true}`, string(inv.Tags["Odd"].Raw))

	// Each shape is written back as it came, so a decoded invoice can be
	// stored and read again unchanged.
	out, err := json.Marshal(inv.Tags)
	require.NoError(t, err)
	assert.JSONEq(t, `{
		"Job": [{"amount": 3000.00, "value": "Roof"}, {"amount": 1500.00, "value": "Gutters"}],
		"Location": "NYC",
		"Cleared": "",
		"Odd": {"unexpected": true}
	}`, string(out))
	assert.Contains(t, string(out), `"amount":3000.00`)
}

func TestTagValueUnmarshal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want TagValue
	}{
		{"string", `"NYC"`, TagValue{Value: "NYC"}},
		{"empty string", `""`, TagValue{}},
		{"null", `null`, TagValue{}},
		{"allocations", `[{"amount":"1.50","value":"a"}]`, TagValue{Allocations: []TagAllocation{{Amount: MustDecimal("1.50"), Value: "a"}}}},
		{"empty list", `[]`, TagValue{Allocations: []TagAllocation{}}},
		{"list of strings", `["a","b"]`, TagValue{Raw: json.RawMessage(`["a","b"]`)}},
		{"number", `42`, TagValue{Raw: json.RawMessage(`42`)}},
		{"object", `{"k":"v"}`, TagValue{Raw: json.RawMessage(`{"k":"v"}`)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Start dirty: decoding must not keep parts of an earlier value.
			v := TagValue{Value: "stale", Raw: json.RawMessage(`1`)}
			require.NoError(t, json.Unmarshal([]byte(tt.in), &v))
			assert.Equal(t, tt.want, v)
		})
	}
}

func TestDecodeUnknownEnums(t *testing.T) {
	t.Parallel()
	inv := decodeFixture[dataEnvelope[Invoice]](t, "unknown_enum_response.json").Data
	assert.Equal(t, InvoiceStatus("disputed"), inv.Status)
	assert.False(t, inv.Status.IsKnown())
	assert.Equal(t, InvoiceSource("quickbooks"), inv.Source)
	assert.False(t, inv.Source.IsKnown())
	assertDecimal(t, "10.00", inv.TotalAmount, "total_amount")
}

func TestEnumIsKnown(t *testing.T) {
	t.Parallel()
	for _, s := range []InvoiceStatus{InvoiceStatusOpen, InvoiceStatusPaid, InvoiceStatusUncollectible,
		InvoiceStatusVoided, InvoiceStatusRefunded, InvoiceStatusPartiallyRefunded} {
		assert.True(t, s.IsKnown(), s)
	}
	for _, s := range []InvoiceStatus{"", "Open", "disputed", "partially-refunded"} {
		assert.False(t, s.IsKnown(), s)
	}
	assert.True(t, InvoiceSourceManual.IsKnown())
	assert.True(t, InvoiceSourceStripe.IsKnown())
	assert.False(t, InvoiceSource("Stripe").IsKnown())
}

func TestDecodeUnknownFields(t *testing.T) {
	t.Parallel()
	env := decodeFixture[listEnvelope[Invoice]](t, "unknown_fields_response.json")
	page := env.page()
	require.Len(t, page.Data, 1)
	inv := page.Data[0]
	assert.Equal(t, "inv_Extra1", inv.ID)
	assertDecimal(t, "99.99", inv.TotalAmount, "total_amount")
	require.Len(t, inv.Lines, 1)
	assertDecimal(t, "99.99", inv.Lines[0].Amount, "amount")
	require.Len(t, inv.Payments, 1)
	assertDecimal(t, "50", inv.Payments[0].PaymentAmount, "payment_amount")
	assert.Equal(t, "tok_next", page.NextPageToken)
	assert.Empty(t, page.PreviousPageToken)
	assert.False(t, page.HasPrevious())
}

func TestDecodeNulls(t *testing.T) {
	t.Parallel()
	inv := decodeFixture[dataEnvelope[Invoice]](t, "nulls_response.json").Data
	assert.Equal(t, "inv_Nulls1", inv.ID)
	assert.Equal(t, "INV-10", inv.Number)
	for name, d := range map[string]Decimal{"total_amount": inv.TotalAmount, "total_paid": inv.TotalPaid, "credit_amount": inv.CreditAmount} {
		assert.False(t, d.IsSet(), name)
	}
	assert.Empty(t, inv.Description)
	assert.Empty(t, inv.Status)
	assert.Empty(t, inv.Source)
	assert.True(t, inv.DueAt.IsZero())
	assert.True(t, inv.SentAt.IsZero())
	assert.True(t, inv.VoidedAt.IsZero())
	assert.Nil(t, inv.Metadata)
	assert.Nil(t, inv.Tags)

	require.Len(t, inv.Lines, 1)
	l := inv.Lines[0]
	assert.Equal(t, "inv_line_Nulls1", l.ID)
	for _, d := range []Decimal{l.UnitPrice, l.Quantity, l.DiscountAmount, l.DiscountRate, l.TaxAmount, l.TaxRate, l.Amount} {
		assert.False(t, d.IsSet())
	}
	assert.False(t, l.IsPrepayment)
	assert.Nil(t, l.Metadata)

	require.Len(t, inv.Payments, 1)
	p := inv.Payments[0]
	assert.Equal(t, "inp_Nulls1", p.ID)
	assert.False(t, p.PaymentAmount.IsSet())
	assert.True(t, p.Datetime.IsZero())
	assert.Empty(t, p.CreditMemoID)
	assert.False(t, p.IsWriteOff)

	inv = decodeFixture[dataEnvelope[Invoice]](t, "null_lists_response.json").Data
	assert.Nil(t, inv.Lines)
	assert.Nil(t, inv.Payments)

	env := decodeFixture[listEnvelope[Invoice]](t, "last_page_response.json")
	page := env.page()
	assert.Empty(t, page.Data)
	assert.False(t, page.HasNext())
	assert.False(t, page.HasPrevious())
}

func TestDecodeNaiveDatetimes(t *testing.T) {
	t.Parallel()
	inv := decodeFixture[dataEnvelope[Invoice]](t, "naive_datetimes_response.json").Data
	// A time without a zone is read as UTC, pydantic's convention.
	tests := []struct {
		name string
		got  time.Time
		want time.Time
	}{
		{"due_at", inv.DueAt, time.Date(2023, 11, 7, 5, 31, 56, 0, time.UTC)},
		{"sent_at", inv.SentAt, time.Date(2023, 11, 7, 5, 31, 56, 123456000, time.UTC)},
		{"voided_at", inv.VoidedAt, time.Date(2023, 11, 7, 0, 0, 0, 0, time.UTC)},
		{"payments[0].datetime", inv.Payments[0].Datetime, time.Date(2021, 1, 1, 0, 0, 0, 500000000, time.UTC)},
		{"payments[1].datetime", inv.Payments[1].Datetime, time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		assert.True(t, tt.want.Equal(tt.got), "%s: want %v, got %v", tt.name, tt.want, tt.got)
	}
}

func TestDecodeBadTimes(t *testing.T) {
	t.Parallel()
	for _, in := range []string{`"yesterday"`, `"2023-13-01T00:00:00Z"`, `1699334716`, `"07/11/2023"`} {
		var inv Invoice
		err := json.Unmarshal([]byte(`{"id":"inv_1","due_at":`+in+`}`), &inv)
		assert.Error(t, err, in)
	}
	var inv Invoice
	require.NoError(t, json.Unmarshal([]byte(`{"id":"inv_1","due_at":""}`), &inv))
	assert.True(t, inv.DueAt.IsZero(), "an empty string is no time")
}

func TestDecodeStringAmounts(t *testing.T) {
	t.Parallel()
	inv := decodeFixture[dataEnvelope[Invoice]](t, "string_amounts_response.json").Data
	assertDecimal(t, "520.56", inv.TotalAmount, "total_amount")
	assertDecimal(t, "0.00", inv.TotalPaid, "total_paid")
	assertDecimal(t, "12345678901234567890.12", inv.CreditAmount, "credit_amount")
	require.Len(t, inv.Lines, 1)
	assertDecimal(t, "173.52", inv.Lines[0].UnitPrice, "unit_price")
	assertDecimal(t, "3", inv.Lines[0].Quantity, "quantity")
	assertDecimal(t, "520.56", inv.Lines[0].Amount, "amount")
	assert.NotNil(t, inv.Payments)
	assert.Empty(t, inv.Payments)
}

func TestDecodeMetadataVersions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want map[string]any
	}{
		{"newer", `{"metadata":{"a":"new"}}`, map[string]any{"a": "new"}},
		{"older", `{"metadata_":{"a":"old"}}`, map[string]any{"a": "old"}},
		{"both, newer wins", `{"metadata_":{"a":"old"},"metadata":{"a":"new"}}`, map[string]any{"a": "new"}},
		{"newer null, older kept", `{"metadata":null,"metadata_":{"a":"old"}}`, map[string]any{"a": "old"}},
		{"neither", `{}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var inv Invoice
			require.NoError(t, json.Unmarshal([]byte(tt.in), &inv))
			assert.Equal(t, tt.want, inv.Metadata)
			var line InvoiceLine
			require.NoError(t, json.Unmarshal([]byte(tt.in), &line))
			assert.Equal(t, tt.want, line.Metadata)
		})
	}
}

func TestDecodePaymentBackReference(t *testing.T) {
	t.Parallel()
	// The back reference carries nothing the SDK keeps, whatever its shape.
	for _, ref := range []string{`{}`, `"<unknown>"`, `null`, `{"id":"inv_1","number":"A"}`, `[]`} {
		var p InvoicePayment
		err := json.Unmarshal([]byte(`{"id":"inp_1","payment_amount":5.25,"invoice":`+ref+`}`), &p)
		require.NoError(t, err, ref)
		assert.Equal(t, "inp_1", p.ID)
		assertDecimal(t, "5.25", p.PaymentAmount, "payment_amount")
	}
}

func TestDecodeRefusesBadMoney(t *testing.T) {
	t.Parallel()
	// A money field that is not a number must fail loudly, not become zero.
	for _, body := range []string{
		`{"total_amount":"abc"}`,
		`{"total_amount":true}`,
		`{"total_amount":{}}`,
		`{"lines":[{"unit_price":"NaN"}]}`,
		`{"payments":[{"payment_amount":"1e999"}]}`,
	} {
		var inv Invoice
		assert.Error(t, json.Unmarshal([]byte(body), &inv), body)
	}
}

func TestInvoiceJSONRoundTrip(t *testing.T) {
	t.Parallel()
	// What the SDK decodes it can store as JSON and decode again without
	// losing a field or a digit, so that callers can cache invoices.
	for _, name := range []string{"seed_update_response.json", "seed_payment_response.json", "tags_allocations_response.json", "string_amounts_response.json", "naive_datetimes_response.json"} {
		t.Run(name, func(t *testing.T) {
			inv := decodeFixture[dataEnvelope[Invoice]](t, name).Data
			out, err := json.Marshal(inv)
			require.NoError(t, err)
			assert.NotContains(t, string(out), "metadata_")
			var again Invoice
			require.NoError(t, json.Unmarshal(out, &again))
			assertSameMoney(t, invoiceMoney(inv), invoiceMoney(again))
			assert.Equal(t, inv.Tags["Location"], again.Tags["Location"])
			assert.True(t, inv.DueAt.Equal(again.DueAt))
			assert.Len(t, again.Lines, len(inv.Lines))
			assert.Len(t, again.Payments, len(inv.Payments))
			out2, err := json.Marshal(again)
			require.NoError(t, err)
			assert.Equal(t, string(out), string(out2), "a second round trip must change nothing")
		})
	}
}

// invoiceMoney lists every money field of inv by its JSON path.
func invoiceMoney(inv Invoice) map[string]Decimal {
	m := map[string]Decimal{
		"total_amount":  inv.TotalAmount,
		"total_paid":    inv.TotalPaid,
		"credit_amount": inv.CreditAmount,
	}
	for i, l := range inv.Lines {
		p := fmt.Sprintf("lines[%d].", i)
		m[p+"unit_price"] = l.UnitPrice
		m[p+"quantity"] = l.Quantity
		m[p+"discount_amount"] = l.DiscountAmount
		m[p+"discount_rate"] = l.DiscountRate
		m[p+"tax_amount"] = l.TaxAmount
		m[p+"tax_rate"] = l.TaxRate
		m[p+"amount"] = l.Amount
	}
	for i, p := range inv.Payments {
		m[fmt.Sprintf("payments[%d].payment_amount", i)] = p.PaymentAmount
	}
	for name, tag := range inv.Tags {
		for i, a := range tag.Allocations {
			m[fmt.Sprintf("tags.%s[%d].amount", name, i)] = a.Amount
		}
	}
	return m
}

// assertSameMoney checks that two invoiceMoney results hold the same fields,
// each equally present and equal.
func assertSameMoney(t testing.TB, want, got map[string]Decimal) {
	t.Helper()
	if len(want) != len(got) {
		t.Errorf("money fields: want %d, got %d", len(want), len(got))
	}
	for k, w := range want {
		g, ok := got[k]
		switch {
		case !ok:
			t.Errorf("%s: missing", k)
		case w.IsSet() != g.IsSet() || !w.Equal(g):
			t.Errorf("%s: want %q (set %v), got %q (set %v)", k, w.String(), w.IsSet(), g.String(), g.IsSet())
		}
	}
}
