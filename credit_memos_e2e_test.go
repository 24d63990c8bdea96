package asset_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
)

const e2eCustomer = "cus_e2eCreditMemos000000001"

func e2eMemo(number, amount string) asset.CreditMemoCreate {
	return asset.CreditMemoCreate{CustomerID: e2eCustomer, Number: number, Amount: asset.MustDecimal(amount)}
}

func e2eMemoNumbers(memos []asset.CreditMemo) []string {
	out := []string{}
	for _, m := range memos {
		out = append(out, m.Number)
	}
	return out
}

// List-shaped tags reach the fake, which keeps them as the API does, and
// come back as allocations.
func TestE2ECreditMemoTagAllocations(t *testing.T) {
	t.Parallel()
	srv, c := e2eServer(t, assettest.WithTagFields("Location", "Job"))
	ctx := context.Background()
	in := e2eMemo("CM-T", "100.00")
	in.Tags = map[string]string{"Location": "NYC"}
	in.TagAllocations = map[string][]asset.TagAllocation{"Job": {
		{Amount: asset.MustDecimal("60.00"), Value: "Maple Street Remodel"},
		{Amount: asset.MustDecimal("40.00"), Value: "Downtown Office Rewire"},
	}}
	memos, err := c.CreditMemos.Create(ctx, e2eBiz, []asset.CreditMemoCreate{in})
	require.NoError(t, err)
	require.Len(t, memos, 1)
	assert.Equal(t, map[string]asset.TagValue{
		"Location": {Value: "NYC"},
		"Job":      {Allocations: in.TagAllocations["Job"]},
	}, memos[0].Tags)
	assert.Equal(t, srv.CreditMemos(e2eBiz), memos, "what the server holds is what the client received")
}

func TestE2ECreditMemoCreateAndGet(t *testing.T) {
	t.Parallel()
	srv, c := e2eServer(t, assettest.WithTagFields("Location"))
	ctx := context.Background()
	issued := e2eNow.AddDate(0, 0, -3)
	memos, err := c.CreditMemos.Create(ctx, e2eBiz, []asset.CreditMemoCreate{
		{CustomerID: e2eCustomer, Number: "CM-1", Amount: asset.MustDecimal("25.50"), Memo: "Returned tiles", IssuedAt: issued, Tags: map[string]string{"Location": "NYC"}},
		e2eMemo("CM-2", "10"),
	}, asset.WithUserID("clerk-7"))
	require.NoError(t, err)
	require.Len(t, memos, 2)
	m := memos[0]
	assert.Regexp(t, "^cm_", m.ID)
	assert.Regexp(t, "^je_", m.JournalEntryID)
	assert.Equal(t, e2eBiz, m.BusinessID)
	assert.Equal(t, e2eCustomer, m.CustomerID)
	assert.Equal(t, "25.50", m.Amount.String())
	assert.Equal(t, "Returned tiles", m.Memo)
	assert.Equal(t, issued, m.IssuedAt)
	assert.Equal(t, "clerk-7", m.CreatedBy)
	assert.Equal(t, "NYC", m.Tags["Location"].String())
	assert.False(t, m.Voided)
	assert.True(t, m.VoidedAt.IsZero())
	assert.Equal(t, e2eNow, memos[1].IssuedAt, "issued_at defaults to now")

	got, err := c.CreditMemos.Get(ctx, e2eBiz, m.ID)
	require.NoError(t, err)
	assert.Equal(t, m, *got)
	assert.Equal(t, srv.CreditMemos(e2eBiz), memos, "what the server holds is what the client received")

	left, _ := srv.CreditRemaining(e2eBiz, e2eCustomer)
	assert.Equal(t, "35.50", left.String(), "each memo adds its amount to the customer's credit")

	_, err = c.CreditMemos.Get(ctx, e2eBiz, "cm_missing")
	var apiErr *asset.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusNotFound, apiErr.StatusCode)
	assert.ErrorIs(t, err, asset.ErrNotFound)
}

// Numbers are unique per business: a number taken, or taken earlier in the
// batch, is refused on its own while the others are created.
func TestE2ECreditMemoPartialBatch(t *testing.T) {
	t.Parallel()
	srv, c := e2eServer(t)
	ctx := context.Background()
	_, err := c.CreditMemos.Create(ctx, e2eBiz, []asset.CreditMemoCreate{e2eMemo("CM-1", "5")})
	require.NoError(t, err)

	created, err := c.CreditMemos.Create(ctx, e2eBiz, []asset.CreditMemoCreate{e2eMemo("CM-0", "1"), e2eMemo("CM-1", "2"), e2eMemo("CM-2", "3")})
	assert.Equal(t, []string{"CM-0", "CM-2"}, e2eMemoNumbers(created))
	var be *asset.BatchError
	require.ErrorAs(t, err, &be)
	require.Len(t, be.Failures, 1)
	assert.Equal(t, "CM-1", be.Failures[0].Number)
	assert.Equal(t, 1, be.Failures[0].Index)
	assert.Contains(t, be.Failures[0].Message, "already exists")
	assert.Contains(t, err.Error(), `credit memo "CM-1" was not created`)
	assert.Equal(t, []string{"CM-1", "CM-0", "CM-2"}, e2eMemoNumbers(srv.CreditMemos(e2eBiz)))

	// Another business may use the same number.
	_, err = c.CreditMemos.Create(ctx, "biz_e2e_other", []asset.CreditMemoCreate{e2eMemo("CM-1", "5")})
	require.NoError(t, err)
}

// An invoice is paid from a credit memo's credit: the payment names the
// memo; voiding the memo then takes what is left of it out of the pool.
func TestE2ECreditMemoPaysAnInvoiceThenVoid(t *testing.T) {
	t.Parallel()
	srv, c := e2eServer(t)
	ctx := context.Background()
	invs, err := c.Invoices.Create(ctx, e2eBiz, []asset.InvoiceCreate{{Number: "I-1", CustomerID: e2eCustomer, Lines: e2eAmount("100.00")}})
	require.NoError(t, err)
	memos, err := c.CreditMemos.Create(ctx, e2eBiz, []asset.CreditMemoCreate{e2eMemo("CM-1", "30.00"), e2eMemo("CM-2", "50.00")})
	require.NoError(t, err)
	first, second := memos[0], memos[1]

	inv, err := c.Payments.Apply(ctx, e2eBiz, asset.InvoicePaymentCreate{InvoiceID: invs[0].ID, PaymentAmount: asset.MustDecimal("45.00")})
	require.NoError(t, err)
	require.Len(t, inv.Payments, 1)
	p := inv.Payments[0]
	assert.Equal(t, first.ID, p.CreditMemoID, "drawn from the oldest memo first")
	assert.Empty(t, p.TransactionID)
	assert.NotEmpty(t, p.CreditJournalEntryID)
	assert.Equal(t, "45.00", inv.TotalPaid.String())
	for id, want := range map[string]string{first.ID: "0.00", second.ID: "35.00"} {
		left, _ := srv.CreditMemoRemaining(e2eBiz, id)
		assert.Equal(t, want, left.String())
	}

	voided, err := c.CreditMemos.Void(ctx, e2eBiz, second.ID)
	require.NoError(t, err)
	assert.True(t, voided.Voided)
	assert.Equal(t, e2eNow, voided.VoidedAt)
	assert.NotEmpty(t, voided.VoidJournalEntryID)
	pool, _ := srv.CreditRemaining(e2eBiz, e2eCustomer)
	assert.Equal(t, "0.00", pool.String(), "the 35.00 left of CM-2 left the pool with it")

	_, err = c.Payments.Apply(ctx, e2eBiz, asset.InvoicePaymentCreate{InvoiceID: invs[0].ID, PaymentAmount: asset.MustDecimal("0.01")})
	var apiErr *asset.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusUnprocessableEntity, apiErr.StatusCode)
	assert.Contains(t, apiErr.Message, "credit")

	_, err = c.CreditMemos.Void(ctx, e2eBiz, second.ID)
	require.ErrorAs(t, err, &apiErr, "voiding twice")
	assert.Equal(t, http.StatusUnprocessableEntity, apiErr.StatusCode)
	assert.Contains(t, apiErr.Message, "already voided")
	assert.NotErrorIs(t, err, asset.ErrOutcomeUnknown, "a 422 was not applied")
	assert.Equal(t, 1, srv.Applied(assettest.RouteVoidCreditMemo))

	got, err := c.CreditMemos.Get(ctx, e2eBiz, second.ID)
	require.NoError(t, err)
	assert.Equal(t, *voided, *got)
}

// A Void whose answer is lost is not sent again: the caller finds out with
// Get whether it went through.
func TestE2ECreditMemoVoidAnswerLost(t *testing.T) {
	t.Parallel()
	srv, c := e2eServer(t)
	ctx := context.Background()
	memos, err := c.CreditMemos.Create(ctx, e2eBiz, []asset.CreditMemoCreate{e2eMemo("CM-1", "5")})
	require.NoError(t, err)
	srv.DropNext(assettest.RouteVoidCreditMemo, 1, assettest.DropAfterApply)
	_, err = c.CreditMemos.Void(ctx, e2eBiz, memos[0].ID)
	require.ErrorIs(t, err, asset.ErrOutcomeUnknown)
	var netErr *asset.NetworkError
	require.True(t, errors.As(err, &netErr))
	assert.Equal(t, 1, srv.Requests(assettest.RouteVoidCreditMemo), "not sent again")
	got, err := c.CreditMemos.Get(ctx, e2eBiz, memos[0].ID)
	require.NoError(t, err)
	assert.True(t, got.Voided, "the lost attempt went through")
}

// The API has no idempotency key, but credit memo numbers are unique per
// business: a batch whose answer was lost can be sent again as it was, and
// the memos the first attempt created come back as failures instead of
// crediting the customer twice.
func TestE2ECreditMemoCreateResentAfterUnknownOutcome(t *testing.T) {
	t.Parallel()
	srv, c := e2eServer(t)
	ctx := context.Background()
	batch := []asset.CreditMemoCreate{e2eMemo("R-1", "100.00"), e2eMemo("R-2", "250.50")}
	srv.DropNext(assettest.RouteCreateCreditMemos, 1, assettest.DropAfterApply)
	_, err := c.CreditMemos.Create(ctx, e2eBiz, batch)
	require.ErrorIs(t, err, asset.ErrOutcomeUnknown)

	created, err := c.CreditMemos.Create(ctx, e2eBiz, batch)
	requireAllExist(t, len(created), err, "R-1", "R-2")
	assert.Equal(t, []string{"R-1", "R-2"}, e2eMemoNumbers(srv.CreditMemos(e2eBiz)), "each memo exists exactly once")
	pool, _ := srv.CreditRemaining(e2eBiz, e2eCustomer)
	assert.Equal(t, "350.50", pool.String(), "the customer was credited once")
	assert.Equal(t, 1, srv.Applied(assettest.RouteCreateCreditMemos))
}

// AddCredit is a credit memo issued: the client sees it, and can void it.
func TestE2EAddCreditIsACreditMemo(t *testing.T) {
	t.Parallel()
	srv, c := e2eServer(t)
	ctx := context.Background()
	srv.AddCredit(e2eBiz, e2eCustomer, asset.MustDecimal("8.00"))
	memos := srv.CreditMemos(e2eBiz)
	require.Len(t, memos, 1)
	got, err := c.CreditMemos.Get(ctx, e2eBiz, memos[0].ID)
	require.NoError(t, err)
	assert.Equal(t, "8.00", got.Amount.String())
	_, err = c.CreditMemos.Void(ctx, e2eBiz, got.ID)
	require.NoError(t, err)
	pool, ok := srv.CreditRemaining(e2eBiz, e2eCustomer)
	assert.True(t, ok)
	assert.Equal(t, "0", pool.String())
}

func TestE2ECreditMemoList(t *testing.T) {
	t.Parallel()
	_, c := e2eServer(t)
	ctx := context.Background()
	const other = "cus_e2eCreditMemos000000002"
	batch := []asset.CreditMemoCreate{e2eMemo("CM-1", "1"), e2eMemo("CM-2", "2"), e2eMemo("CM-3", "3"), e2eMemo("CM-4", "4")}
	batch[1].CustomerID = other
	memos, err := c.CreditMemos.Create(ctx, e2eBiz, batch)
	require.NoError(t, err)
	_, err = c.CreditMemos.Void(ctx, e2eBiz, memos[2].ID)
	require.NoError(t, err)

	yes, no := true, false
	tests := []struct {
		name   string
		params *asset.CreditMemoListParams
		want   []string
	}{
		{"all", nil, []string{"CM-1", "CM-2", "CM-3", "CM-4"}},
		{"one customer", &asset.CreditMemoListParams{CustomerID: e2eCustomer}, []string{"CM-1", "CM-3", "CM-4"}},
		{"voided", &asset.CreditMemoListParams{Voided: &yes}, []string{"CM-3"}},
		{"active, one customer", &asset.CreditMemoListParams{CustomerID: e2eCustomer, Voided: &no}, []string{"CM-1", "CM-4"}},
		{"another customer", &asset.CreditMemoListParams{CustomerID: other, Voided: &no}, []string{"CM-2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := c.CreditMemos.List(ctx, e2eBiz, tt.params)
			require.NoError(t, err)
			assert.Equal(t, tt.want, e2eMemoNumbers(page.Data))
			assert.Empty(t, page.NextPageToken)

			// All, a page at a time, walks the same memos.
			p := asset.CreditMemoListParams{PageSize: 1}
			if tt.params != nil {
				p = *tt.params
				p.PageSize = 1
			}
			var walked []asset.CreditMemo
			for m, err := range c.CreditMemos.All(ctx, e2eBiz, &p) {
				require.NoError(t, err)
				walked = append(walked, m)
				require.LessOrEqual(t, len(walked), 10, "the walk ends")
			}
			assert.Equal(t, tt.want, e2eMemoNumbers(walked))
		})
	}

	t.Run("Pager, both ways", func(t *testing.T) {
		pager := c.CreditMemos.Pager(e2eBiz, &asset.CreditMemoListParams{CustomerID: e2eCustomer, PageSize: 2})
		first, err := pager.Next(ctx)
		require.NoError(t, err)
		assert.Equal(t, []string{"CM-1", "CM-3"}, e2eMemoNumbers(first.Data))
		second, err := pager.Next(ctx)
		require.NoError(t, err)
		assert.Equal(t, []string{"CM-4"}, e2eMemoNumbers(second.Data))
		assert.False(t, pager.HasNext())
		back, err := pager.Previous(ctx)
		require.NoError(t, err)
		assert.Equal(t, []string{"CM-1", "CM-3"}, e2eMemoNumbers(back.Data))
	})
}
