package asset

import (
	"io"
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

// replyHeaders answers every request with status, header and body. The
// Content-Type is JSON unless header sets another.
func replyHeaders(status int, header map[string]string, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		for k, v := range header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

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
