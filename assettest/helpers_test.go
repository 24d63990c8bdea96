package assettest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
)

// These tests speak plain HTTP, so the fake is checked on its own and not
// through the SDK it serves.

type tester struct {
	t   *testing.T
	srv *assettest.Server
	hc  *http.Client
}

func newTester(t *testing.T, opts ...assettest.Option) *tester {
	t.Helper()
	srv := assettest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return &tester{t: t, srv: srv, hc: srv.HTTPClient()}
}

// reply is a response with its body decoded, numbers kept as written.
type reply struct {
	status int
	header http.Header
	raw    []byte
	body   any
}

// do sends body (a string is sent as is, anything else as JSON) with the
// server's token unless headers say otherwise ("Authorization", "").
func (h *tester) do(method, path string, body any, headers ...string) reply {
	h.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		require.NoError(h.t, err)
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, h.srv.URL+path, r)
	require.NoError(h.t, err)
	req.Header.Set("Authorization", "Bearer "+h.srv.Token())
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	resp, err := h.hc.Do(req)
	require.NoError(h.t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(h.t, err)
	rep := reply{status: resp.StatusCode, header: resp.Header, raw: raw}
	if len(raw) > 0 {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		require.NoError(h.t, dec.Decode(&rep.body), "body %s", raw)
	}
	return rep
}

// get walks a decoded body: string keys for objects, ints for lists.
func get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

// num is a JSON number as written on the wire, "" if the value is not a
// bare number.
func num(v any) string {
	n, ok := v.(json.Number)
	if !ok {
		return ""
	}
	return string(n)
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func (r reply) get(path ...any) any { return get(r.body, path...) }

// requireStatus fails with the body, which says why.
func (r reply) requireStatus(t *testing.T, status int) reply {
	t.Helper()
	require.Equal(t, status, r.status, "body: %s", r.raw)
	return r
}

// requireDetailAt asserts a FastAPI validation error with an entry at loc.
func (r reply) requireDetailAt(t *testing.T, typ string, loc ...any) {
	t.Helper()
	r.requireStatus(t, http.StatusUnprocessableEntity)
	want := fmt.Sprintf("%v", loc)
	var locs []string
	for _, d := range r.get("detail").([]any) {
		got := fmt.Sprintf("%v", normalizeLoc(get(d, "loc")))
		locs = append(locs, got)
		if got == want {
			require.NotEmpty(t, get(d, "msg"))
			if typ != "" {
				require.Equal(t, typ, get(d, "type"), "body %s", r.raw)
			}
			return
		}
	}
	t.Fatalf("no detail at %s; got %v in %s", want, locs, r.raw)
}

func normalizeLoc(v any) []any {
	var out []any
	for _, e := range v.([]any) {
		if n, ok := e.(json.Number); ok {
			i, _ := n.Int64()
			out = append(out, int(i))
			continue
		}
		out = append(out, e)
	}
	return out
}

func bizPath(biz, rest string) string { return "/v0/business/" + biz + rest }

// create posts invoices and returns the reply, requiring 201.
func (h *tester) create(biz string, invoices ...map[string]any) reply {
	h.t.Helper()
	return h.do("POST", bizPath(biz, "/invoice"), invoices).requireStatus(h.t, http.StatusCreated)
}

// createOne creates an invoice of one line of amount and returns its id.
func (h *tester) createOne(biz, number, amount string) string {
	h.t.Helper()
	rep := h.create(biz, map[string]any{"number": number, "lines": []any{map[string]any{"amount": json.Number(amount)}}})
	require.Empty(h.t, rep.get("errors"), "body %s", rep.raw)
	return str(rep.get("data", 0, "id"))
}

func mustDec(s string) asset.Decimal { return asset.MustDecimal(s) }

// createMemo issues a credit memo to customer and returns its id.
func (h *tester) createMemo(biz, customer, number, amount string) string {
	h.t.Helper()
	rep := h.do("POST", bizPath(biz, "/credit-memo"), []any{map[string]any{"customer_id": customer, "number": number, "amount": json.Number(amount)}})
	rep.requireStatus(h.t, http.StatusOK)
	require.Empty(h.t, rep.get("errors"), "body %s", rep.raw)
	return str(rep.get("data", 0, "id"))
}

// createCustomer creates a customer with the external id ext and returns
// its id.
func (h *tester) createCustomer(biz, ext string) string {
	h.t.Helper()
	rep := h.do("POST", bizPath(biz, "/customers"), map[string]any{"name": "Customer " + ext, "external_id": ext})
	rep.requireStatus(h.t, http.StatusCreated)
	return str(rep.get("data", "id"))
}
