package asset_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
)

// The end-to-end tests run every call of the SDK against assettest, over
// real HTTP, and check both what the SDK returns and the state the server
// holds afterwards.

const e2eBiz = "biz_e2e"

// e2eNow is the server's clock in these tests, so that timestamps can be
// compared exactly.
var e2eNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func e2eServer(t *testing.T, opts ...assettest.Option) (*assettest.Server, *asset.Client) {
	t.Helper()
	srv := assettest.NewServer(append([]assettest.Option{assettest.WithClock(func() time.Time { return e2eNow })}, opts...)...)
	t.Cleanup(srv.Close)
	return srv, srv.Client()
}

func e2eAmount(s string) []asset.InvoiceLineCreate {
	return []asset.InvoiceLineCreate{{Amount: asset.MustDecimal(s)}}
}

func e2eNumbers(invs []asset.Invoice) []string {
	out := []string{}
	for _, inv := range invs {
		out = append(out, inv.Number)
	}
	return out
}

// e2eSeed creates invoices N-1 to N-n, of 10.00 each, due on consecutive
// days from e2eNow.
func e2eSeed(t *testing.T, c *asset.Client, n int) []asset.Invoice {
	t.Helper()
	var batch []asset.InvoiceCreate
	for i := 1; i <= n; i++ {
		batch = append(batch, asset.InvoiceCreate{Number: fmt.Sprintf("N-%d", i), DueAt: e2eNow.AddDate(0, 0, i), Lines: e2eAmount("10.00")})
	}
	invs, err := c.Invoices.Create(context.Background(), e2eBiz, batch)
	require.NoError(t, err)
	require.Len(t, invs, n)
	return invs
}

func TestE2ECreateComputesTotals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		lines []asset.InvoiceLineCreate
		total string
		line0 string
	}{
		{"an amount", e2eAmount("120.50"), "120.50", "120.50"},
		{"price times quantity", []asset.InvoiceLineCreate{{UnitPrice: asset.MustDecimal("19.99"), Quantity: asset.MustDecimal("3")}}, "59.97", "59.97"},
		{"with discount and tax", []asset.InvoiceLineCreate{{
			UnitPrice: asset.MustDecimal("95.50"), Quantity: asset.MustDecimal("4"),
			DiscountAmount: asset.MustDecimal("32.00"), TaxAmount: asset.MustDecimal("27.84"),
		}}, "377.84", "377.84"},
		{"the amount wins over the price", []asset.InvoiceLineCreate{{UnitPrice: asset.MustDecimal("5"), Quantity: asset.MustDecimal("5"), Amount: asset.MustDecimal("20")}}, "20", "20"},
		{"no float rounding", []asset.InvoiceLineCreate{{Amount: asset.MustDecimal("0.1")}, {Amount: asset.MustDecimal("0.2")}}, "0.3", "0.1"},
		{"more digits than a float64 holds", e2eAmount("12345678901234567.89"), "12345678901234567.89", "12345678901234567.89"},
		{"no lines", nil, "0", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, c := e2eServer(t)
			invs, err := c.Invoices.Create(ctx, e2eBiz, []asset.InvoiceCreate{{Number: "T-1", Lines: tc.lines}})
			require.NoError(t, err)
			require.Len(t, invs, 1)
			inv := invs[0]
			assert.Equal(t, tc.total, inv.TotalAmount.String())
			assert.Equal(t, tc.total, inv.Balance().String())
			assert.Equal(t, "0", inv.TotalPaid.String())
			assert.Equal(t, asset.InvoiceStatusOpen, inv.Status)
			assert.Equal(t, asset.InvoiceSourceManual, inv.Source)
			assert.Equal(t, e2eBiz, inv.BusinessID)
			assert.True(t, strings.HasPrefix(inv.ID, "inv_"), inv.ID)
			if tc.line0 != "" {
				assert.Equal(t, tc.line0, inv.Lines[0].Amount.String())
				assert.True(t, strings.HasPrefix(inv.Lines[0].ID, "inv_line_"), inv.Lines[0].ID)
			}
			stored, ok := srv.Invoice(e2eBiz, inv.ID)
			require.True(t, ok)
			assert.Equal(t, stored, inv, "the SDK decodes what the server holds")
		})
	}
}

func TestE2ECreateKeepsFields(t *testing.T) {
	t.Parallel()
	_, c := e2eServer(t, assettest.WithTagFields("Location"))
	due, sent := e2eNow.AddDate(0, 1, 0), e2eNow.Add(-time.Hour)
	invs, err := c.Invoices.Create(context.Background(), e2eBiz, []asset.InvoiceCreate{{
		Number: "F-1", Description: "Roof repair", CustomerID: "cus_42", DueAt: due, SentAt: sent,
		CreditAmount: asset.DecimalFromInt(0),
		Lines: []asset.InvoiceLineCreate{{
			Description: "Labour", LedgerID: "led_1", Amount: asset.MustDecimal("300.00"),
			TaxRate: asset.MustDecimal("0.0825"), IsPrepayment: true, Metadata: map[string]any{"crew": "B"},
		}},
		Metadata: map[string]any{"order": "A1", "n": 3.0},
		Tags:     map[string]string{"Location": "NYC"},
	}})
	require.NoError(t, err)
	inv := invs[0]
	assert.Equal(t, "Roof repair", inv.Description)
	assert.Equal(t, "cus_42", inv.CustomerID)
	assert.True(t, due.Equal(inv.DueAt), inv.DueAt)
	assert.True(t, sent.Equal(inv.SentAt), inv.SentAt)
	assert.True(t, inv.CreditAmount.IsSet(), "a present zero comes back present")
	assert.Equal(t, "0", inv.CreditAmount.String())
	assert.Equal(t, map[string]any{"order": "A1", "n": 3.0}, inv.Metadata)
	assert.Equal(t, "NYC", inv.Tags["Location"].String())
	l := inv.Lines[0]
	assert.Equal(t, []string{"Labour", "led_1", "0.0825", inv.ID}, []string{l.Description, l.LedgerID, l.TaxRate.String(), l.InvoiceID})
	assert.True(t, l.IsPrepayment)
	assert.Equal(t, map[string]any{"crew": "B"}, l.Metadata)
}

func TestE2ECreatePartialBatch(t *testing.T) {
	t.Parallel()
	srv, c := e2eServer(t)
	ctx := context.Background()
	e2eSeed(t, c, 2)

	// N-2 exists: the server refuses it and creates the others.
	created, err := c.Invoices.Create(ctx, e2eBiz, []asset.InvoiceCreate{
		{Number: "N-3", Lines: e2eAmount("1")},
		{Number: "N-2", Lines: e2eAmount("2")},
		{Number: "N-4", Lines: e2eAmount("3")},
	})
	var batchErr *asset.BatchError
	require.ErrorAs(t, err, &batchErr)
	assert.NotErrorIs(t, err, asset.ErrOutcomeUnknown)
	assert.Equal(t, []asset.BatchFailure{{Number: "N-2", Index: 1, Message: `An invoice with number "N-2" already exists`}}, batchErr.Failures)
	assert.Equal(t, []string{"N-2"}, batchErr.Numbers())
	assert.Equal(t, []string{"N-3", "N-4"}, e2eNumbers(created), "what was created is returned with the error")
	assert.Equal(t, "1", created[0].TotalAmount.String())
	assert.Equal(t, []string{"N-1", "N-2", "N-3", "N-4"}, e2eNumbers(srv.Invoices(e2eBiz)))
	n2 := srv.Invoices(e2eBiz)[1]
	assert.Equal(t, "10.00", n2.TotalAmount.String(), "the refused invoice did not overwrite the existing one")

	// A batch in which every invoice is refused.
	created, err = c.Invoices.Create(ctx, e2eBiz, []asset.InvoiceCreate{{Number: "N-1"}, {Number: "N-3"}})
	require.ErrorAs(t, err, &batchErr)
	assert.Empty(t, created)
	assert.Equal(t, []string{"N-1", "N-3"}, batchErr.Numbers())
	assert.Len(t, srv.Invoices(e2eBiz), 4)
}

func TestE2ECreateRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	many := make([]asset.InvoiceCreate, 101)
	for i := range many {
		many[i].Number = fmt.Sprint(i)
	}
	for _, tc := range []struct {
		name     string
		biz      string
		invoices []asset.InvoiceCreate
		sent     bool // the server, not the SDK, refuses it
		contains string
	}{
		{"no invoices", e2eBiz, nil, false, "invoices"},
		{"over 100", e2eBiz, many, false, "at most 100"},
		{"a duplicate number in the batch", e2eBiz, []asset.InvoiceCreate{{Number: "D"}, {Number: "D"}}, false, "invoices[1].number"},
		{"no number", e2eBiz, []asset.InvoiceCreate{{}}, false, "invoices[0].number"},
		{"a negative amount", e2eBiz, []asset.InvoiceCreate{{Number: "D", Lines: e2eAmount("-1")}}, false, "invoices[0].lines[0].amount"},
		{"no business", "", []asset.InvoiceCreate{{Number: "D"}}, false, "businessID"},
		{"a business id with a slash", "biz_a/b", []asset.InvoiceCreate{{Number: "D"}}, false, "businessID"},
		{"a line priced by neither amount nor price", e2eBiz, []asset.InvoiceCreate{{Number: "D", Lines: []asset.InvoiceLineCreate{{Description: "?"}}}}, true, "body.0.lines.0"},
		{"not a business id", "acme", []asset.InvoiceCreate{{Number: "D"}}, true, "422"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, c := e2eServer(t)
			created, err := c.Invoices.Create(ctx, tc.biz, tc.invoices)
			require.ErrorIs(t, err, asset.ErrValidation)
			assert.Nil(t, created)
			assert.Contains(t, err.Error(), tc.contains)
			var inputErr *asset.InputError
			var apiErr *asset.APIError
			if tc.sent {
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, http.StatusUnprocessableEntity, apiErr.StatusCode)
				assert.NotEmpty(t, apiErr.Details)
				assert.Equal(t, 1, srv.Requests(assettest.RouteCreateInvoices))
			} else {
				require.ErrorAs(t, err, &inputErr)
				assert.Equal(t, 0, srv.Requests(assettest.RouteCreateInvoices), "nothing sent")
			}
			assert.Empty(t, srv.Invoices(tc.biz))
		})
	}
}

func TestE2EGet(t *testing.T) {
	t.Parallel()
	srv, c := e2eServer(t)
	ctx := context.Background()
	invs := e2eSeed(t, c, 2)

	got, err := c.Invoices.Get(ctx, e2eBiz, invs[1].ID)
	require.NoError(t, err)
	assert.Equal(t, invs[1], *got)

	for _, tc := range []struct {
		name, biz, id string
		want          error
	}{
		{"unknown id", e2eBiz, "inv_unknownunknownunknow", asset.ErrNotFound},
		{"another business's invoice", "biz_other", invs[0].ID, asset.ErrNotFound},
		{"not an invoice id", e2eBiz, "txn_1", asset.ErrValidation},
		{"empty id, not sent", e2eBiz, "", asset.ErrValidation},
		{"a path in the id, not sent", e2eBiz, "../invoice", asset.ErrValidation},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.Invoices.Get(ctx, tc.biz, tc.id)
			assert.ErrorIs(t, err, tc.want)
			assert.Nil(t, got)
		})
	}
	assert.Equal(t, 4, srv.Requests(assettest.RouteGetInvoice), "the last two are refused before sending")
}

func TestE2EListFilters(t *testing.T) {
	t.Parallel()
	_, c := e2eServer(t)
	ctx := context.Background()
	invs := e2eSeed(t, c, 6) // due on days 1 to 6
	_, err := c.Invoices.Create(ctx, e2eBiz, []asset.InvoiceCreate{{Number: "N-undated", Lines: e2eAmount("1")}})
	require.NoError(t, err)
	_, err = c.Invoices.Update(ctx, e2eBiz, invs[1].ID, asset.InvoiceUpdate{Status: asset.InvoiceStatusVoided})
	require.NoError(t, err)
	_, err = c.Invoices.WriteOff(ctx, e2eBiz, invs[3].ID, asset.InvoiceWriteOff{})
	require.NoError(t, err)
	day := func(n int) time.Time { return e2eNow.AddDate(0, 0, n) }

	for _, tc := range []struct {
		name   string
		params *asset.InvoiceListParams
		want   []string
		next   bool
	}{
		{"none", nil, []string{"N-1", "N-2", "N-3", "N-4", "N-5", "N-6", "N-undated"}, false},
		{"one status", &asset.InvoiceListParams{Status: []asset.InvoiceStatus{asset.InvoiceStatusOpen}}, []string{"N-1", "N-3", "N-5", "N-6", "N-undated"}, false},
		{"two statuses", &asset.InvoiceListParams{Status: []asset.InvoiceStatus{asset.InvoiceStatusPaid, asset.InvoiceStatusVoided}}, []string{"N-2", "N-4"}, false},
		{"a status none has", &asset.InvoiceListParams{Status: []asset.InvoiceStatus{asset.InvoiceStatusRefunded}}, []string{}, false},
		{"due from, inclusive", &asset.InvoiceListParams{DueAtStart: day(5)}, []string{"N-5", "N-6"}, false},
		{"due until, inclusive", &asset.InvoiceListParams{DueAtEnd: day(2)}, []string{"N-1", "N-2"}, false},
		{"due range and status", &asset.InvoiceListParams{DueAtStart: day(2), DueAtEnd: day(5), Status: []asset.InvoiceStatus{asset.InvoiceStatusOpen}}, []string{"N-3", "N-5"}, false},
		{"due range in other zones", &asset.InvoiceListParams{DueAtStart: day(3).In(time.FixedZone("EST", -5*3600)), DueAtEnd: day(3).In(time.FixedZone("CET", 3600))}, []string{"N-3"}, false},
		{"a page size", &asset.InvoiceListParams{PageSize: 3}, []string{"N-1", "N-2", "N-3"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			page, err := c.Invoices.List(ctx, e2eBiz, tc.params)
			require.NoError(t, err)
			assert.Equal(t, tc.want, e2eNumbers(page.Data))
			assert.Equal(t, tc.next, page.HasNext())
			assert.False(t, page.HasPrevious())
		})
	}

	for _, tc := range []struct {
		name   string
		params *asset.InvoiceListParams
		sent   bool
	}{
		{"page size 0 is the default, 101 is refused", &asset.InvoiceListParams{PageSize: 101}, false},
		{"an unknown status", &asset.InvoiceListParams{Status: []asset.InvoiceStatus{"late"}}, false},
		{"a range ending before it starts", &asset.InvoiceListParams{DueAtStart: day(2), DueAtEnd: day(1)}, false},
		{"a forged page token", &asset.InvoiceListParams{PageToken: "forged"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Invoices.List(ctx, e2eBiz, tc.params)
			require.ErrorIs(t, err, asset.ErrValidation)
			var apiErr *asset.APIError
			assert.Equal(t, tc.sent, errors.As(err, &apiErr), "refused by the server, not before sending")
		})
	}
}

func TestE2EAll(t *testing.T) {
	t.Parallel()
	srv, c := e2eServer(t)
	ctx := context.Background()
	e2eSeed(t, c, 7)
	want := []string{"N-1", "N-2", "N-3", "N-4", "N-5", "N-6", "N-7"}

	for _, tc := range []struct {
		pageSize, prefetch, requests int
	}{
		{1, 1, 7}, {2, 1, 4}, {3, 0, 3}, {7, 2, 1}, {100, 1, 1}, {2, 4, 4},
	} {
		t.Run(fmt.Sprintf("pages of %d, prefetch %d", tc.pageSize, tc.prefetch), func(t *testing.T) {
			srv.ResetStats()
			var got []string
			total := asset.DecimalFromInt(0)
			for inv, err := range c.Invoices.All(ctx, e2eBiz, &asset.InvoiceListParams{PageSize: tc.pageSize}, asset.WithPrefetch(tc.prefetch)) {
				require.NoError(t, err)
				got = append(got, inv.Number)
				total = total.Add(inv.TotalAmount)
			}
			assert.Equal(t, want, got)
			assert.Equal(t, "70.00", total.String())
			assert.Equal(t, tc.requests, srv.Requests(assettest.RouteListInvoices))
		})
	}

	t.Run("with a filter", func(t *testing.T) {
		var got []string
		for inv, err := range c.Invoices.All(ctx, e2eBiz, &asset.InvoiceListParams{DueAtStart: e2eNow.AddDate(0, 0, 3), PageSize: 2}) {
			require.NoError(t, err)
			got = append(got, inv.Number)
		}
		assert.Equal(t, []string{"N-3", "N-4", "N-5", "N-6", "N-7"}, got)
	})
	t.Run("from a saved token", func(t *testing.T) {
		page, err := c.Invoices.List(ctx, e2eBiz, &asset.InvoiceListParams{PageSize: 3})
		require.NoError(t, err)
		var got []string
		for inv, err := range c.Invoices.All(ctx, e2eBiz, &asset.InvoiceListParams{PageSize: 3, PageToken: page.NextPageToken}) {
			require.NoError(t, err)
			got = append(got, inv.Number)
		}
		assert.Equal(t, []string{"N-4", "N-5", "N-6", "N-7"}, got)
	})
	t.Run("a break stops fetching", func(t *testing.T) {
		srv.ResetStats()
		var got []string
		for inv, err := range c.Invoices.All(ctx, e2eBiz, &asset.InvoiceListParams{PageSize: 2}, asset.WithPrefetch(0)) {
			require.NoError(t, err)
			got = append(got, inv.Number)
			if len(got) == 3 {
				break
			}
		}
		assert.Equal(t, []string{"N-1", "N-2", "N-3"}, got)
		assert.Equal(t, 2, srv.Requests(assettest.RouteListInvoices))
	})
	t.Run("an error is yielded once and ends the walk", func(t *testing.T) {
		srv.FailNext(assettest.RouteListInvoices, 1, http.StatusForbidden)
		var errs []error
		n := 0
		for _, err := range c.Invoices.All(ctx, e2eBiz, nil) {
			if err != nil {
				errs = append(errs, err)
				continue
			}
			n++
		}
		require.Len(t, errs, 1)
		assert.ErrorIs(t, errs[0], asset.ErrForbidden)
		assert.Zero(t, n)
	})
	t.Run("another business is empty", func(t *testing.T) {
		for _, err := range c.Invoices.All(ctx, "biz_other", nil) {
			require.NoError(t, err)
			t.Fatal("an invoice of another business")
		}
	})
}

func TestE2EPager(t *testing.T) {
	t.Parallel()
	_, c := e2eServer(t)
	ctx := context.Background()
	e2eSeed(t, c, 7)
	params := &asset.InvoiceListParams{PageSize: 3}

	// Forward to the end, then back to the start.
	p := c.Invoices.Pager(e2eBiz, params)
	assert.Nil(t, p.Current())
	var forward [][]string
	for p.HasNext() {
		page, err := p.Next(ctx)
		require.NoError(t, err)
		forward = append(forward, e2eNumbers(page.Data))
	}
	assert.Equal(t, [][]string{{"N-1", "N-2", "N-3"}, {"N-4", "N-5", "N-6"}, {"N-7"}}, forward)
	_, err := p.Next(ctx)
	assert.ErrorIs(t, err, asset.ErrNoMorePages)
	var back [][]string
	for p.HasPrevious() {
		page, err := p.Previous(ctx)
		require.NoError(t, err)
		back = append(back, e2eNumbers(page.Data))
	}
	assert.Equal(t, [][]string{{"N-4", "N-5", "N-6"}, {"N-1", "N-2", "N-3"}}, back)
	_, err = p.Previous(ctx)
	assert.ErrorIs(t, err, asset.ErrNoMorePages)
	assert.Equal(t, []string{"N-1", "N-2", "N-3"}, e2eNumbers(p.Current().Data), "a refused move stays put")

	// A token saved from one walk starts another, in either direction, even
	// after invoices were added meanwhile.
	first, err := c.Invoices.List(ctx, e2eBiz, params)
	require.NoError(t, err)
	saved := first.NextPageToken
	_, err = c.Invoices.Create(ctx, e2eBiz, []asset.InvoiceCreate{{Number: "N-8", Lines: e2eAmount("1")}})
	require.NoError(t, err)

	for _, tc := range []struct {
		name string
		want [][]string
	}{
		{"forward", [][]string{{"N-4", "N-5", "N-6"}, {"N-7", "N-8"}}},
		{"back", [][]string{{"N-4", "N-5", "N-6"}, {"N-1", "N-2", "N-3"}}},
	} {
		t.Run("from a saved token, "+tc.name, func(t *testing.T) {
			p := c.Invoices.Pager(e2eBiz, &asset.InvoiceListParams{PageSize: 3, PageToken: saved})
			move := p.Next
			if tc.name == "back" {
				move = p.Previous
			}
			var got [][]string
			for range tc.want {
				page, err := move(ctx)
				require.NoError(t, err)
				got = append(got, e2eNumbers(page.Data))
			}
			assert.Equal(t, tc.want, got)
			_, err := move(ctx)
			assert.ErrorIs(t, err, asset.ErrNoMorePages)
		})
	}

	t.Run("a token used with other filters is refused", func(t *testing.T) {
		p := c.Invoices.Pager(e2eBiz, &asset.InvoiceListParams{PageSize: 3, PageToken: saved, Status: []asset.InvoiceStatus{asset.InvoiceStatusPaid}})
		_, err := p.Next(ctx)
		assert.ErrorIs(t, err, asset.ErrValidation)
		assert.Nil(t, p.Current())
	})
	t.Run("another business's token is refused", func(t *testing.T) {
		_, err := c.Invoices.List(ctx, "biz_other", &asset.InvoiceListParams{PageSize: 3, PageToken: saved})
		assert.ErrorIs(t, err, asset.ErrValidation)
	})
	t.Run("bad input is reported by the first move", func(t *testing.T) {
		p := c.Invoices.Pager("", nil)
		_, err := p.Next(ctx)
		var inputErr *asset.InputError
		assert.ErrorAs(t, err, &inputErr)
	})
}

func TestE2EUpdate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	two := []asset.InvoiceLineCreate{{Description: "a", Amount: asset.MustDecimal("40.00")}, {Description: "b", Amount: asset.MustDecimal("60.00")}}

	t.Run("status", func(t *testing.T) {
		_, c := e2eServer(t)
		inv := e2eSeed(t, c, 1)[0]
		for _, st := range []asset.InvoiceStatus{asset.InvoiceStatusUncollectible, asset.InvoiceStatusOpen, asset.InvoiceStatusVoided} {
			got, err := c.Invoices.Update(ctx, e2eBiz, inv.ID, asset.InvoiceUpdate{Status: st})
			require.NoError(t, err)
			assert.Equal(t, st, got.Status)
		}
		got, err := c.Invoices.Get(ctx, e2eBiz, inv.ID)
		require.NoError(t, err)
		assert.Equal(t, asset.InvoiceStatusVoided, got.Status)
		assert.True(t, e2eNow.Equal(got.VoidedAt), got.VoidedAt)

		_, err = c.Invoices.Update(ctx, e2eBiz, inv.ID, asset.InvoiceUpdate{Status: asset.InvoiceStatusOpen})
		assert.ErrorIs(t, err, asset.ErrValidation, "a voided invoice stays voided")
	})

	t.Run("lines", func(t *testing.T) {
		srv, c := e2eServer(t)
		invs, err := c.Invoices.Create(ctx, e2eBiz, []asset.InvoiceCreate{{Number: "L-1", Lines: two}})
		require.NoError(t, err)
		inv := invs[0]
		for _, tc := range []struct {
			name    string
			changes asset.InvoiceLineChanges
			total   string
			lines   []string
		}{
			{"add", asset.InvoiceLineChanges{CreateLines: []asset.InvoiceLineUpdate{{Description: "c", Amount: asset.MustDecimal("10.00")}}}, "110.00", []string{"a", "b", "c"}},
			{"delete", asset.InvoiceLineChanges{DeleteLines: []string{inv.Lines[0].ID}}, "70.00", []string{"b", "c"}},
			{"both at once", asset.InvoiceLineChanges{DeleteLines: []string{inv.Lines[1].ID}, CreateLines: []asset.InvoiceLineUpdate{{Description: "d", Amount: asset.MustDecimal("0.05")}}}, "10.05", []string{"c", "d"}},
		} {
			got, err := c.Invoices.Update(ctx, e2eBiz, inv.ID, asset.InvoiceUpdate{LineChanges: &tc.changes})
			require.NoError(t, err, tc.name)
			assert.Equal(t, tc.total, got.TotalAmount.String(), tc.name)
			var descs []string
			for _, l := range got.Lines {
				descs = append(descs, l.Description)
			}
			assert.Equal(t, tc.lines, descs, tc.name)
		}
		_, err = c.Invoices.Update(ctx, e2eBiz, inv.ID, asset.InvoiceUpdate{LineChanges: &asset.InvoiceLineChanges{DeleteLines: []string{inv.Lines[0].ID}}})
		var apiErr *asset.APIError
		require.ErrorAs(t, err, &apiErr, "a line the invoice no longer has")
		assert.Equal(t, http.StatusUnprocessableEntity, apiErr.StatusCode)
		stored, _ := srv.Invoice(e2eBiz, inv.ID)
		assert.Equal(t, "10.05", stored.TotalAmount.String(), "a refused update changes nothing")
	})

	t.Run("tags", func(t *testing.T) {
		_, c := e2eServer(t, assettest.WithTagFields("Location", "Job", "Crew"))
		invs, err := c.Invoices.Create(ctx, e2eBiz, []asset.InvoiceCreate{{Number: "G-1", Tags: map[string]string{"Location": "NYC", "Job": "Roof"}}})
		require.NoError(t, err)
		got, err := c.Invoices.Update(ctx, e2eBiz, invs[0].ID, asset.InvoiceUpdate{
			Tags: map[string]*string{"Location": asset.TagRemove(), "Crew": asset.TagSet("B")},
		})
		require.NoError(t, err)
		assert.Equal(t, map[string]string{"Job": "Roof", "Crew": "B"}, map[string]string{"Job": got.Tags["Job"].String(), "Crew": got.Tags["Crew"].String()})
		assert.NotContains(t, got.Tags, "Location")
		assert.Len(t, got.Tags, 2)
	})

	t.Run("refused before sending", func(t *testing.T) {
		srv, c := e2eServer(t)
		for _, u := range []asset.InvoiceUpdate{
			{},
			{Status: "late"},
			{LineChanges: &asset.InvoiceLineChanges{}},
			{LineChanges: &asset.InvoiceLineChanges{DeleteLines: []string{"a/b"}}},
			{Tags: map[string]*string{"": asset.TagSet("x")}},
		} {
			_, err := c.Invoices.Update(ctx, e2eBiz, "inv_1", u)
			var inputErr *asset.InputError
			assert.ErrorAs(t, err, &inputErr, "%+v", u)
		}
		assert.Zero(t, srv.Requests(assettest.RouteUpdateInvoice))
	})
}

func TestE2EWriteOff(t *testing.T) {
	t.Parallel()
	_, c := e2eServer(t)
	ctx := context.Background()
	invs := e2eSeed(t, c, 3)

	part, err := c.Invoices.WriteOff(ctx, e2eBiz, invs[0].ID, asset.InvoiceWriteOff{Amount: asset.MustDecimal("2.50"), Description: "goodwill"})
	require.NoError(t, err)
	assert.Equal(t, []string{"2.50", "7.50", "open"}, []string{part.TotalPaid.String(), part.Balance().String(), string(part.Status)})
	require.Len(t, part.Payments, 1)
	assert.True(t, part.Payments[0].IsWriteOff)
	assert.Equal(t, "2.50", part.Payments[0].PaymentAmount.String())
	assert.True(t, e2eNow.Equal(part.Payments[0].Datetime))

	rest, err := c.Invoices.WriteOff(ctx, e2eBiz, invs[0].ID, asset.InvoiceWriteOff{})
	require.NoError(t, err)
	assert.Equal(t, []string{"10.00", "0.00", "paid"}, []string{rest.TotalPaid.String(), rest.Balance().String(), string(rest.Status)})
	assert.Equal(t, "7.50", rest.Payments[1].PaymentAmount.String(), "absent writes off the whole balance")

	_, err = c.Invoices.Update(ctx, e2eBiz, invs[2].ID, asset.InvoiceUpdate{Status: asset.InvoiceStatusVoided})
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		id   string
		wo   asset.InvoiceWriteOff
		want error
	}{
		{"nothing left", invs[0].ID, asset.InvoiceWriteOff{}, asset.ErrValidation},
		{"beyond the balance", invs[1].ID, asset.InvoiceWriteOff{Amount: asset.MustDecimal("10.01")}, asset.ErrValidation},
		{"a voided invoice", invs[2].ID, asset.InvoiceWriteOff{}, asset.ErrValidation},
		{"an unknown invoice", "inv_unknownunknownunknow", asset.InvoiceWriteOff{}, asset.ErrNotFound},
		{"a zero amount, not sent", invs[1].ID, asset.InvoiceWriteOff{Amount: asset.DecimalFromInt(0)}, asset.ErrValidation},
		{"a negative amount, not sent", invs[1].ID, asset.InvoiceWriteOff{Amount: asset.MustDecimal("-1")}, asset.ErrValidation},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Invoices.WriteOff(ctx, e2eBiz, tc.id, tc.wo)
			assert.ErrorIs(t, err, tc.want)
			assert.NotErrorIs(t, err, asset.ErrOutcomeUnknown, "a refusal is a known outcome")
		})
	}
	got, err := c.Invoices.Get(ctx, e2eBiz, invs[1].ID)
	require.NoError(t, err)
	assert.Empty(t, got.Payments)
}

func TestE2EApply(t *testing.T) {
	t.Parallel()
	srv, c := e2eServer(t)
	ctx := context.Background()
	invs := e2eSeed(t, c, 3)
	txn := srv.AddTransaction(e2eBiz, asset.MustDecimal("15.00"))

	// The transaction's remainder is the default amount.
	paid, err := c.Payments.Apply(ctx, e2eBiz, asset.InvoicePaymentCreate{InvoiceID: invs[0].ID, TransactionID: txn, PaymentAmount: asset.MustDecimal("10.00")})
	require.NoError(t, err)
	assert.Equal(t, asset.InvoiceStatusPaid, paid.Status)
	p := paid.Payments[0]
	assert.Equal(t, []string{txn, "10.00", invs[0].ID}, []string{p.TransactionID, p.PaymentAmount.String(), p.InvoiceID})
	assert.True(t, strings.HasPrefix(p.ID, "inp_"), p.ID)
	assert.False(t, p.IsWriteOff)
	rest, err := c.Payments.Apply(ctx, e2eBiz, asset.InvoicePaymentCreate{InvoiceID: invs[1].ID, TransactionID: txn})
	require.NoError(t, err)
	assert.Equal(t, []string{"5.00", "5.00", "open"}, []string{rest.TotalPaid.String(), rest.Balance().String(), string(rest.Status)})
	left, _ := srv.TransactionRemaining(e2eBiz, txn)
	assert.Equal(t, "0.00", left.String())

	// Without a transaction, from the credit of the invoice's customer.
	owed, err := c.Invoices.Create(ctx, e2eBiz, []asset.InvoiceCreate{
		{Number: "N-C", CustomerID: "cus_e2e", Lines: e2eAmount("5.00")},
		{Number: "N-D", CustomerID: "cus_e2e", Lines: e2eAmount("10.00")},
	})
	require.NoError(t, err)
	srv.AddCredit(e2eBiz, "cus_e2e", asset.MustDecimal("8.00"))
	credit, err := c.Payments.Apply(ctx, e2eBiz, asset.InvoicePaymentCreate{InvoiceID: owed[0].ID, PaymentAmount: asset.MustDecimal("5.00")})
	require.NoError(t, err)
	assert.Equal(t, asset.InvoiceStatusPaid, credit.Status)
	assert.Empty(t, credit.Payments[0].TransactionID)
	creditLeft, _ := srv.CreditRemaining(e2eBiz, "cus_e2e")
	assert.Equal(t, "3.00", creditLeft.String())

	big := srv.AddTransaction(e2eBiz, asset.MustDecimal("100"))
	for _, tc := range []struct {
		name     string
		pay      asset.InvoicePaymentCreate
		want     error
		sent     bool
		contains string
	}{
		{"a spent transaction", asset.InvoicePaymentCreate{InvoiceID: invs[2].ID, TransactionID: txn}, asset.ErrValidation, true, "has been applied in full"},
		{"beyond the balance", asset.InvoicePaymentCreate{InvoiceID: invs[2].ID, TransactionID: big, PaymentAmount: asset.MustDecimal("10.01")}, asset.ErrValidation, true, "exceeds the invoice balance of 10.00"},
		{"a paid invoice", asset.InvoicePaymentCreate{InvoiceID: invs[0].ID, TransactionID: big, PaymentAmount: asset.MustDecimal("1")}, asset.ErrValidation, true, "exceeds the invoice balance of 0.00"},
		{"credit for an invoice without a customer", asset.InvoicePaymentCreate{InvoiceID: invs[1].ID, PaymentAmount: asset.MustDecimal("5.00")}, asset.ErrValidation, true, "no customer"},
		{"beyond the customer's credit", asset.InvoicePaymentCreate{InvoiceID: owed[1].ID, PaymentAmount: asset.MustDecimal("3.01")}, asset.ErrValidation, true, "exceeds the customer's credit of 3.00"},
		{"an unknown transaction", asset.InvoicePaymentCreate{InvoiceID: invs[2].ID, TransactionID: "txn_unknownunknownunknow"}, asset.ErrNotFound, true, "Transaction not found"},
		{"an unknown invoice", asset.InvoicePaymentCreate{InvoiceID: "inv_unknownunknownunknow", TransactionID: big}, asset.ErrNotFound, true, "Invoice not found"},
		{"no invoice", asset.InvoicePaymentCreate{TransactionID: big}, asset.ErrValidation, false, "payment.InvoiceID"},
		{"neither transaction nor amount", asset.InvoicePaymentCreate{InvoiceID: invs[2].ID}, asset.ErrValidation, false, "payment.PaymentAmount"},
		{"a negative amount", asset.InvoicePaymentCreate{InvoiceID: invs[2].ID, PaymentAmount: asset.MustDecimal("-1")}, asset.ErrValidation, false, "negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := srv.Requests(assettest.RouteApplyPayment)
			inv, err := c.Payments.Apply(ctx, e2eBiz, tc.pay)
			require.ErrorIs(t, err, tc.want)
			assert.Nil(t, inv)
			assert.Contains(t, err.Error(), tc.contains)
			sent := srv.Requests(assettest.RouteApplyPayment) - before
			assert.Equal(t, map[bool]int{true: 1, false: 0}[tc.sent], sent, "sent once or not at all, never retried")
		})
	}
	left, _ = srv.TransactionRemaining(e2eBiz, big)
	assert.Equal(t, "100", left.String(), "no refused payment drew on it")
	creditLeft, _ = srv.CreditRemaining(e2eBiz, "cus_e2e")
	assert.Equal(t, "3.00", creditLeft.String(), "nor on the customer's credit")
}

// TestE2ELifecycle follows one business through the life of its invoices.
func TestE2ELifecycle(t *testing.T) {
	t.Parallel()
	srv, c := e2eServer(t, assettest.WithTagFields("Reason"))
	ctx := context.Background()

	invs, err := c.Invoices.Create(ctx, e2eBiz, []asset.InvoiceCreate{
		{Number: "INV-1", DueAt: e2eNow.AddDate(0, 0, 30), Lines: []asset.InvoiceLineCreate{
			{Description: "Widgets", UnitPrice: asset.MustDecimal("19.99"), Quantity: asset.MustDecimal("3")},
			{Description: "Setup", Amount: asset.MustDecimal("50")},
		}},
		{Number: "INV-2", DueAt: e2eNow.AddDate(0, 0, 60), Lines: e2eAmount("250.00")},
	})
	require.NoError(t, err)
	one, two := invs[0], invs[1]
	assert.Equal(t, "109.97", one.TotalAmount.String())

	page, err := c.Invoices.List(ctx, e2eBiz, &asset.InvoiceListParams{Status: []asset.InvoiceStatus{asset.InvoiceStatusOpen}, DueAtEnd: e2eNow.AddDate(0, 0, 45)})
	require.NoError(t, err)
	assert.Equal(t, []string{"INV-1"}, e2eNumbers(page.Data))

	// Pay in part, then in full.
	txn := srv.AddTransaction(e2eBiz, asset.MustDecimal("500"))
	got, err := c.Payments.Apply(ctx, e2eBiz, asset.InvoicePaymentCreate{InvoiceID: one.ID, TransactionID: txn, PaymentAmount: asset.MustDecimal("50")})
	require.NoError(t, err)
	assert.Equal(t, []string{"50", "59.97", "open"}, []string{got.TotalPaid.String(), got.Balance().String(), string(got.Status)})
	got, err = c.Payments.Apply(ctx, e2eBiz, asset.InvoicePaymentCreate{InvoiceID: one.ID, TransactionID: txn, PaymentAmount: got.Balance()})
	require.NoError(t, err)
	assert.Equal(t, []string{"109.97", "0.00", "paid"}, []string{got.TotalPaid.String(), got.Balance().String(), string(got.Status)})
	require.Len(t, got.Payments, 2)

	// A line added to a paid invoice opens it again; removing it pays it.
	got, err = c.Invoices.Update(ctx, e2eBiz, one.ID, asset.InvoiceUpdate{LineChanges: &asset.InvoiceLineChanges{
		CreateLines: []asset.InvoiceLineUpdate{{Description: "Rush fee", Amount: asset.MustDecimal("15.03")}},
	}})
	require.NoError(t, err)
	assert.Equal(t, []string{"125.00", "15.03", "open"}, []string{got.TotalAmount.String(), got.Balance().String(), string(got.Status)})
	rush := got.Lines[2].ID
	got, err = c.Invoices.Update(ctx, e2eBiz, one.ID, asset.InvoiceUpdate{LineChanges: &asset.InvoiceLineChanges{DeleteLines: []string{rush}}})
	require.NoError(t, err)
	assert.Equal(t, []string{"109.97", "paid"}, []string{got.TotalAmount.String(), string(got.Status)})
	// No line change may take the total below what was paid.
	_, err = c.Invoices.Update(ctx, e2eBiz, one.ID, asset.InvoiceUpdate{LineChanges: &asset.InvoiceLineChanges{DeleteLines: []string{got.Lines[1].ID}}})
	assert.ErrorIs(t, err, asset.ErrValidation)

	// Void the other; a payment on it is then refused, known to be refused.
	voided, err := c.Invoices.Update(ctx, e2eBiz, two.ID, asset.InvoiceUpdate{Status: asset.InvoiceStatusVoided})
	require.NoError(t, err)
	assert.Equal(t, asset.InvoiceStatusVoided, voided.Status)
	assert.True(t, e2eNow.Equal(voided.VoidedAt))
	_, err = c.Payments.Apply(ctx, e2eBiz, asset.InvoicePaymentCreate{InvoiceID: two.ID, TransactionID: txn, PaymentAmount: asset.MustDecimal("1")})
	var apiErr *asset.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusUnprocessableEntity, apiErr.StatusCode)
	assert.Equal(t, "Invoice is voided", apiErr.Message)
	assert.Regexp(t, `^req_\w{22}$`, apiErr.RequestID)
	assert.ErrorIs(t, err, asset.ErrValidation)
	assert.NotErrorIs(t, err, asset.ErrOutcomeUnknown, "a 422 was not applied: no need to check")
	assert.False(t, apiErr.Temporary(), "the same call will fail again")
	_, err = c.Invoices.Update(ctx, e2eBiz, two.ID, asset.InvoiceUpdate{LineChanges: &asset.InvoiceLineChanges{CreateLines: []asset.InvoiceLineUpdate{{Amount: asset.MustDecimal("1")}}}})
	assert.ErrorIs(t, err, asset.ErrValidation, "nor its lines changed")
	tagged, err := c.Invoices.Update(ctx, e2eBiz, two.ID, asset.InvoiceUpdate{Tags: map[string]*string{"Reason": asset.TagSet("duplicate")}})
	require.NoError(t, err, "but its tags can be")
	assert.Equal(t, "duplicate", tagged.Tags["Reason"].String())

	state, _ := srv.Invoice(e2eBiz, two.ID)
	assert.Empty(t, state.Payments)
	assert.Equal(t, "0", state.TotalPaid.String())
	left, _ := srv.TransactionRemaining(e2eBiz, txn)
	assert.Equal(t, "390.03", left.String())
}

func TestE2EClientCredentials(t *testing.T) {
	t.Parallel()
	srv, _ := e2eServer(t)
	ctx := context.Background()
	c := srv.Client(asset.WithClientCredentials(srv.ClientCredentials()))

	for range 3 {
		_, err := c.Invoices.List(ctx, e2eBiz, nil)
		require.NoError(t, err)
	}
	assert.Equal(t, 1, srv.Requests(assettest.RouteToken), "the token is cached")

	// Revoked: the 401 makes the SDK fetch a new token and send once more.
	srv.RevokeTokens()
	srv.ResetStats()
	invs, err := c.Invoices.Create(ctx, e2eBiz, []asset.InvoiceCreate{{Number: "CC-1"}})
	require.NoError(t, err)
	assert.Len(t, invs, 1)
	assert.Equal(t, 1, srv.Requests(assettest.RouteToken), "renewed once")
	assert.Equal(t, 2, srv.Requests(assettest.RouteCreateInvoices), "the refused request and its one repeat")
	assert.Equal(t, 1, srv.Applied(assettest.RouteCreateInvoices))
	assert.Len(t, srv.Invoices(e2eBiz), 1)
	_, err = c.Invoices.List(ctx, e2eBiz, nil)
	require.NoError(t, err)
	assert.Equal(t, 1, srv.Requests(assettest.RouteToken), "the new token is cached")

	t.Run("wrong credentials", func(t *testing.T) {
		bad := srv.Client(asset.WithClientCredentials(asset.ClientCredentials{ClientID: "cli_x", ClientSecret: "wrong-secret"}))
		_, err := bad.Invoices.List(ctx, e2eBiz, nil)
		assert.ErrorIs(t, err, asset.ErrUnauthorized)
		assert.NotContains(t, err.Error(), "wrong-secret")
	})
	t.Run("a token scoped to a business", func(t *testing.T) {
		creds := srv.ClientCredentials()
		creds.BusinessID = e2eBiz
		scoped := srv.Client(asset.WithClientCredentials(creds))
		_, err := scoped.Invoices.List(ctx, e2eBiz, nil)
		require.NoError(t, err)
		_, err = scoped.Invoices.List(ctx, "biz_other", nil)
		assert.ErrorIs(t, err, asset.ErrForbidden)
	})
	t.Run("a static token is not renewed", func(t *testing.T) {
		srv.ResetStats()
		_, err := srv.Client(asset.WithToken("tok_revoked")).Invoices.List(ctx, e2eBiz, nil)
		assert.ErrorIs(t, err, asset.ErrUnauthorized)
		assert.Equal(t, 1, srv.Requests(assettest.RouteListInvoices))
		assert.Zero(t, srv.Requests(assettest.RouteToken))
	})
}

func TestE2EResponseInto(t *testing.T) {
	t.Parallel()
	srv, c := e2eServer(t, assettest.WithRateLimit(3, time.Minute))
	ctx := context.Background()
	reset := e2eNow.Add(time.Minute)

	for want := 2; want >= 1; want-- {
		var resp asset.Response
		_, err := c.Invoices.List(ctx, e2eBiz, nil, asset.WithResponseInto(&resp))
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, asset.RateLimit{Limit: 3, Remaining: want, Reset: resp.RateLimit.Reset}, resp.RateLimit)
		assert.True(t, reset.Equal(resp.RateLimit.Reset), "reset %s", resp.RateLimit.Reset)
		assert.Regexp(t, `^req_\w{22}$`, resp.RequestID)
		assert.Equal(t, resp.RequestID, resp.Header.Get("X-Request-Id"))
		assert.Equal(t, 1, resp.Attempts)
	}

	// The window's last request, then a refusal: filled on errors too.
	_, err := c.Invoices.List(ctx, e2eBiz, nil)
	require.NoError(t, err)
	var resp asset.Response
	_, err = c.Invoices.List(ctx, e2eBiz, nil, asset.WithResponseInto(&resp), asset.WithMaxRetries(0))
	require.ErrorIs(t, err, asset.ErrRateLimited)
	var apiErr *asset.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, time.Minute, apiErr.RetryAfter)
	assert.Equal(t, "Rate limit exceeded: 3 per 1 minute", apiErr.Message)
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	assert.Equal(t, 0, resp.RateLimit.Remaining)
	assert.Equal(t, apiErr.RequestID, resp.RequestID)
	assert.Equal(t, "60", resp.Header.Get("Retry-After"))
	assert.Equal(t, 1, srv.Stats(assettest.RouteListInvoices).RateLimited)

	// Another business has a window of its own.
	var other asset.Response
	_, err = c.Invoices.List(ctx, "biz_other", nil, asset.WithResponseInto(&other))
	require.NoError(t, err)
	assert.Equal(t, 2, other.RateLimit.Remaining)

	// After retries, the response is the last try's, and the tries counted.
	srv.FailNext(assettest.RouteListInvoices, 2, http.StatusServiceUnavailable)
	var retried asset.Response
	_, err = c.Invoices.List(ctx, "biz_other", nil, asset.WithResponseInto(&retried))
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, retried.StatusCode)
	assert.Equal(t, 3, retried.Attempts)
}

// e2eRecorder keeps the x-user-id of every request it passes on.
type e2eRecorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	ids  []string
}

func (r *e2eRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.ids = append(r.ids, req.Header.Get("X-User-Id"))
	r.mu.Unlock()
	return r.next.RoundTrip(req)
}

func (r *e2eRecorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	ids := r.ids
	r.ids = nil
	return ids
}

func TestE2EUserID(t *testing.T) {
	t.Parallel()
	srv, _ := e2eServer(t, assettest.WithTagFields("a"))
	ctx := context.Background()
	rec := &e2eRecorder{next: srv.HTTPClient().Transport}
	hc := &http.Client{Transport: rec}

	plain := srv.Client(asset.WithHTTPClient(hc))
	withUser := srv.Client(asset.WithHTTPClient(hc), asset.WithUserID("usr_42"))
	invs, err := withUser.Invoices.Create(ctx, e2eBiz, []asset.InvoiceCreate{{Number: "U-1", CustomerID: "cus_u", Lines: e2eAmount("5")}})
	require.NoError(t, err)
	id := invs[0].ID
	srv.AddCredit(e2eBiz, "cus_u", asset.MustDecimal("1"))

	for _, tc := range []struct {
		name string
		call func() error
		want []string
	}{
		{"the client's, on a create", func() error {
			_, err := withUser.Invoices.Create(ctx, e2eBiz, []asset.InvoiceCreate{{Number: "U-2"}})
			return err
		}, []string{"usr_42"}},
		{"the client's, on every page", func() error {
			for _, err := range withUser.Invoices.All(ctx, e2eBiz, &asset.InvoiceListParams{PageSize: 1}) {
				if err != nil {
					return err
				}
			}
			return nil
		}, []string{"usr_42", "usr_42"}},
		{"one call's overrides the client's", func() error {
			_, err := withUser.Payments.Apply(ctx, e2eBiz, asset.InvoicePaymentCreate{InvoiceID: id, PaymentAmount: asset.MustDecimal("1")}, asset.WithUserID("usr_7"))
			return err
		}, []string{"usr_7"}},
		{"and only that call's", func() error {
			_, err := withUser.Invoices.WriteOff(ctx, e2eBiz, id, asset.InvoiceWriteOff{Amount: asset.MustDecimal("1")})
			return err
		}, []string{"usr_42"}},
		{"none without the option", func() error {
			_, err := plain.Invoices.Get(ctx, e2eBiz, id)
			return err
		}, []string{""}},
		{"one call's on a client without", func() error {
			_, err := plain.Invoices.Update(ctx, e2eBiz, id, asset.InvoiceUpdate{Tags: map[string]*string{"a": asset.TagSet("b")}}, asset.WithUserID("usr_9"))
			return err
		}, []string{"usr_9"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec.take()
			require.NoError(t, tc.call())
			assert.Equal(t, tc.want, rec.take())
		})
	}
}

// The API has no idempotency key, but invoice numbers are unique per
// business: a batch whose answer was lost can be sent again as it was, and
// the invoices the first attempt created come back as failures instead of
// being created twice.
func TestE2ECreateResentAfterUnknownOutcome(t *testing.T) {
	t.Parallel()
	srv, c := e2eServer(t)
	ctx := context.Background()
	batch := []asset.InvoiceCreate{
		{Number: "R-1", Lines: e2eAmount("100.00")},
		{Number: "R-2", Lines: e2eAmount("250.50")},
	}
	srv.DropNext(assettest.RouteCreateInvoices, 1, assettest.DropAfterApply)
	_, err := c.Invoices.Create(ctx, e2eBiz, batch)
	require.ErrorIs(t, err, asset.ErrOutcomeUnknown)

	created, err := c.Invoices.Create(ctx, e2eBiz, batch)
	requireAllExist(t, len(created), err, "R-1", "R-2")
	state := srv.Invoices(e2eBiz)
	require.Len(t, state, 2, "each invoice exists exactly once")
	assert.Equal(t, []string{"R-1", "R-2"}, e2eNumbers(state))
	assert.Equal(t, 1, srv.Applied(assettest.RouteCreateInvoices), "only the first request created anything: the second's invoices were all refused")
}

// requireAllExist checks the answer to a batch sent again after its first
// answer was lost: nothing created, each number refused as already there.
func requireAllExist(t *testing.T, created int, err error, numbers ...string) {
	t.Helper()
	assert.Zero(t, created, "nothing is created the second time")
	var be *asset.BatchError
	require.ErrorAs(t, err, &be)
	assert.Equal(t, numbers, be.Numbers())
	for _, f := range be.Failures {
		assert.Contains(t, f.Message, "already exists")
	}
}
