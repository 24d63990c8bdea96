package assettest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
)

func TestAdminSeeds(t *testing.T) {
	path := filepath.Join(t.TempDir(), "asset.state")
	srv := startState(t, path)
	h := &tester{t: t, srv: srv, hc: srv.HTTPClient()}

	txn := str(h.do("POST", "/_assettest/businesses/"+biz+"/transactions", map[string]any{"amount": "100.00"}).requireStatus(t, http.StatusCreated).get("id"))
	require.Regexp(t, `^txn_[1-9A-HJ-NP-Za-km-z]{22}$`, txn)
	memo := str(h.do("POST", "/_assettest/businesses/"+biz+"/credit", map[string]any{"customer_id": "cus_1", "amount": 25}).requireStatus(t, http.StatusCreated).get("id"))
	require.Regexp(t, `^cm_`, memo)
	h.do("POST", "/_assettest/businesses/"+biz+"/tag-fields", map[string]any{"name": "Region"}).requireStatus(t, http.StatusCreated)

	left, ok := srv.TransactionRemaining(biz, txn)
	require.True(t, ok)
	assert.Equal(t, "100.00", left.String())
	credit, ok := srv.CreditRemaining(biz, "cus_1")
	require.True(t, ok)
	assert.Equal(t, "25", credit.String())
	h.create(biz, map[string]any{"number": "A-1", "lines": []any{map[string]any{"amount": 1}}, "tags": map[string]any{"Region": "EU"}})

	// What the admin API seeds is kept like any change.
	want := readState(srv, biz, txn)
	srv.Close()
	assert.Equal(t, want, readState(startState(t, path), biz, txn))
}

func TestAdminRefuses(t *testing.T) {
	h := newTester(t)
	c := h.srv.Client(asset.WithClientCredentials(h.srv.ClientCredentials()))
	_, err := c.Invoices.List(context.Background(), biz, nil)
	require.NoError(t, err)

	for _, tc := range []struct {
		name, method, path string
		body               any
		headers            []string
		status             int
	}{
		{"no token", "GET", "/_assettest/stats", nil, []string{"Authorization", ""}, 401},
		{"another token", "GET", "/_assettest/stats", nil, []string{"Authorization", "Bearer nope"}, 401},
		{"an unknown path", "GET", "/_assettest/nothing", nil, nil, 404},
		{"an unknown seed", "POST", "/_assettest/businesses/" + biz + "/money", map[string]any{"amount": 1}, nil, 404},
		{"a wrong method", "GET", "/_assettest/faults", nil, nil, 405},
		{"a seed of no amount", "POST", "/_assettest/businesses/" + biz + "/transactions", map[string]any{}, nil, 422},
		{"a seed of a fraction of a cent", "POST", "/_assettest/businesses/" + biz + "/transactions", map[string]any{"amount": "1.005"}, nil, 422},
		{"a seed in no business", "POST", "/_assettest/businesses/acme/transactions", map[string]any{"amount": 1}, nil, 422},
		{"credit without a customer", "POST", "/_assettest/businesses/" + biz + "/credit", map[string]any{"amount": 1}, nil, 422},
		{"a misspelt field", "POST", "/_assettest/businesses/" + biz + "/transactions", map[string]any{"amout": 1}, nil, 422},
		{"an unknown route", "POST", "/_assettest/faults", map[string]any{"route": "POST /v0/nothing", "fault": "malformed"}, nil, 422},
		{"an unknown fault", "POST", "/_assettest/faults", map[string]any{"route": string(assettest.RouteCreateInvoices), "fault": "explode"}, nil, 422},
		{"a status out of range", "POST", "/_assettest/faults", map[string]any{"route": string(assettest.RouteCreateInvoices), "fault": "status", "status": 700}, nil, 422},
		{"a delay of nothing", "POST", "/_assettest/faults", map[string]any{"route": string(assettest.RouteCreateInvoices), "fault": "delay"}, nil, 422},
		{"a bad latency", "PUT", "/_assettest/latency", map[string]any{"latency": "soon"}, nil, 422},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.do(tc.method, tc.path, tc.body, tc.headers...).requireStatus(t, tc.status)
		})
	}
	// The admin API's requests are not the API's: nothing counted.
	assert.Equal(t, assettest.RouteStats{Requests: 1, Served: 1}, h.srv.Stats(assettest.RouteListInvoices))
	assert.Empty(t, h.srv.Invoices(biz))
	_, ok := h.srv.CreditRemaining(biz, "cus_1")
	assert.False(t, ok)
}

func TestAdminFaults(t *testing.T) {
	create := map[string]any{"number": "F-1", "lines": []any{map[string]any{"amount": 1}}}
	for _, tc := range []struct {
		name    string
		fault   map[string]any
		status  int // 0: the connection is dropped
		check   func(t *testing.T, r reply)
		applied int
	}{
		{"drop-before-apply", map[string]any{"fault": "drop-before-apply"}, 0, nil, 0},
		{"drop-after-apply", map[string]any{"fault": "drop-after-apply"}, 0, nil, 1},
		{"malformed", map[string]any{"fault": "malformed"}, 201, func(t *testing.T, r reply) { assert.False(t, json.Valid(r.raw), "body %s", r.raw) }, 1},
		{"a status", map[string]any{"fault": "status", "status": 503}, 503, func(t *testing.T, r reply) {
			assert.Equal(t, "Service Unavailable", r.get("detail"))
		}, 0},
		{"a status with Retry-After and a body", map[string]any{"fault": "status", "status": 429, "retry_after": 7, "body": map[string]any{"error": "slow down"}}, 429, func(t *testing.T, r reply) {
			assert.Equal(t, "7", r.header.Get("Retry-After"))
			assert.Equal(t, "slow down", r.get("error"))
		}, 0},
		{"a status with a text body", map[string]any{"fault": "status", "status": 502, "text": "<html>Bad Gateway</html>", "headers": map[string]any{"Content-Type": "text/html"}}, 502, func(t *testing.T, r reply) {
			assert.Equal(t, "<html>Bad Gateway</html>", string(r.raw))
			assert.Equal(t, "text/html", r.header.Get("Content-Type"))
		}, 0},
		{"a delay", map[string]any{"fault": "delay", "delay": "1ms"}, 201, func(t *testing.T, r reply) {}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newTester(t)
			tc.fault["route"] = string(assettest.RouteCreateInvoices)
			h.do("POST", "/_assettest/faults", tc.fault).requireStatus(t, http.StatusCreated)

			if tc.status == 0 {
				_, err := h.send("POST", bizPath(biz, "/invoice"), []any{create})
				require.Error(t, err, "the connection is dropped")
			} else {
				r, err := h.send("POST", bizPath(biz, "/invoice"), []any{create})
				require.NoError(t, err)
				require.Equal(t, tc.status, r.status, "body %s", r.raw)
				tc.check(t, r)
			}
			assert.Equal(t, tc.applied, h.srv.Applied(assettest.RouteCreateInvoices))

			// The fault struck once: the next request is served.
			h.do("POST", bizPath(biz, "/invoice"), []any{map[string]any{"number": "F-2", "lines": []any{map[string]any{"amount": 1}}}}).requireStatus(t, http.StatusCreated)
			stats := h.do("GET", "/_assettest/stats", nil).requireStatus(t, http.StatusOK)
			assert.Equal(t, "2", num(stats.get(string(assettest.RouteCreateInvoices), "requests")))
			assert.Equal(t, "0", num(stats.get(string(assettest.RouteApplyPayment), "requests")), "every route is listed")
		})
	}
}

func TestAdminResets(t *testing.T) {
	h := newTester(t)
	fault := map[string]any{"route": string(assettest.RouteCreateInvoices), "fault": "status", "status": 500, "count": 5}
	h.do("POST", "/_assettest/faults", fault).requireStatus(t, http.StatusCreated)
	h.do("PUT", "/_assettest/latency", map[string]any{"latency": "1ms"}).requireStatus(t, http.StatusNoContent)
	h.do("POST", bizPath(biz, "/invoice"), []any{}).requireStatus(t, 500)
	require.Equal(t, 1, h.srv.Stats(assettest.RouteCreateInvoices).Faulted)

	h.do("DELETE", "/_assettest/stats", nil).requireStatus(t, http.StatusNoContent)
	assert.Zero(t, h.srv.Stats(assettest.RouteCreateInvoices))
	h.do("DELETE", "/_assettest/faults", nil).requireStatus(t, http.StatusNoContent)
	h.createOne(biz, "R-1", "1")

	h.do("POST", "/_assettest/faults", fault).requireStatus(t, http.StatusCreated)
	h.do("POST", "/_assettest/reset", nil).requireStatus(t, http.StatusNoContent)
	assert.Zero(t, h.srv.Stats(assettest.RouteCreateInvoices))
	h.createOne(biz, "R-2", "1")
}

// send is do for a request that may get no answer at all: the error is
// the transport's.
func (h *tester) send(method, path string, body any) (reply, error) {
	h.t.Helper()
	raw, err := json.Marshal(body)
	require.NoError(h.t, err)
	req, err := http.NewRequest(method, h.srv.URL+path, bytes.NewReader(raw))
	require.NoError(h.t, err)
	req.Header.Set("Authorization", "Bearer "+h.srv.Token())
	req.Header.Set("Content-Type", "application/json")
	resp, err := h.hc.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	r := reply{status: resp.StatusCode, header: resp.Header}
	r.raw, err = io.ReadAll(resp.Body)
	require.NoError(h.t, err)
	if json.Valid(r.raw) {
		require.NoError(h.t, json.Unmarshal(r.raw, &r.body))
	}
	return r, nil
}
