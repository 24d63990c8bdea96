package katsupay_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/katsupay"
)

// The docs_*.json files are Katsu Pay's Create Invoice documentation,
// copied verbatim: the body and 200 reply templates (values are
// placeholders such as "<uuid>"), and the example request and reply, which
// use other names than the templates.

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	return b
}

func decodeNumbers(t *testing.T, b []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	require.NoError(t, dec.Decode(&v))
	return v
}

// fillPlaceholders puts a value of the announced type in each placeholder.
func fillPlaceholders(b []byte) []byte {
	return []byte(strings.NewReplacer(
		`"<uuid>"`, `"3fa85f64-5717-4562-b3fc-2c963f66afa6"`,
		`"<integer>"`, `3`,
		`"<double>"`, `12.5`,
		`"<boolean>"`, `true`,
		`"<dateTime>"`, `"2024-03-20T00:00:00Z"`,
		`"<string>"`, `"text"`,
	).Replace(string(b)))
}

// sameShape checks that got has exactly the keys of the documented template
// and, where the template holds a placeholder, a value of that type.
func sameShape(t *testing.T, path string, tmpl, got any) {
	t.Helper()
	switch tv := tmpl.(type) {
	case map[string]any:
		gv, ok := got.(map[string]any)
		if !assert.True(t, ok, "%s: want an object, got %T", path, got) {
			return
		}
		for k := range tv {
			if assert.Contains(t, gv, k, "%s: documented field missing", path) {
				sameShape(t, path+"."+k, tv[k], gv[k])
			}
		}
		for k := range gv {
			assert.Contains(t, tv, k, "%s: field not in the docs", path)
		}
	case []any:
		gv, ok := got.([]any)
		if !assert.True(t, ok, "%s: want an array, got %T", path, got) {
			return
		}
		assert.NotEmpty(t, gv, "%s: the golden file should show an element", path)
		for i, g := range gv {
			sameShape(t, path+"[]", tv[i%len(tv)], g)
		}
	case json.Number:
		_, ok := got.(json.Number)
		assert.True(t, ok, "%s: want a number, got %v", path, got)
	case string:
		switch tv {
		case "<uuid>", "<string>":
			_, ok := got.(string)
			assert.True(t, ok, "%s: want a string, got %v", path, got)
		case "<dateTime>":
			s, _ := got.(string)
			_, err := time.Parse(time.RFC3339, s)
			assert.NoError(t, err, "%s: want an RFC 3339 time", path)
		case "<integer>":
			n, ok := got.(json.Number)
			_, err := n.Int64()
			assert.True(t, ok && err == nil, "%s: want an integer, got %v", path, got)
		case "<double>":
			_, ok := got.(json.Number)
			assert.True(t, ok, "%s: want a number, got %v", path, got)
		case "<boolean>":
			_, ok := got.(bool)
			assert.True(t, ok, "%s: want a boolean, got %v", path, got)
		default:
			t.Errorf("%s: unknown placeholder %q", path, tv)
		}
	default:
		t.Errorf("%s: unexpected template value %v", path, tmpl)
	}
}

func TestGoldenRequestHasTheDocumentedShape(t *testing.T) {
	tmpl := decodeNumbers(t, readTestdata(t, "docs_create_request_template.json"))
	golden := decodeNumbers(t, readTestdata(t, "golden_create_request.json"))
	sameShape(t, "body", tmpl, golden)
}

func TestDocsRequestTemplateRoundTrips(t *testing.T) {
	filled := fillPlaceholders(readTestdata(t, "docs_create_request_template.json"))
	var inv katsupay.CreateInvoice
	dec := json.NewDecoder(bytes.NewReader(filled))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&inv), "every documented field must have a Go field")
	assert.Equal(t, katsupay.Currency(2), inv.Currency)
	assert.Equal(t, katsupay.BillingCycle(7), inv.BillingCycle)
	assert.Equal(t, katsupay.DiscountType(1), inv.Discount.DiscountType)
	assert.True(t, inv.RecurringInvoice)
	assert.Equal(t, "12.5", inv.Products[1].UnitPrice.String())

	c := newGockClient(t)
	m := mockCreate()
	req := capture(m)
	m.Reply(200).BodyString(okReply)
	_, err := c.Invoices.Create(context.Background(), inv)
	require.NoError(t, err)
	assert.JSONEq(t, string(filled), string(req.body))
}

func TestDocsReplyTemplateDecodes(t *testing.T) {
	raw := readTestdata(t, "docs_create_reply_template.json")

	c := newGockClient(t)
	mockCreate().Reply(200).BodyString(string(fillPlaceholders(raw)))
	got, err := c.Invoices.Create(context.Background(), validInvoice())
	require.NoError(t, err)
	assert.Equal(t, &katsupay.CreatedInvoice{InvoiceID: "3fa85f64-5717-4562-b3fc-2c963f66afa6", Amount: asset.MustDecimal("12.5")}, got)

	// Unfilled, the template is not a reply: "<double>" is no amount.
	mockCreate().Reply(200).BodyString(string(raw))
	_, err = c.Invoices.Create(context.Background(), validInvoice())
	assert.ErrorIs(t, err, asset.ErrInvalidReply)
}

func TestDocsExampleReplyIsASuccess(t *testing.T) {
	c := newGockClient(t)
	mockCreate().Reply(200).BodyString(string(readTestdata(t, "docs_example_reply.json")))
	got, err := c.Invoices.Create(context.Background(), validInvoice())
	require.NoError(t, err)
	assert.Equal(t, "1234567890", got.InvoiceID)
	assert.Equal(t, "1000.00", got.Amount.String())
}

// The docs' example request contradicts their body template: it is not a
// CreateInvoice (other names, a string currency), but it is echoed by the
// example reply, which is why that reply's shape is accepted too.
func TestDocsExampleRequestIsEchoedByTheExampleReply(t *testing.T) {
	raw := readTestdata(t, "docs_example_request.json")
	var inv katsupay.CreateInvoice
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	assert.Error(t, dec.Decode(&inv))

	req := decodeNumbers(t, raw).(map[string]any)
	resp := decodeNumbers(t, readTestdata(t, "docs_example_reply.json")).(map[string]any)
	for k, v := range req {
		assert.Equal(t, v, resp[k], k)
	}
}
