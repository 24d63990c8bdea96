package asset

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// refusedCase is input that must be refused before anything is sent.
type refusedCase struct {
	name  string
	field string // the InputError's Field
	call  func(ctx context.Context, c *Client) error
}

// runRefused runs each case, in parallel, against a server that answers
// nothing, and checks the error and that no request left.
func runRefused(t *testing.T, tests []refusedCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t)
			var err error
			require.NotPanics(t, func() { err = tt.call(context.Background(), c) })
			require.Error(t, err)
			var in *InputError
			require.True(t, errors.As(err, &in), "want *InputError, got %T: %v", err, err)
			assert.Equal(t, tt.field, in.Field)
			assert.NotEmpty(t, in.Reason)
			assert.ErrorIs(t, err, ErrValidation)
			assert.Contains(t, err.Error(), tt.field)
			assert.Zero(t, srv.Requests(), "nothing may be sent for bad input")
		})
	}
}

func getInvoice(biz, inv string) func(context.Context, *Client) error {
	return func(ctx context.Context, c *Client) error {
		_, err := c.Invoices.Get(ctx, biz, inv)
		return err
	}
}

func TestIDsRefused(t *testing.T) {
	t.Parallel()
	bad := []struct{ name, id string }{
		{"empty", ""},
		{"slash", "inv_1/payments"},
		{"leading slash", "/inv_1"},
		{"backslash", `inv\1`},
		{"dot dot", ".."},
		{"dot dot inside", "inv..1"},
		{"traversal", "../../biz_other/invoice/inv_1"},
		{"question mark", "inv_1?status=paid"},
		{"hash", "inv_1#x"},
		{"percent", "inv%2F1"},
		{"space inside", "inv 1"},
		{"leading space", " inv_1"},
		{"trailing space", "inv_1 "},
		{"tab", "inv\t1"},
		{"no-break space", "inv\u00a01"},
		{"newline", "inv_1\n"},
		{"NUL", "inv\x001"},
		{"too long", "inv_" + strings.Repeat("x", 252)},
	}
	var tests []refusedCase
	for _, b := range bad {
		tests = append(tests,
			refusedCase{"Get businessID " + b.name, "businessID", getInvoice(b.id, testInv)},
			refusedCase{"Get invoiceID " + b.name, "invoiceID", getInvoice(testBiz, b.id)},
		)
	}
	// Every other call checks its ids the same way.
	tests = append(tests,
		refusedCase{"Create businessID", "businessID", func(ctx context.Context, c *Client) error {
			_, err := c.Invoices.Create(ctx, "biz/1", []InvoiceCreate{{Number: "A"}})
			return err
		}},
		refusedCase{"List businessID", "businessID", func(ctx context.Context, c *Client) error {
			_, err := c.Invoices.List(ctx, "", nil)
			return err
		}},
		refusedCase{"Update invoiceID", "invoiceID", func(ctx context.Context, c *Client) error {
			_, err := c.Invoices.Update(ctx, testBiz, "..", InvoiceUpdate{Status: InvoiceStatusPaid})
			return err
		}},
		refusedCase{"WriteOff businessID", "businessID", func(ctx context.Context, c *Client) error {
			_, err := c.Invoices.WriteOff(ctx, "biz 1", testInv, InvoiceWriteOff{})
			return err
		}},
		refusedCase{"WriteOff invoiceID", "invoiceID", func(ctx context.Context, c *Client) error {
			_, err := c.Invoices.WriteOff(ctx, testBiz, "inv?", InvoiceWriteOff{})
			return err
		}},
		refusedCase{"Apply businessID", "businessID", func(ctx context.Context, c *Client) error {
			_, err := c.Payments.Apply(ctx, "", InvoicePaymentCreate{InvoiceID: testInv, PaymentAmount: MustDecimal("1")})
			return err
		}},
	)
	runRefused(t, tests)
}

func TestIDsAccepted(t *testing.T) {
	// The checks must not refuse ids the API does issue or might.
	t.Parallel()
	for _, id := range []string{testInv, "inv_1", "INV-2024-0001", "inv.1", "inv_a+b", "inv_日本", strings.Repeat("x", 255)} {
		t.Run(id[:min(len(id), 20)], func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t)
			srv.Handle("GET "+pathInvoices+"/{invoice_id}", replyFile(t, http.StatusOK, "seed_payment_response.json"))
			_, err := c.Invoices.Get(context.Background(), testBiz, id)
			require.NoError(t, err)
			sent := srv.Sent()
			require.Len(t, sent, 1)
			// The server must see the id exactly as given.
			got, err := url.PathUnescape(strings.TrimPrefix(sent[0].Path, "/v0/business/"+testBiz+"/invoice/"))
			require.NoError(t, err)
			assert.Equal(t, id, got)
		})
	}
}

func listWith(p InvoiceListParams) func(context.Context, *Client) error {
	return func(ctx context.Context, c *Client) error {
		_, err := c.Invoices.List(ctx, testBiz, &p)
		return err
	}
}

func TestListParamsRefused(t *testing.T) {
	t.Parallel()
	runRefused(t, []refusedCase{
		{"page size -1", "params.PageSize", listWith(InvoiceListParams{PageSize: -1})},
		{"page size 101", "params.PageSize", listWith(InvoiceListParams{PageSize: 101})},
		{"unknown status", "params.Status[1]", listWith(InvoiceListParams{Status: []InvoiceStatus{InvoiceStatusOpen, "disputed"}})},
		{"empty status", "params.Status[0]", listWith(InvoiceListParams{Status: []InvoiceStatus{""}})},
		{"due range backwards", "params.DueAtEnd", listWith(InvoiceListParams{
			DueAtStart: mustTime("2024-02-01T00:00:00Z"), DueAtEnd: mustTime("2024-01-01T00:00:00Z"),
		})},
		{"All", "params.PageSize", func(ctx context.Context, c *Client) error {
			for _, err := range c.Invoices.All(ctx, testBiz, &InvoiceListParams{PageSize: 101}) {
				return err
			}
			return errors.New("All yielded nothing")
		}},
		{"Pager", "params.PageSize", func(ctx context.Context, c *Client) error {
			_, err := c.Invoices.Pager(testBiz, &InvoiceListParams{PageSize: -1}).Next(ctx)
			return err
		}},
	})
}

func TestListPageSizeAccepted(t *testing.T) {
	// 0 leaves the size to the server; 1 and 100 are the bounds.
	t.Parallel()
	for _, size := range []int{0, 1, 100} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t)
			srv.Handle("GET "+pathInvoices, replyFile(t, http.StatusOK, "last_page_response.json"))
			_, err := c.Invoices.List(context.Background(), testBiz, &InvoiceListParams{PageSize: size})
			require.NoError(t, err)
			assert.Equal(t, 1, srv.Requests())
		})
	}
}

func create(invs ...InvoiceCreate) func(context.Context, *Client) error {
	return func(ctx context.Context, c *Client) error {
		_, err := c.Invoices.Create(ctx, testBiz, invs)
		return err
	}
}

func TestCreateRefused(t *testing.T) {
	t.Parallel()
	neg := MustDecimal("-0.01")
	many := make([]InvoiceCreate, maxBatch+1)
	for i := range many {
		many[i].Number = fmt.Sprint("N-", i)
	}
	tests := []refusedCase{
		{"no invoices", "invoices", create()},
		{"empty slice", "invoices", func(ctx context.Context, c *Client) error {
			_, err := c.Invoices.Create(ctx, testBiz, []InvoiceCreate{})
			return err
		}},
		{"101 invoices", "invoices", create(many...)},
		{"missing number", "invoices[1].number", create(InvoiceCreate{Number: "A"}, InvoiceCreate{Description: "no number"})},
		{"duplicate number", "invoices[2].number", create(InvoiceCreate{Number: "A"}, InvoiceCreate{Number: "B"}, InvoiceCreate{Number: "A"})},
		{"number too long", "invoices[0].number", create(InvoiceCreate{Number: strings.Repeat("9", 256)})},
		{"description too long", "invoices[0].description", create(InvoiceCreate{Number: "A", Description: strings.Repeat("d", 513)})},
		{"negative credit_amount", "invoices[0].credit_amount", create(InvoiceCreate{Number: "A", CreditAmount: neg})},
		{"line description too long", "invoices[0].lines[0].description", create(InvoiceCreate{Number: "A",
			Lines: []InvoiceLineCreate{{Description: strings.Repeat("d", 513)}}})},
	}
	// Each money field of a line, in the second line of the second invoice,
	// so that the reported position is checked too.
	for _, f := range []struct {
		name string
		set  func(*InvoiceLineCreate)
	}{
		{"unit_price", func(l *InvoiceLineCreate) { l.UnitPrice = neg }},
		{"quantity", func(l *InvoiceLineCreate) { l.Quantity = neg }},
		{"discount_amount", func(l *InvoiceLineCreate) { l.DiscountAmount = neg }},
		{"discount_rate", func(l *InvoiceLineCreate) { l.DiscountRate = neg }},
		{"tax_amount", func(l *InvoiceLineCreate) { l.TaxAmount = neg }},
		{"tax_rate", func(l *InvoiceLineCreate) { l.TaxRate = neg }},
		{"amount", func(l *InvoiceLineCreate) { l.Amount = neg }},
	} {
		bad := InvoiceLineCreate{Amount: MustDecimal("1")}
		f.set(&bad)
		tests = append(tests, refusedCase{"negative " + f.name, "invoices[1].lines[1]." + f.name,
			create(InvoiceCreate{Number: "A"}, InvoiceCreate{Number: "B", Lines: []InvoiceLineCreate{{Amount: MustDecimal("1")}, bad}})})
	}
	runRefused(t, tests)
}

func TestCreateZeroAmountsAccepted(t *testing.T) {
	// A present zero is a valid amount (a free line, no credit), unlike a
	// negative one.
	t.Parallel()
	c, srv := setup(t)
	zero := DecimalFromInt(0)
	srv.Handle("POST "+pathInvoices, replyValue(t, http.StatusCreated,
		map[string]any{"data": []map[string]any{{"id": "inv_z", "number": "Z"}}}))
	_, err := c.Invoices.Create(context.Background(), testBiz, []InvoiceCreate{{
		Number: "Z", CreditAmount: zero,
		Lines: []InvoiceLineCreate{{UnitPrice: zero, Quantity: zero, DiscountAmount: zero, DiscountRate: zero, TaxAmount: zero, TaxRate: zero, Amount: zero}},
	}})
	require.NoError(t, err)
	assert.Equal(t, 1, srv.Requests())
}

func update(u InvoiceUpdate) func(context.Context, *Client) error {
	return func(ctx context.Context, c *Client) error {
		_, err := c.Invoices.Update(ctx, testBiz, testInv, u)
		return err
	}
}

func TestUpdateRefused(t *testing.T) {
	t.Parallel()
	runRefused(t, []refusedCase{
		{"unknown status", "update.Status", update(InvoiceUpdate{Status: "disputed"})},
		{"status in the wrong case", "update.Status", update(InvoiceUpdate{Status: "Voided"})},
		{"changes nothing", "update", update(InvoiceUpdate{})},
		{"empty line changes change nothing", "update", update(InvoiceUpdate{LineChanges: &InvoiceLineChanges{}})},
		{"empty tags map", "update", update(InvoiceUpdate{Tags: map[string]*string{}})},
		{"empty tag name", "update.Tags", update(InvoiceUpdate{Tags: map[string]*string{"": TagSet("x")}})},
		{"new line without an amount", "update.LineChanges.CreateLines[1].amount", update(InvoiceUpdate{
			LineChanges: &InvoiceLineChanges{CreateLines: []InvoiceLineUpdate{{Amount: MustDecimal("1")}, {Description: "fee", LedgerID: "ldg_1"}}}})},
		{"negative line amount", "update.LineChanges.CreateLines[0].amount", update(InvoiceUpdate{
			LineChanges: &InvoiceLineChanges{CreateLines: []InvoiceLineUpdate{{Amount: MustDecimal("-520.56")}}}})},
		{"bad line id to delete", "update.LineChanges.DeleteLines[1]", update(InvoiceUpdate{
			LineChanges: &InvoiceLineChanges{DeleteLines: []string{"inv_line_1", "../inv_line_2"}}})},
	})
}

func TestWriteOffRefused(t *testing.T) {
	t.Parallel()
	writeOff := func(amount string) func(context.Context, *Client) error {
		return func(ctx context.Context, c *Client) error {
			_, err := c.Invoices.WriteOff(ctx, testBiz, testInv, InvoiceWriteOff{Amount: MustDecimal(amount)})
			return err
		}
	}
	runRefused(t, []refusedCase{
		{"negative amount", "writeOff.Amount", writeOff("-1")},
		{"zero amount", "writeOff.Amount", writeOff("0.00")},
	})
}

func apply(p InvoicePaymentCreate) func(context.Context, *Client) error {
	return func(ctx context.Context, c *Client) error {
		_, err := c.Payments.Apply(ctx, testBiz, p)
		return err
	}
}

func TestApplyRefused(t *testing.T) {
	t.Parallel()
	runRefused(t, []refusedCase{
		{"no invoice id", "payment.InvoiceID", apply(InvoicePaymentCreate{TransactionID: "txn_1", PaymentAmount: MustDecimal("1")})},
		{"bad invoice id", "payment.InvoiceID", apply(InvoicePaymentCreate{InvoiceID: "inv/1", TransactionID: "txn_1"})},
		{"bad transaction id", "payment.TransactionID", apply(InvoicePaymentCreate{InvoiceID: testInv, TransactionID: "txn 1"})},
		{"neither transaction nor amount", "payment.PaymentAmount", apply(InvoicePaymentCreate{InvoiceID: testInv})},
		{"zero amount from credit", "payment.PaymentAmount", apply(InvoicePaymentCreate{InvoiceID: testInv, PaymentAmount: DecimalFromInt(0)})},
		{"zero amount with transaction", "payment.PaymentAmount", apply(InvoicePaymentCreate{InvoiceID: testInv, TransactionID: "txn_1", PaymentAmount: MustDecimal("0.00")})},
		{"negative amount", "payment.PaymentAmount", apply(InvoicePaymentCreate{InvoiceID: testInv, TransactionID: "txn_1", PaymentAmount: MustDecimal("-10.50")})},
	})
}

func TestNilContext(t *testing.T) {
	// A nil context is a programming error, reported as one instead of a
	// panic deep inside net/http.
	// Every call's one request is checked by TestEndpointNilContext; here,
	// the walks and the pager.
	var nilCtx context.Context
	runRefused(t, []refusedCase{
		{"All", "ctx", func(_ context.Context, c *Client) error {
			for _, err := range c.Invoices.All(nilCtx, testBiz, nil) {
				return err
			}
			return errors.New("All yielded nothing")
		}},
		{"Pager.Next", "ctx", func(_ context.Context, c *Client) error {
			_, err := c.Invoices.Pager(testBiz, nil).Next(nilCtx)
			return err
		}},
		{"Pager.Previous", "ctx", func(_ context.Context, c *Client) error {
			_, err := c.Invoices.Pager(testBiz, nil).Previous(nilCtx)
			return err
		}},
	})
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}
