package asset

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
)

// Paths of the invoice calls, as sent for testBiz and testInv.
const (
	pathInvoices = "/v0/business/" + testBiz + "/invoice"
	pathInvoice  = pathInvoices + "/" + testInv
	pathWriteOff = pathInvoice + "/write-off"
	pathPayments = "/v0/business/" + testBiz + "/invoice-payment"
)

// byPageToken answers a list request with the handler for its page_token,
// "" for none; a token without a handler fails the test.
func byPageToken(t *testing.T, pages map[string]http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h, ok := pages[r.URL.Query().Get("page_token")]
		if !ok {
			t.Errorf("no page for %s %s", r.Method, r.URL)
			w.WriteHeader(http.StatusNotImplemented)
			return
		}
		h(w, r)
	}
}

// query is a recorded request's query, parsed.
func (r sentRequest) query(t *testing.T) url.Values {
	t.Helper()
	q, err := url.ParseQuery(r.Query)
	require.NoError(t, err)
	return q
}
