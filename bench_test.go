package asset

// Benchmarks that each measure the SDK against a baseline in the same run,
// on a loopback server serving canned JSON. scripts/bench.sh runs them and
// compares each pair with its budget; nothing here asserts a duration.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	perfBiz      = "biz_Pk2fNFDd8wj7EFeLWJywc7"
	perfToken    = "tok_perf"
	perfPageSize = 100
)

// perfInvoiceJSON writes invoice i as the API's newer version returns it:
// three lines, one payment, metadata and a tag.
func perfInvoiceJSON(w *bytes.Buffer, i int) {
	id := fmt.Sprintf("inv_%022d", i)
	fmt.Fprintf(w, `{"id":%q,"business_id":%q,"number":"INV-%06d","description":"Monthly services, order %d",`, id, perfBiz, i, i)
	fmt.Fprintf(w, `"total_amount":1561.68,"total_paid":520.56,"credit_amount":0,"source":"manual","status":"open",`)
	fmt.Fprintf(w, `"due_at":"2024-03-01T00:00:00Z","sent_at":"2024-02-01T09:30:00Z","voided_at":null,`)
	fmt.Fprintf(w, `"customer_id":"cus_%018d","metadata":{"po":"PO-%d","region":"emea"},"tags":{"Location":"NYC"},"lines":[`, i, i)
	for l := range 3 {
		if l > 0 {
			w.WriteByte(',')
		}
		fmt.Fprintf(w, `{"id":"inv_line_%017d%d","invoice_id":%q,"description":"Consulting, phase %d","ledger_id":"ldg_%022d",`, i, l, id, l+1, l)
		fmt.Fprintf(w, `"unit_price":130.14,"quantity":4,"discount_amount":0,"discount_rate":0,"tax_amount":0,"tax_rate":0,`)
		fmt.Fprintf(w, `"amount":520.56,"is_prepayment":false,"metadata":{}}`)
	}
	fmt.Fprintf(w, `],"payments":[{"id":"inp_%022d","invoice_id":%q,"transaction_id":"txn_%022d","payment_id":"pay_%d",`, i, id, i, i)
	fmt.Fprintf(w, `"datetime":"2024-02-15T12:00:00Z","payment_amount":520.56,"credit_journal_entry_id":null,"credit_memo_id":null,`)
	fmt.Fprintf(w, `"is_write_off":false,"invoice":{}}]}`)
}

// perfPage is a list response split around its next page token, so that a
// server can serve one body under many tokens without building it again.
type perfPage struct{ head, tail []byte }

func newPerfPage(n int) perfPage {
	var w bytes.Buffer
	w.WriteString(`{"data":[`)
	for i := range n {
		if i > 0 {
			w.WriteByte(',')
		}
		perfInvoiceJSON(&w, i)
	}
	w.WriteString(`],"pagination":{"previous_page_token":null,"next_page_token":`)
	return perfPage{head: bytes.Clone(w.Bytes()), tail: []byte(`}}`)}
}

// write serves the page with next as its next token ("" for the last page).
func (p perfPage) write(w http.ResponseWriter, next string) {
	tok := "null"
	if next != "" {
		tok = strconv.Quote(next)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(p.head)+len(tok)+len(p.tail)))
	_, _ = w.Write(p.head)
	_, _ = io.WriteString(w, tok)
	_, _ = w.Write(p.tail)
}

// bytes is the whole body with next as its next token.
func (p perfPage) bytes(next string) []byte {
	rec := httptest.NewRecorder()
	p.write(rec, next)
	return rec.Body.Bytes()
}

// perfCreates is a batch of n invoices to create, three lines each.
func perfCreates(n int) []InvoiceCreate {
	out := make([]InvoiceCreate, n)
	for i := range out {
		lines := make([]InvoiceLineCreate, 3)
		for l := range lines {
			lines[l] = InvoiceLineCreate{
				Description: "Consulting, phase " + strconv.Itoa(l+1),
				LedgerID:    "ldg_WQMDNUHpBThYSNh4AprDBo",
				UnitPrice:   MustDecimal("130.14"),
				Quantity:    DecimalFromInt(4),
			}
		}
		out[i] = InvoiceCreate{
			Number:      fmt.Sprintf("INV-%06d", i),
			Description: "Monthly services",
			CustomerID:  "cus_000000000000000001",
			DueAt:       time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC),
			Lines:       lines,
			Metadata:    map[string]any{"po": "PO-" + strconv.Itoa(i)},
		}
	}
	return out
}

// perfCreatedBody is the 201 answer to a batch of n.
func perfCreatedBody(n int) []byte {
	var w bytes.Buffer
	w.WriteString(`{"data":[`)
	for i := range n {
		if i > 0 {
			w.WriteByte(',')
		}
		perfInvoiceJSON(&w, i)
	}
	w.WriteString(`],"errors":[]}`)
	return w.Bytes()
}

// perfHTTPClient is what a hand-written client would use: the default
// transport's settings, its own connection pool.
func perfHTTPClient() *http.Client {
	return &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
}

func newPerfClient(tb testing.TB, baseURL string, opts ...Option) *Client {
	tb.Helper()
	c, err := NewClient(append([]Option{WithToken(perfToken), WithBaseURL(baseURL)}, opts...)...)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// rawListEnvelope is what a hand-written client would decode a list into.
type rawListEnvelope struct {
	Data       []Invoice `json:"data"`
	Pagination struct {
		NextPageToken *string `json:"next_page_token"`
	} `json:"pagination"`
}

// rawGet is a hand-written GET: no retries, the body decoded as it streams.
func rawGet(ctx context.Context, hc *http.Client, url string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+perfToken)
	req.Header.Set("Accept", "application/json")
	return rawDo(hc, req, out)
}

func rawDo(hc *http.Client, req *http.Request, out any) error {
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		_, _ = io.Copy(io.Discard, resp.Body)
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

func BenchmarkList(b *testing.B) {
	page := newPerfPage(perfPageSize)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		page.write(w, "next")
	}))
	defer srv.Close()
	ctx := context.Background()

	b.Run("sdk", func(b *testing.B) {
		c := newPerfClient(b, srv.URL)
		params := &InvoiceListParams{PageSize: perfPageSize}
		b.SetBytes(int64(len(page.bytes("next"))))
		b.ReportAllocs()
		for b.Loop() {
			p, err := c.Invoices.List(ctx, perfBiz, params)
			if err != nil || len(p.Data) != perfPageSize {
				b.Fatal(err)
			}
		}
	})
	b.Run("raw", func(b *testing.B) {
		hc := perfHTTPClient()
		defer hc.CloseIdleConnections()
		url := srv.URL + "/v0/business/" + perfBiz + "/invoice?page_size=" + strconv.Itoa(perfPageSize)
		b.SetBytes(int64(len(page.bytes("next"))))
		b.ReportAllocs()
		for b.Loop() {
			var env rawListEnvelope
			if err := rawGet(ctx, hc, url, &env); err != nil || len(env.Data) != perfPageSize {
				b.Fatal(err)
			}
		}
	})
	// A hand-written client that keeps money in float64: what the SDK's
	// exact decimals and its two model versions cost, end to end.
	b.Run("naive", func(b *testing.B) {
		hc := perfHTTPClient()
		defer hc.CloseIdleConnections()
		url := srv.URL + "/v0/business/" + perfBiz + "/invoice?page_size=" + strconv.Itoa(perfPageSize)
		b.SetBytes(int64(len(page.bytes("next"))))
		b.ReportAllocs()
		for b.Loop() {
			var env naiveEnvelope
			if err := rawGet(ctx, hc, url, &env); err != nil || len(env.Data) != perfPageSize {
				b.Fatal(err)
			}
		}
	})
	// The same hand-written client decoding as the SDK does, which leaves
	// the pipeline's own cost: retries, headers, buffers, error mapping.
	b.Run("raw_samedecoder", func(b *testing.B) {
		hc := perfHTTPClient()
		defer hc.CloseIdleConnections()
		url := srv.URL + "/v0/business/" + perfBiz + "/invoice?page_size=" + strconv.Itoa(perfPageSize)
		b.SetBytes(int64(len(page.bytes("next"))))
		b.ReportAllocs()
		for b.Loop() {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
			if err != nil {
				b.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+perfToken)
			req.Header.Set("Accept", "application/json")
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			var env listEnvelope[Invoice]
			if err != nil || resp.StatusCode != http.StatusOK || decodeBody(body, &env) != nil || len(env.Data) != perfPageSize {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkCreate(b *testing.B) {
	const n = 10
	body := perfCreatedBody(n)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	ctx := context.Background()
	invoices := perfCreates(n)

	b.Run("sdk", func(b *testing.B) {
		c := newPerfClient(b, srv.URL)
		b.ReportAllocs()
		for b.Loop() {
			got, err := c.Invoices.Create(ctx, perfBiz, invoices)
			if err != nil || len(got) != n {
				b.Fatal(err)
			}
		}
	})
	b.Run("raw", func(b *testing.B) {
		hc := perfHTTPClient()
		defer hc.CloseIdleConnections()
		url := srv.URL + "/v0/business/" + perfBiz + "/invoice"
		b.ReportAllocs()
		for b.Loop() {
			reqBody, err := json.Marshal(invoices)
			if err != nil {
				b.Fatal(err)
			}
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(reqBody))
			if err != nil {
				b.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+perfToken)
			req.Header.Set("Accept", "application/json")
			req.Header.Set("Content-Type", "application/json")
			var env struct {
				Data   []Invoice `json:"data"`
				Errors []struct {
					Error         string `json:"error"`
					InvoiceNumber string `json:"invoice_number"`
				} `json:"errors"`
			}
			if err := rawDo(hc, req, &env); err != nil || len(env.Data) != n {
				b.Fatal(err)
			}
		}
	})
}

// Naive models: what a client that keeps money in float64 would decode into.
type (
	naiveEnvelope struct {
		Data       []naiveInvoice `json:"data"`
		Pagination struct {
			NextPageToken     *string `json:"next_page_token"`
			PreviousPageToken *string `json:"previous_page_token"`
		} `json:"pagination"`
	}
	naiveInvoice struct {
		ID           string         `json:"id"`
		BusinessID   string         `json:"business_id"`
		Number       string         `json:"number"`
		Description  string         `json:"description"`
		CustomerID   string         `json:"customer_id"`
		TotalAmount  float64        `json:"total_amount"`
		TotalPaid    float64        `json:"total_paid"`
		CreditAmount float64        `json:"credit_amount"`
		Source       string         `json:"source"`
		Status       string         `json:"status"`
		DueAt        time.Time      `json:"due_at"`
		SentAt       time.Time      `json:"sent_at"`
		VoidedAt     time.Time      `json:"voided_at"`
		Metadata     map[string]any `json:"metadata"`
		Tags         map[string]any `json:"tags"`
		Lines        []naiveLine    `json:"lines"`
		Payments     []naivePayment `json:"payments"`
	}
	naiveLine struct {
		ID             string         `json:"id"`
		InvoiceID      string         `json:"invoice_id"`
		Description    string         `json:"description"`
		LedgerID       string         `json:"ledger_id"`
		UnitPrice      float64        `json:"unit_price"`
		Quantity       float64        `json:"quantity"`
		DiscountAmount float64        `json:"discount_amount"`
		DiscountRate   float64        `json:"discount_rate"`
		TaxAmount      float64        `json:"tax_amount"`
		TaxRate        float64        `json:"tax_rate"`
		Amount         float64        `json:"amount"`
		IsPrepayment   bool           `json:"is_prepayment"`
		Metadata       map[string]any `json:"metadata"`
	}
	naivePayment struct {
		ID                   string    `json:"id"`
		InvoiceID            string    `json:"invoice_id"`
		TransactionID        string    `json:"transaction_id"`
		PaymentID            string    `json:"payment_id"`
		Datetime             time.Time `json:"datetime"`
		PaymentAmount        float64   `json:"payment_amount"`
		CreditJournalEntryID string    `json:"credit_journal_entry_id"`
		CreditMemoID         string    `json:"credit_memo_id"`
		IsWriteOff           bool      `json:"is_write_off"`
	}
)

func BenchmarkDecodePage(b *testing.B) {
	body := newPerfPage(perfPageSize).bytes("next")
	b.Run("decimal", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			var env listEnvelope[Invoice]
			if err := decodeBody(body, &env); err != nil || len(env.Data) != perfPageSize {
				b.Fatal(err)
			}
		}
	})
	b.Run("float64", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			var env naiveEnvelope
			if err := json.Unmarshal(body, &env); err != nil || len(env.Data) != perfPageSize {
				b.Fatal(err)
			}
		}
	})
}

// The walk benchmark's model of an export: every page takes the server
// walkBenchLatency to answer and the caller walkBenchWork to handle.
const (
	walkBenchPages   = 40
	walkBenchLatency = 10 * time.Millisecond
	walkBenchWork    = 10 * time.Millisecond
)

// newWalkServer serves walkBenchPages pages chained by the tokens "p1", "p2"...
func newWalkServer(page perfPage) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(walkBenchLatency)
		n := 0
		if tok := r.URL.Query().Get("page_token"); tok != "" {
			n, _ = strconv.Atoi(strings.TrimPrefix(tok, "p"))
		}
		next := ""
		if n+1 < walkBenchPages {
			next = "p" + strconv.Itoa(n+1)
		}
		page.write(w, next)
	}))
}

func BenchmarkWalk(b *testing.B) {
	page := newPerfPage(perfPageSize)
	srv := newWalkServer(page)
	defer srv.Close()
	ctx := context.Background()
	c := newPerfClient(b, srv.URL)

	b.Run("prefetch", func(b *testing.B) {
		for b.Loop() {
			n := 0
			for _, err := range c.Invoices.All(ctx, perfBiz, &InvoiceListParams{PageSize: perfPageSize}) {
				if err != nil {
					b.Fatal(err)
				}
				if n%perfPageSize == 0 {
					time.Sleep(walkBenchWork)
				}
				n++
			}
			if n != walkBenchPages*perfPageSize {
				b.Fatalf("walked %d invoices", n)
			}
		}
	})
	b.Run("sequential", func(b *testing.B) {
		for b.Loop() {
			n := 0
			params := &InvoiceListParams{PageSize: perfPageSize}
			for {
				p, err := c.Invoices.List(ctx, perfBiz, params)
				if err != nil {
					b.Fatal(err)
				}
				time.Sleep(walkBenchWork)
				n += len(p.Data)
				if !p.HasNext() {
					break
				}
				params.PageToken = p.NextPageToken
			}
			if n != walkBenchPages*perfPageSize {
				b.Fatalf("walked %d invoices", n)
			}
		}
	})
}
