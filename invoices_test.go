package asset

import (
	"context"
	"encoding/json"
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

func goldenCreateInput() []InvoiceCreate {
	return []InvoiceCreate{
		{
			Number:       "INV-1001",
			Description:  "Roof repair",
			CustomerID:   "cus_8Hn2",
			DueAt:        time.Date(2023, 12, 1, 0, 0, 0, 0, time.UTC),
			SentAt:       time.Date(2023, 11, 7, 5, 31, 56, 0, time.FixedZone("EST", -5*3600)),
			CreditAmount: DecimalFromInt(0),
			Lines: []InvoiceLineCreate{
				{
					Description:  "Labour",
					LedgerID:     "ldg_WQMDNUHpBThYSNh4AprDBo",
					UnitPrice:    MustDecimal("10.50"),
					Quantity:     MustDecimal("3"),
					DiscountRate: MustDecimal("0.05"),
					TaxRate:      MustDecimal("0.0825"),
					IsPrepayment: true,
					Metadata:     map[string]any{"job": "J-7"},
				},
				{Description: "Materials", Amount: MustDecimal("520.56")},
			},
			Metadata: map[string]any{"source": "erp"},
			Tags:     map[string]string{"Location": "NYC"},
		},
		{
			Number:             "INV-1002",
			CustomerExternalID: "crm-991",
			Lines:              []InvoiceLineCreate{{Amount: MustDecimal("0.00")}},
		},
	}
}

func TestCreateBody(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	srv.Handle("POST "+pathInvoices, reply(http.StatusCreated, `{"data": [
			{"id": "inv_1", "business_id": "`+testBiz+`", "number": "INV-1001", "total_amount": 552.06, "status": "open"},
			{"id": "inv_2", "business_id": "`+testBiz+`", "number": "INV-1002", "total_amount": 0.00, "status": "open"}
		], "errors": []}`))

	invs, err := c.Invoices.Create(context.Background(), testBiz, goldenCreateInput())
	require.NoError(t, err)
	sent := srv.Sent()
	require.Len(t, sent, 1)
	assert.Equal(t, []string{"application/json"}, sent[0].Header.Values("Content-Type"))
	requireSameJSON(t, testdataFile(t, "golden_create.json"), sent[0].Body)
	// The business is in the path; the older body field is not needed.
	assert.NotContains(t, string(sent[0].Body), "business_id")

	require.Len(t, invs, 2)
	assert.Equal(t, "inv_1", invs[0].ID)
	assertDecimal(t, "552.06", invs[0].TotalAmount, "total_amount")
	assert.Equal(t, "INV-1002", invs[1].Number)
	assertDecimal(t, "0.00", invs[1].TotalAmount, "total_amount")
}

func TestCreateSeedResponse(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	srv.Handle("POST "+pathInvoices, replyFile(t, http.StatusCreated, "seed_create_response.json"))

	invs, err := c.Invoices.Create(context.Background(), testBiz, []InvoiceCreate{{Number: "<string>"}})
	require.NoError(t, err)
	require.Len(t, invs, 1)
	assert.Equal(t, seedOlderInvoice(), inUTC(invs[0]))
	sent := srv.Sent()
	require.Len(t, sent, 1)
	assert.Equal(t, "Bearer "+testToken, sent[0].Header.Get("Authorization"))
	assert.Equal(t, []string{"application/json"}, sent[0].Header.Values("Content-Type"))
	assert.JSONEq(t, `[{"number": "<string>"}]`, string(sent[0].Body))
}

func TestCreateBatchPartialSuccess(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	srv.Handle("POST "+pathInvoices, replyFile(t, http.StatusCreated, "batch_partial_response.json"))

	in := []InvoiceCreate{{Number: "A-1"}, {Number: "A-2"}, {Number: "A-3"}, {Number: "A-4"}}
	invs, err := c.Invoices.Create(context.Background(), testBiz, in)
	require.Error(t, err)
	assert.Equal(t, 1, srv.Requests())
	// What was created is returned with the error, so that it is not created
	// a second time by a caller who retries the whole batch.
	require.Len(t, invs, 1)
	assert.Equal(t, "inv_Batch1", invs[0].ID)
	assert.Equal(t, "A-1", invs[0].Number)

	var be *BatchError
	require.ErrorAs(t, err, &be)
	require.Len(t, be.Failures, 4)
	assert.Equal(t, BatchFailure{Number: "A-2", Index: 1, Message: "Invoice number already exists"}, be.Failures[0])
	// are in neither data nor errors, and a refusal under a
	// number not sent accounts for neither: they may exist.
	for i, want := range []string{"A-3", "A-4"} {
		f := be.Failures[1+i]
		assert.Equal(t, want, f.Number)
		assert.Equal(t, 2+i, f.Index)
		assert.NotEmpty(t, f.Message)
		assert.ErrorIs(t, f.Err, ErrOutcomeUnknown)
	}
	// In input order; a number that was not sent comes last.
	assert.Equal(t, BatchFailure{Number: "Z-9", Index: -1, Message: "Customer not found"}, be.Failures[3])
	assert.ElementsMatch(t, []string{"A-2", "Z-9", "A-3", "A-4"}, be.Numbers())
	assert.Contains(t, err.Error(), "A-2")
	assert.NotErrorIs(t, err, ErrValidation, "the batch was accepted; only some invoices failed")
}

func TestCreateBatchAllFailed(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	srv.Handle("POST "+pathInvoices, replyValue(t, http.StatusCreated, map[string]any{
		"data":   []any{},
		"errors": []map[string]string{{"error": "duplicate", "invoice_number": "B-1"}},
	}))

	invs, err := c.Invoices.Create(context.Background(), testBiz, []InvoiceCreate{{Number: "B-1"}})
	assert.Empty(t, invs)
	assert.Equal(t, 1, srv.Requests())
	var be *BatchError
	require.ErrorAs(t, err, &be)
	assert.Equal(t, []BatchFailure{{Number: "B-1", Index: 0, Message: "duplicate"}}, be.Failures)
	assert.Contains(t, err.Error(), `"B-1"`)
	assert.Contains(t, err.Error(), "duplicate")
}

func TestCreateMaxBatch(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	in := make([]InvoiceCreate, maxBatch)
	data := make([]map[string]any, maxBatch)
	for i := range in {
		in[i].Number = fmt.Sprintf("N-%03d", i)
		data[i] = map[string]any{"id": fmt.Sprintf("inv_%03d", i), "number": in[i].Number}
	}
	srv.Handle("POST "+pathInvoices, replyValue(t, http.StatusCreated, map[string]any{"data": data}))

	invs, err := c.Invoices.Create(context.Background(), testBiz, in)
	require.NoError(t, err)
	assert.Len(t, invs, maxBatch)
	sent := srv.Sent()
	require.Len(t, sent, 1)
	var body []map[string]any
	require.NoError(t, json.Unmarshal(sent[0].Body, &body))
	assert.Len(t, body, maxBatch)
}

func TestGet(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	srv.Handle("GET "+pathInvoice, replyFile(t, http.StatusOK, "seed_update_response.json"))

	inv, err := c.Invoices.Get(context.Background(), testBiz, testInv)
	require.NoError(t, err)
	sent := srv.Sent()
	require.Len(t, sent, 1)
	assert.Equal(t, "application/json", sent[0].Header.Get("Accept"))
	require.NotNil(t, inv)
	assert.Equal(t, "<string>", inv.ID)
	assertDecimal(t, "123", inv.TotalAmount, "total_amount")
	assert.Equal(t, "NYC", inv.Tags["Location"].Value)
	require.Len(t, inv.Payments, 1)
	assert.Equal(t, "3c90c3cc-0d44-4b50-8888-8dd25736052a", inv.Payments[0].CreditJournalEntryID)
}

func TestGetEscapesIDs(t *testing.T) {
	// Ids are escaped into the path, never spliced in raw.
	t.Parallel()
	c, srv := setup(t)
	srv.Handle("GET /v0/business/{business_id}/invoice/{invoice_id}", replyFile(t, http.StatusOK, "seed_payment_response.json"))

	_, err := c.Invoices.Get(context.Background(), "biz_é", "inv_a+b:c")
	require.NoError(t, err)
	sent := srv.Sent()
	require.Len(t, sent, 1)
	assert.Equal(t, "/v0/business/biz_%C3%A9/invoice/inv_a+b:c", sent[0].Path)
}

func TestListQuery(t *testing.T) {
	t.Parallel()
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(2024, 1, 31, 23, 59, 59, 0, time.UTC)
	plus2 := time.FixedZone("", 2*3600)
	tests := []struct {
		name   string
		params *InvoiceListParams
		want   url.Values
	}{
		{"nil params", nil, url.Values{}},
		{"zero params", &InvoiceListParams{}, url.Values{}},
		{"one status", &InvoiceListParams{Status: []InvoiceStatus{InvoiceStatusOpen}}, url.Values{"status": {"open"}}},
		{"statuses repeat the key", &InvoiceListParams{Status: []InvoiceStatus{InvoiceStatusOpen, InvoiceStatusPaid, InvoiceStatusPartiallyRefunded}},
			url.Values{"status": {"open", "paid", "partially_refunded"}}},
		{"empty status list", &InvoiceListParams{Status: []InvoiceStatus{}}, url.Values{}},
		{"due range", &InvoiceListParams{DueAtStart: start, DueAtEnd: end},
			url.Values{"due_at_start": {"2024-01-01T00:00:00Z"}, "due_at_end": {"2024-01-31T23:59:59Z"}}},
		{"due start only, zone kept", &InvoiceListParams{DueAtStart: time.Date(2024, 3, 1, 9, 30, 0, 0, plus2)},
			url.Values{"due_at_start": {"2024-03-01T09:30:00+02:00"}}},
		{"due end only", &InvoiceListParams{DueAtEnd: end}, url.Values{"due_at_end": {"2024-01-31T23:59:59Z"}}},
		{"fractions of a second kept, so an inclusive end loses nothing", &InvoiceListParams{DueAtEnd: end.Add(999 * time.Millisecond)},
			url.Values{"due_at_end": {"2024-01-31T23:59:59.999Z"}}},
		{"page size", &InvoiceListParams{PageSize: 50}, url.Values{"page_size": {"50"}}},
		{"page size bounds", &InvoiceListParams{PageSize: 100}, url.Values{"page_size": {"100"}}},
		{"page token", &InvoiceListParams{PageToken: "eyJpZCI6MX0=/+?&"}, url.Values{"page_token": {"eyJpZCI6MX0=/+?&"}}},
		{"everything", &InvoiceListParams{
			Status:     []InvoiceStatus{InvoiceStatusVoided, InvoiceStatusUncollectible},
			DueAtStart: start, DueAtEnd: end, PageSize: 1, PageToken: "p7",
		}, url.Values{
			"status":       {"voided", "uncollectible"},
			"due_at_start": {"2024-01-01T00:00:00Z"},
			"due_at_end":   {"2024-01-31T23:59:59Z"},
			"page_size":    {"1"},
			"page_token":   {"p7"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t)
			srv.Handle("GET "+pathInvoices, replyFile(t, http.StatusOK, "seed_list_response.json"))

			page, err := c.Invoices.List(context.Background(), testBiz, tt.params)
			require.NoError(t, err)
			sent := srv.Sent()
			require.Len(t, sent, 1)
			assert.Equal(t, tt.want, sent[0].Values(t), "raw query %q", sent[0].Query)
			if len(tt.want) == 0 {
				assert.Empty(t, sent[0].Query)
			}
			require.Len(t, page.Data, 1)
			assert.Equal(t, "inv_WQMDNUHpBThYSNh4AprDBo", page.Data[0].ID)
			assert.Equal(t, "<string>", page.NextPageToken)
		})
	}
}

func TestListLastPage(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	srv.Handle("GET "+pathInvoices, replyFile(t, http.StatusOK, "last_page_response.json"))

	page, err := c.Invoices.List(context.Background(), testBiz, &InvoiceListParams{PageToken: "p9"})
	require.NoError(t, err)
	sent := srv.Sent()
	require.Len(t, sent, 1)
	assert.Equal(t, []string{"p9"}, sent[0].Values(t)["page_token"])
	assert.Empty(t, page.Data)
	assert.False(t, page.HasNext())
	assert.False(t, page.HasPrevious())
}

// listBody is a list response body with the given ids and tokens; an empty
// token is sent as null.
func listBody(next, prev string, ids ...string) string {
	data := make([]string, len(ids))
	for i, id := range ids {
		data[i] = fmt.Sprintf(`{"id": %q, "business_id": %q, "number": "N-%s", "total_amount": "%d.50"}`, id, testBiz, id, i+1)
	}
	tok := func(s string) string {
		if s == "" {
			return "null"
		}
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf(`{"data": [%s], "pagination": {"next_page_token": %s, "previous_page_token": %s}}`,
		strings.Join(data, ","), tok(next), tok(prev))
}

func TestAllWalksPages(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	srv.Handle("GET "+pathInvoices, byPageToken(t, map[string]http.HandlerFunc{
		"":   reply(http.StatusOK, listBody("p2", "", "inv_1", "inv_2")),
		"p2": reply(http.StatusOK, listBody("", "p1", "inv_3")),
	}))

	params := &InvoiceListParams{Status: []InvoiceStatus{InvoiceStatusOpen}, PageSize: 2}
	seq := c.Invoices.All(context.Background(), testBiz, params)
	// The walk uses the params as they were when All was called.
	params.Status[0] = InvoiceStatusPaid
	params.PageSize = 9

	var ids []string
	for inv, err := range seq {
		require.NoError(t, err)
		ids = append(ids, inv.ID)
		assert.True(t, inv.TotalAmount.IsSet())
	}
	assert.Equal(t, []string{"inv_1", "inv_2", "inv_3"}, ids)
	sent := srv.Sent()
	require.Len(t, sent, 2)
	for i, wantToken := range []string{"", "p2"} {
		want := url.Values{"status": {"open"}, "page_size": {"2"}}
		if wantToken != "" {
			want.Set("page_token", wantToken)
		}
		assert.Equal(t, want, sent[i].Values(t), "page %d", i+1)
	}
}

func TestPagerBothWays(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	srv.Handle("GET "+pathInvoices, byPageToken(t, map[string]http.HandlerFunc{
		"p2": reply(http.StatusOK, listBody("p3", "p1", "inv_3", "inv_4")),
		"p1": reply(http.StatusOK, listBody("p2", "", "inv_1", "inv_2")),
	}))

	// A saved token starts the pager in the middle of the list.
	pager := c.Invoices.Pager(testBiz, &InvoiceListParams{Status: []InvoiceStatus{InvoiceStatusPaid}, PageToken: "p2"})
	assert.Nil(t, pager.Current())
	assert.True(t, pager.HasNext())
	assert.True(t, pager.HasPrevious())

	page, err := pager.Next(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []string{"inv_3", "inv_4"}, invoiceIDs(page.Data))
	assert.Same(t, page, pager.Current())

	page, err = pager.Previous(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []string{"inv_1", "inv_2"}, invoiceIDs(page.Data))
	assert.False(t, pager.HasPrevious())
	assert.True(t, pager.HasNext())

	_, err = pager.Previous(context.Background())
	require.ErrorIs(t, err, ErrNoMorePages)
	assert.Same(t, page, pager.Current(), "a failed move leaves the pager where it was")
	sent := srv.Sent()
	require.Len(t, sent, 2, "no request for a page that does not exist")
	for i, wantToken := range []string{"p2", "p1"} {
		q := sent[i].Values(t)
		assert.Equal(t, []string{wantToken}, q["page_token"], "request %d", i+1)
		assert.Equal(t, []string{"paid"}, q["status"], "request %d", i+1)
	}
}

func invoiceIDs(invs []Invoice) []string {
	ids := make([]string, len(invs))
	for i, inv := range invs {
		ids[i] = inv.ID
	}
	return ids
}

func TestUpdateBody(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		update InvoiceUpdate
		golden string
	}{
		{
			name: "status, lines and tags",
			update: InvoiceUpdate{
				Status: InvoiceStatusVoided,
				LineChanges: &InvoiceLineChanges{
					CreateLines: []InvoiceLineUpdate{{
						Description: "Re-priced materials",
						LedgerID:    "ldg_WQMDNUHpBThYSNh4AprDBo",
						Amount:      MustDecimal("520.56"),
						Metadata:    map[string]any{"po": "PO-3"},
					}},
					DeleteLines: []string{"inv_line_WQMDNUHpBThYSNh4AprDBo"},
					Metadata:    map[string]any{"reason": "customer asked"},
				},
				// A nil value removes the tag: it must be sent as null, not left out.
				Tags: map[string]*string{"Location": TagSet("NYC"), "Job": TagRemove()},
			},
			golden: "golden_update.json",
		},
		{
			name:   "status only",
			update: InvoiceUpdate{Status: InvoiceStatusUncollectible},
			golden: "golden_update_status.json",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t)
			srv.Handle("PATCH "+pathInvoice, replyFile(t, http.StatusOK, "seed_update_response.json"))

			inv, err := c.Invoices.Update(context.Background(), testBiz, testInv, tt.update)
			require.NoError(t, err)
			sent := srv.Sent()
			require.Len(t, sent, 1)
			assert.Equal(t, []string{"application/json"}, sent[0].Header.Values("Content-Type"))
			requireSameJSON(t, testdataFile(t, tt.golden), sent[0].Body)
			assert.Equal(t, "NYC", inv.Tags["Location"].Value)
			assertDecimal(t, "123", inv.Lines[0].Amount, "lines[0].amount")
		})
	}
}

func TestWriteOffBody(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		writeOff InvoiceWriteOff
		golden   string
	}{
		{"amount and reason", InvoiceWriteOff{Amount: MustDecimal("12.30"), Description: "bad debt"}, "golden_writeoff.json"},
		{"whole balance", InvoiceWriteOff{}, "golden_writeoff_balance.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t)
			srv.Handle("POST "+pathWriteOff, reply(http.StatusOK,
				`{"data": {"id": "`+testInv+`", "total_amount": 100.00, "total_paid": 100.00, "status": "paid",
					"payments": [{"id": "inp_w", "payment_amount": 12.30, "is_write_off": true}]}}`))

			inv, err := c.Invoices.WriteOff(context.Background(), testBiz, testInv, tt.writeOff)
			require.NoError(t, err)
			sent := srv.Sent()
			require.Len(t, sent, 1)
			requireSameJSON(t, testdataFile(t, tt.golden), sent[0].Body)
			assert.Equal(t, InvoiceStatusPaid, inv.Status)
			require.Len(t, inv.Payments, 1)
			assert.True(t, inv.Payments[0].IsWriteOff)
			assertDecimal(t, "12.30", inv.Payments[0].PaymentAmount, "payment_amount")
			assert.Equal(t, 0, inv.Balance().Sign())
		})
	}
}

func TestCallErrorIsReturnedNotDecoded(t *testing.T) {
	// An error status never yields a half-decoded invoice.
	t.Parallel()
	c, srv := setup(t)
	srv.Handle("GET "+pathInvoice, replyValue(t, http.StatusNotFound, map[string]string{"detail": "Invoice not found"}))

	inv, err := c.Invoices.Get(context.Background(), testBiz, testInv)
	assert.Nil(t, inv)
	require.ErrorIs(t, err, ErrNotFound)
	assert.Equal(t, 1, srv.Requests())
	var apiErr *APIError
	require.True(t, errors.As(err, &apiErr))
	assert.Equal(t, "Invoice not found", apiErr.Message)
}
