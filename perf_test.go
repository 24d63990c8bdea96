package asset

// Tests for what the performance work must not break or leak: decoded
// values share nothing with the pooled body, a long walk holds a bounded
// heap, and connections survive every kind of response. None of them times anything.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/assetkit/asset-go/internal/wiretest"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestDecodeKeepsNothingOfTheBody(t *testing.T) {
	t.Parallel()
	// The body is a pooled buffer: every decoded string must be a copy.
	body := newPerfPage(3).bytes("next")
	var env listEnvelope[Invoice]
	if err := decodeBody(body, &env); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("%+v", env)
	for i := range body {
		body[i] = 'X'
	}
	if got := fmt.Sprintf("%+v", env); got != want {
		t.Fatal("the decoded page changed with the buffer it was decoded from")
	}
}

func TestDecimalCompactForm(t *testing.T) {
	// Every way of making a value gives the same representation, and the
	// compact form writes what shopspring writes.
	for _, s := range []string{"0", "0.00", "-0.01", "10.50", "520.56", "123456789012345678", "-123456789012345678",
		"1234567890123456789", "1e5", "1.5E-2", "-2.50e1", "0.000000000000000001", "99999999999999999999.99"} {
		parsed := MustDecimal(s)
		viaShopspring := NewDecimal(parsed.Decimal())
		if !reflect.DeepEqual(parsed, viaShopspring) {
			t.Errorf("%s: parsed %#v, via shopspring %#v", s, parsed, viaShopspring)
		}
		var viaJSON Decimal
		if err := json.Unmarshal([]byte(s), &viaJSON); err != nil || !reflect.DeepEqual(parsed, viaJSON) {
			t.Errorf("%s: parsed %#v, via JSON %#v (%v)", s, parsed, viaJSON, err)
		}
		d := parsed.Decimal()
		want := d.String()
		if e := d.Exponent(); e < 0 {
			want = d.StringFixed(-e)
		}
		if parsed.String() != want {
			t.Errorf("%s: String() = %q, shopspring writes %q", s, parsed.String(), want)
		}
	}
	amount := []byte("1561.68")
	if n := testing.AllocsPerRun(100, func() {
		var d Decimal
		_ = d.UnmarshalJSON(amount)
	}); n != 0 {
		t.Errorf("decoding a short amount allocates %v times", n)
	}
}

func TestWalkHeapStaysBounded(t *testing.T) {
	// Walking an export of any length holds a few pages at a time, never
	// the pages already handed out. The walk itself holds 0.6 to 1.7 MiB
	// here; a page kept after it was handed out adds 0.3 MiB (its
	// invoices), or 0.14 MiB if only its body is kept. Length and bound go
	// together: on its last page a walk that keeps as little as 16 KiB of
	// every page is over 8 MiB.
	if testing.Short() {
		t.Skip("walks 500 pages")
	}
	pages := 500
	if wiretest.Race() {
		pages = 200 // the race detector is slow; 35 KiB a page is still over the bound
	}
	const maxLiveHeap = 8 << 20
	const sampleEvery = 50 // pages
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())

	page := newPerfPage(perfPageSize)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Query().Get("page_token"), "p"))
		next := ""
		if n+1 < pages {
			next = "p" + strconv.Itoa(n+1)
		}
		page.write(w, next)
	}))
	defer srv.Close()
	hc := perfHTTPClient()
	defer hc.CloseIdleConnections()
	c := newPerfClient(t, srv.URL, WithHTTPClient(hc))

	// What the walk holds is measured from what the process held before
	// it: tests run earlier in the same process (go test -count=2) may
	// keep fixtures of their own.
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	before := ms.HeapAlloc
	var samples []uint64
	var sampledAt []int // the page each sample was taken on
	n := 0
	for inv, err := range c.Invoices.All(context.Background(), perfBiz, &InvoiceListParams{PageSize: perfPageSize}) {
		if err != nil {
			t.Fatal(err)
		}
		// Every sampleEvery pages, and on the last invoice, while the walk
		// still holds what it holds.
		if n%(sampleEvery*perfPageSize) == 0 || n == pages*perfPageSize-1 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			samples = append(samples, ms.HeapAlloc-min(ms.HeapAlloc, before))
			sampledAt = append(sampledAt, n/perfPageSize)
		}
		if inv.ID == "" {
			t.Fatal("an invoice without an id")
		}
		n++
	}
	if n != pages*perfPageSize {
		t.Fatalf("walked %d invoices, want %d", n, pages*perfPageSize)
	}
	for i, h := range samples {
		if h > maxLiveHeap {
			t.Errorf("the walk's live heap on page %d is %.1f MiB, over %d MiB", sampledAt[i], float64(h)/(1<<20), maxLiveHeap>>20)
		}
	}
	t.Logf("live heap every %d pages and on the last, MiB: %s", sampleEvery, formatMiB(samples))
}

func formatMiB(samples []uint64) string {
	parts := make([]string, len(samples))
	for i, s := range samples {
		parts[i] = strconv.FormatFloat(float64(s)/(1<<20), 'f', 1, 64)
	}
	return strings.Join(parts, " ")
}

func TestConnectionsSurviveEveryOutcome(t *testing.T) {
	// Every response, success or failure, retried or not, is read and
	// closed, so one keep-alive connection carries all the calls.
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	list := newPerfPage(5)
	created := perfCreatedBody(1)
	// A proxy's error page, longer than what retryablehttp drains before a
	// retry and than what an APIError keeps.
	bigError := bytes.Repeat([]byte("<p>gateway trouble</p>"), 100<<10/22)
	var attempts, tokenRequests atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		attempts.Add(1)
		_ = r.ParseForm() // reads a token request's form to its end
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/v0/auth/token" {
			tokenRequests.Add(1)
			if r.PostForm.Get("client_id") == "cli_refused" {
				w.WriteHeader(http.StatusUnauthorized)
				_, _ = w.Write(bigError)
				return
			}
			_, _ = io.WriteString(w, `{"access_token": "tok_issued", "token_type": "bearer", "expires_in": 3600}`)
			return
		}
		switch r.Header.Get("X-Case") {
		case "list":
			list.write(w, "next")
		case "get404":
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"detail":"Invoice not found"}`)
		case "create422":
			w.WriteHeader(http.StatusUnprocessableEntity)
			_, _ = io.WriteString(w, `{"detail":[{"loc":["body",0,"number"],"msg":"field required","type":"missing"}]}`)
		case "create201":
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write(created)
		case "get500":
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(w, `{"detail":"boom"}`)
		case "create500":
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(w, `{"detail":"boom"}`)
		case "get502html":
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write(bigError)
		case "get429":
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = io.WriteString(w, `{"error":"Rate limit exceeded: 300 per 1 minute"}`)
		case "garbage":
			_, _ = io.WriteString(w, `{"data": {"id": `)
		case "create201garbage":
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write(bigError)
		case "redirect":
			w.Header().Set("Location", "https://elsewhere.example/v0/business")
			w.WriteHeader(http.StatusFound)
			_, _ = w.Write(bigError)
		case "get401":
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write(bigError)
		default:
			w.WriteHeader(http.StatusTeapot)
		}
	}))
	var conns atomic.Int64
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	hc := perfHTTPClient()
	defer hc.CloseIdleConnections()
	c := newPerfClient(t, srv.URL, WithHTTPClient(hc), WithRetryWait(0, 0))
	// Clients whose token requests are refused, or whose tokens the API
	// refuses, so that a token is fetched on every call.
	credsClient := func(id string) *Client {
		cc, err := NewClient(WithBaseURL(srv.URL), WithHTTPClient(hc), WithRetryWait(0, 0),
			WithClientCredentials(ClientCredentials{ClientID: id, ClientSecret: "sec_perf"}))
		require.NoError(t, err)
		return cc
	}
	refused, accepted := credsClient("cli_refused"), credsClient("cli_accepted")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	one := perfCreates(1) // the invoice perfCreatedBody(1) answers with
	var resp Response

	calls := []struct {
		name string
		call func() error
		want error // nil for success
	}{
		{"list", func() error {
			_, err := c.Invoices.List(ctx, perfBiz, nil, WithHeader("X-Case", "list"), WithResponseInto(&resp))
			return err
		}, nil},
		{"get 404", func() error {
			_, err := c.Invoices.Get(ctx, perfBiz, "inv_1", WithHeader("X-Case", "get404"))
			return err
		}, ErrNotFound},
		{"create 422", func() error {
			_, err := c.Invoices.Create(ctx, perfBiz, one, WithHeader("X-Case", "create422"))
			return err
		}, ErrValidation},
		{"create 201", func() error {
			_, err := c.Invoices.Create(ctx, perfBiz, one, WithHeader("X-Case", "create201"))
			return err
		}, nil},
		{"get 500 without retries", func() error {
			_, err := c.Invoices.Get(ctx, perfBiz, "inv_1", WithHeader("X-Case", "get500"), WithMaxRetries(0))
			return err
		}, ErrServer},
		{"get 500 with retries", func() error {
			_, err := c.Invoices.Get(ctx, perfBiz, "inv_1", WithHeader("X-Case", "get500"), WithMaxRetries(2))
			return err
		}, ErrServer},
		{"create 500, not retried", func() error {
			_, err := c.Invoices.Create(ctx, perfBiz, one, WithHeader("X-Case", "create500"))
			return err
		}, ErrOutcomeUnknown},
		{"get 502 with a large HTML body", func() error {
			_, err := c.Invoices.Get(ctx, perfBiz, "inv_1", WithHeader("X-Case", "get502html"), WithMaxRetries(1))
			return err
		}, ErrServer},
		{"get 429 after retries", func() error {
			_, err := c.Invoices.Get(ctx, perfBiz, "inv_1", WithHeader("X-Case", "get429"), WithMaxRetries(1))
			return err
		}, ErrRateLimited},
		{"a body that does not decode", func() error {
			_, err := c.Invoices.Get(ctx, perfBiz, "inv_1", WithHeader("X-Case", "garbage"))
			return err
		}, ErrInvalidReply},
		{"an unexpected status", func() error {
			_, err := c.Invoices.Get(ctx, perfBiz, "inv_1", WithHeader("X-Case", "teapot"), WithMaxRetries(0))
			return err
		}, nil},
		{"a redirect", func() error {
			_, err := c.Invoices.Get(ctx, perfBiz, "inv_1", WithHeader("X-Case", "redirect"))
			return err
		}, nil},
		{"a change whose answer does not decode", func() error {
			_, err := c.Invoices.Create(ctx, perfBiz, one, WithHeader("X-Case", "create201garbage"))
			return err
		}, ErrInvalidReply},
		{"a token request refused", func() error {
			_, err := refused.Invoices.Get(ctx, perfBiz, "inv_1", WithHeader("X-Case", "teapot"))
			return err
		}, ErrUnauthorized},
		{"a token the API refuses, renewed and refused again", func() error {
			_, err := accepted.Invoices.Get(ctx, perfBiz, "inv_1", WithHeader("X-Case", "get401"))
			return err
		}, ErrUnauthorized},
	}
	const total = 1000
	for i := range total {
		tc := calls[i%len(calls)]
		err := tc.call()
		switch tc.name {
		case "an unexpected status", "a redirect":
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusTeapot && apiErr.StatusCode != http.StatusFound {
				t.Fatalf("call %d (%s): %v", i, tc.name, err)
			}
			continue
		}
		switch {
		case tc.want == nil && err != nil, tc.want != nil && !errors.Is(err, tc.want):
			t.Fatalf("call %d (%s): got %v, want %v", i, tc.name, err, tc.want)
		}
	}
	// Two calls in each round of the table need a token each.
	if got, least := tokenRequests.Load(), int64(2*(total/len(calls))); got < least {
		t.Errorf("%d token requests, want at least %d", got, least)
	}
	if got := conns.Load(); got != 1 {
		t.Errorf("%d calls (%d requests) opened %d connections, want 1", total, attempts.Load(), got)
	}
	t.Logf("%d calls, %d requests, %d connections", total, attempts.Load(), conns.Load())
}
