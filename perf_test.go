package asset

// Tests for what the performance work must not break or leak: the fast
// decoder agrees with encoding/json, a long walk holds a bounded heap, and
// connections survive every kind of response. None of them times anything.

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
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"go.uber.org/goleak"
)

// Slow references: encoding/json through the wire types, with no fast path.

func slowList(b []byte) (listEnvelope[Invoice], error) {
	var w listEnvelope[invoiceWire]
	err := json.Unmarshal(b, &w)
	return listEnvelope[Invoice]{Data: fromWire[invoiceWire, Invoice](w.Data), Pagination: w.Pagination}, err
}

func slowData(b []byte) (dataEnvelope[Invoice], error) {
	var w dataEnvelope[invoiceWire]
	err := json.Unmarshal(b, &w)
	var e dataEnvelope[Invoice]
	w.Data.into(&e.Data)
	return e, err
}

func slowBatch(b []byte) (batchEnvelope, error) {
	var w struct {
		Data   []invoiceWire `json:"data"`
		Errors []struct {
			Error         string `json:"error"`
			InvoiceNumber string `json:"invoice_number"`
		} `json:"errors"`
	}
	err := json.Unmarshal(b, &w)
	return batchEnvelope{Data: fromWire[invoiceWire, Invoice](w.Data), Errors: w.Errors}, err
}

// checkFastMatchesSlow decodes b with the fast decoder as each envelope and
// as a bare invoice; whenever the fast decoder accepts, encoding/json must
// accept too and produce the same value. It reports whether the fast
// decoder accepted b as a list.
func checkFastMatchesSlow(t *testing.T, b []byte) bool {
	t.Helper()
	var list listEnvelope[Invoice]
	listOK := decodeFast(b, func(d *fastDecoder) { d.list(&list) })
	if listOK {
		want, err := slowList(b)
		if err != nil {
			t.Fatalf("fast decoder accepted a list encoding/json refuses (%v):\n%s", err, b)
		}
		if !reflect.DeepEqual(list, want) {
			t.Fatalf("list decoders disagree on\n%s\nfast %+v\nslow %+v", b, list, want)
		}
	}
	var one dataEnvelope[Invoice]
	if decodeFast(b, func(d *fastDecoder) { d.data(&one) }) {
		want, err := slowData(b)
		if err != nil {
			t.Fatalf("fast decoder accepted an invoice encoding/json refuses (%v):\n%s", err, b)
		}
		if !reflect.DeepEqual(one, want) {
			t.Fatalf("invoice decoders disagree on\n%s\nfast %+v\nslow %+v", b, one, want)
		}
	}
	var batch batchEnvelope
	if decodeFast(b, func(d *fastDecoder) { d.batch(&batch) }) {
		want, err := slowBatch(b)
		if err != nil {
			t.Fatalf("fast decoder accepted a batch encoding/json refuses (%v):\n%s", err, b)
		}
		if !reflect.DeepEqual(batch, want) {
			t.Fatalf("batch decoders disagree on\n%s\nfast %+v\nslow %+v", b, batch, want)
		}
	}
	var inv Invoice
	if decodeFast(b, func(d *fastDecoder) { d.invoice(&inv) }) {
		var w invoiceWire
		if err := json.Unmarshal(b, &w); err != nil {
			t.Fatalf("fast decoder accepted an invoice object encoding/json refuses (%v):\n%s", err, b)
		}
		var want Invoice
		w.into(&want)
		if !reflect.DeepEqual(inv, want) {
			t.Fatalf("invoice object decoders disagree on\n%s\nfast %+v\nslow %+v", b, inv, want)
		}
	}
	return listOK
}

// fastDecodeSeeds are responses the fast decoder must get right: the
// fixtures, the benchmark page, and shapes chosen to make it give up.
func fastDecodeSeeds(tb testing.TB) [][]byte {
	files, err := filepath.Glob(filepath.Join("testdata", "*_response.json"))
	if err != nil {
		tb.Fatal(err)
	}
	var seeds [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		seeds = append(seeds, b)
	}
	seeds = append(seeds, newPerfPage(2).bytes("tok"), perfCreatedBody(2))
	for _, s := range []string{
		`{"data":[{"id":"inv_1","lines":[{"id":"l1","amount":1.50,"metadata_":{"a":1}}],"payments":null}],"pagination":{"next_page_token":null}}`,
		`{"data":[{"ID":"inv_1"}],"pagination":{}}`,                   // a key matching only case-insensitively
		`{"data":[{"ıd":"inv_1"}]}`,                                   // folds onto "id" as encoding/json folds keys
		`{"data":[{"id":"inv_1","id":"inv_2"}]}`,                      // a repeated key
		`{"data":[{"id":"inv_\u0031","description":"say \"hi\"\n"}]}`, // escapes in values
		`{"data":[{"\u0069d":"inv_1"}]}`,                              // an escaped key
		`{"data":[{"id":"caf\xc3\xa9","number":"bad \xff utf-8"}]}`,   // non-ASCII and invalid UTF-8
		`{"data":[{"id":1}]}`,                                         // a type mismatch
		`{"data":[{"total_amount":"12.50","total_paid":null,"credit_amount":1e2}]}`,
		`{"data":[{"total_amount":true}]}`,
		`{"data":[{"due_at":"2023-11-07 05:31:56","sent_at":"2023-11-07","voided_at":""}]}`,
		`{"data":[{"due_at":"2023-11-07T05:31:56+02:00"}]}`,
		`{"data":[{"tags":{"Location":"NYC","Job":[{"amount":"3000.00","value":"Roof"}],"Odd":{"x":1},"Gone":null}}]}`,
		`{"data":[{"metadata":{"n":1.5,"big":1e400,"s":"x","b":true,"z":null,"o":{"k":[1,"2"]}},"metadata_":{"old":1}}]}`,
		`{"data":[{"metadata":null,"metadata_":{"old":1}}]}`,
		`{"data":[{"lines":[],"payments":[{"id":"p","invoice":{"deep":[[[{}]]]},"is_write_off":true}]}]}`,
		`{"data":[null]}`,
		`{"data":null,"pagination":null}`,
		`{"data":[],"pagination":{"next_page_token":"a","previous_page_token":"b","extra":1}}`,
		`{"data":[] }  `,
		`{"data":[]} x`,
		`{"data":[1,]}`,
		`{"data":{"id":"inv_1"},"errors":[{"error":"dup","invoice_number":"A"}]}`,
		`{"data":[{"id":"inv_1"}],"errors":[{"error":"dup","invoice_number":"A","extra":1}]}`,
		`{"data":[{"id":"x","n":-0.5e-3,"m":0,"bad":01}]}`,
		`{"data":[{"id":"x","n":[tru]}]}`,
		`{"data":[{"id":"x" "number":"y"}]}`,
		`[]`, `null`, ``, `{`, `{"data":[{"id":"\ud800"}]}`,
	} {
		seeds = append(seeds, []byte(s))
	}
	return seeds
}

func TestFastDecodeMatchesEncodingJSON(t *testing.T) {
	for i, b := range fastDecodeSeeds(t) {
		t.Run(strconv.Itoa(i), func(t *testing.T) { checkFastMatchesSlow(t, b) })
	}
	if !checkFastMatchesSlow(t, newPerfPage(perfPageSize).bytes("next")) {
		t.Fatal("the fast decoder gave up on the usual page")
	}
}

// FuzzFastDecode looks for input on which the fast decoder and
// encoding/json disagree.
func FuzzFastDecode(f *testing.F) {
	for _, b := range fastDecodeSeeds(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) { checkFastMatchesSlow(t, b) })
}

func TestFastDecodeKnowsEveryField(t *testing.T) {
	// A field the wire types have and the fast decoder does not would make
	// it give up on every response that carries it: correct, but slow.
	sample := map[reflect.Type]string{
		reflect.TypeFor[string]():              `"x"`,
		reflect.TypeFor[InvoiceSource]():       `"manual"`,
		reflect.TypeFor[InvoiceStatus]():       `"open"`,
		reflect.TypeFor[Decimal]():             `1.5`,
		reflect.TypeFor[flexTime]():            `"2024-01-02T03:04:05Z"`,
		reflect.TypeFor[bool]():                `true`,
		reflect.TypeFor[map[string]any]():      `{"k":"v"}`,
		reflect.TypeFor[map[string]TagValue](): `{"k":"v"}`,
		reflect.TypeFor[[]lineWire]():          `[{"id":"l"}]`,
		reflect.TypeFor[[]paymentWire]():       `[{"id":"p"}]`,
	}
	for _, tt := range []struct {
		wire   reflect.Type
		decode func(d *fastDecoder)
	}{
		{reflect.TypeFor[invoiceWire](), func(d *fastDecoder) { d.invoice(new(Invoice)) }},
		{reflect.TypeFor[lineWire](), func(d *fastDecoder) { d.line(new(InvoiceLine)) }},
		{reflect.TypeFor[paymentWire](), func(d *fastDecoder) { d.payment(new(InvoicePayment)) }},
	} {
		for i := range tt.wire.NumField() {
			f := tt.wire.Field(i)
			key, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			value, ok := sample[f.Type]
			if !ok {
				t.Fatalf("%s.%s: no sample value for %s", tt.wire.Name(), f.Name, f.Type)
			}
			doc := fmt.Sprintf(`{%q:%s}`, key, value)
			if !decodeFast([]byte(doc), tt.decode) {
				t.Errorf("%s.%s: the fast decoder gives up on %s", tt.wire.Name(), f.Name, doc)
			}
		}
	}
}

func TestDecodeBodyFallsBack(t *testing.T) {
	// Input the fast decoder leaves alone still decodes, as before.
	b := []byte(`{"data":[{"ID":"inv_1","total_amount":"2.50","lines":[{"amount":1,"metadata_":{"a":"b"}}]}],"pagination":{"next_page_token":"n"}}`)
	var env listEnvelope[Invoice]
	if err := decodeBody(b, &env); err != nil {
		t.Fatal(err)
	}
	p := env.page()
	if len(p.Data) != 1 || p.Data[0].ID != "inv_1" || p.Data[0].TotalAmount.String() != "2.50" ||
		p.Data[0].Lines[0].Metadata["a"] != "b" || p.NextPageToken != "n" {
		t.Fatalf("decoded %+v", p)
	}
	var bad listEnvelope[Invoice]
	if err := decodeBody([]byte(`{"data":[{"total_amount":"abc"}]}`), &bad); err == nil {
		t.Fatal("bad money decoded without an error")
	}
}

func TestDecodeKeepsNothingOfTheBody(t *testing.T) {
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

// raceEnabled reports whether the test binary was built with -race, which
// makes everything here several times slower.
func raceEnabled() bool {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range info.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}

func TestWalkHeapStaysBounded(t *testing.T) {
	// Walking an export of any length holds a few pages at a time, never
	// the pages already handed out.
	if testing.Short() {
		t.Skip("walks 1,000 pages")
	}
	pages := 1000
	if raceEnabled() {
		pages = 200 // the bound is per walk, not per page; the race detector is slow
	}
	const maxLiveHeap = 16 << 20
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

	var samples []uint64
	var ms runtime.MemStats
	n := 0
	for inv, err := range c.Invoices.All(context.Background(), perfBiz, &InvoiceListParams{PageSize: perfPageSize}) {
		if err != nil {
			t.Fatal(err)
		}
		if n%(100*perfPageSize) == 0 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			samples = append(samples, ms.HeapAlloc)
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
			t.Errorf("live heap after %d pages is %.1f MiB, over %d MiB", i*100, float64(h)/(1<<20), maxLiveHeap>>20)
		}
	}
	t.Logf("live heap every 100 pages, MiB: %s", formatMiB(samples))
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
	var attempts atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		attempts.Add(1)
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
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
	ctx := context.Background()
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
	}
	const total = 1000
	for i := range total {
		tc := calls[i%len(calls)]
		err := tc.call()
		switch {
		case tc.name == "an unexpected status":
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusTeapot {
				t.Fatalf("call %d (%s): %v", i, tc.name, err)
			}
		case tc.want == nil && err != nil, tc.want != nil && !errors.Is(err, tc.want):
			t.Fatalf("call %d (%s): got %v, want %v", i, tc.name, err, tc.want)
		}
	}
	if got := conns.Load(); got > 2 {
		t.Errorf("%d calls (%d requests) opened %d connections, want at most 2", total, attempts.Load(), got)
	}
	t.Logf("%d calls, %d requests, %d connections", total, attempts.Load(), conns.Load())
}
