package asset

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newAnswerClient is a client of a loopback server that answers every
// request with status and body, as a test writes them.
func newAnswerClient(t *testing.T, status int, body string) *Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	c, err := NewClient(WithToken(testToken), WithBaseURL(srv.URL), WithMaxRetries(0))
	require.NoError(t, err)
	return c
}

// Whatever a batch response lists, each invoice sent is in exactly one of
// created and failed, and a failure that may exist on the server matches
// ErrOutcomeUnknown.
func TestBatchResponseAccountsForEveryInvoice(t *testing.T) {
	t.Parallel()
	inv := func(id, number string) string {
		return `{"id":"` + id + `","business_id":"` + testBiz + `","number":"` + number + `"}`
	}
	tests := []struct {
		name    string
		body    string
		created []string // ids, in the order returned
		refused []string // numbers, plain refusals
		unknown []string // numbers whose failure matches ErrOutcomeUnknown
	}{
		{"one left out", `{"data":[` + inv("inv_1", "A-1") + `]}`,
			[]string{"inv_1"}, nil, []string{"A-2"}},
		{"all left out", `{"data":[],"errors":[]}`,
			nil, nil, []string{"A-1", "A-2"}},
		{"fewer entries under other numbers", `{"data":[` + inv("inv_9", "Z-9") + `]}`,
			[]string{"inv_9"}, nil, []string{"A-1", "A-2"}},
		{"listed twice", `{"data":[` + inv("inv_1", "A-1") + `,` + inv("inv_1", "A-1") + `,` + inv("inv_2", "A-2") + `]}`,
			[]string{"inv_1", "inv_2"}, nil, nil},
		{"created and refused", `{"data":[` + inv("inv_1", "A-1") + `,` + inv("inv_2", "A-2") + `],"errors":[{"error":"no","invoice_number":"A-2"}]}`,
			[]string{"inv_1"}, nil, []string{"A-2"}},
		{"refused twice", `{"data":[` + inv("inv_1", "A-1") + `],"errors":[{"error":"no","invoice_number":"A-2"},{"error":"no again","invoice_number":"A-2"}]}`,
			[]string{"inv_1"}, []string{"A-2"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newAnswerClient(t, http.StatusCreated, tt.body)
			created, err := c.Invoices.Create(context.Background(), testBiz, []InvoiceCreate{{Number: "A-1"}, {Number: "A-2"}})
			var ids []string
			for _, inv := range created {
				ids = append(ids, inv.ID)
			}
			assert.Equal(t, tt.created, ids)
			var refused, unknown []string
			var batchErr *BatchError
			if err != nil {
				require.ErrorAs(t, err, &batchErr)
				for _, f := range batchErr.Failures {
					require.GreaterOrEqual(t, f.Index, 0, "%+v", f)
					assert.NotEmpty(t, f.Message)
					if errors.Is(f.Err, ErrOutcomeUnknown) {
						unknown = append(unknown, f.Number)
					} else {
						refused = append(refused, f.Number)
					}
				}
			}
			assert.Equal(t, tt.refused, refused)
			assert.Equal(t, tt.unknown, unknown)
			assert.Equal(t, len(tt.unknown) > 0, errors.Is(err, ErrOutcomeUnknown), "the *BatchError matches ErrOutcomeUnknown when a failure does")
		})
	}
}

// A batch refusal that quotes the bearer token, as is or form-escaped,
// keeps it out of the failure's message and the error's text.
func TestBatchRefusalsAreRedacted(t *testing.T) {
	t.Parallel()
	for _, quoted := range []string{testToken, url.QueryEscape("Bearer " + testToken)} {
		t.Run(quoted, func(t *testing.T) {
			c := newAnswerClient(t, http.StatusCreated, `{"data":[],"errors":[{"error":"bad auth `+quoted+`","invoice_number":"A-1"}]}`)
			_, err := c.Invoices.Create(context.Background(), testBiz, []InvoiceCreate{{Number: "A-1"}})
			var batchErr *BatchError
			require.ErrorAs(t, err, &batchErr)
			assert.NotContains(t, batchErr.Failures[0].Message, testToken)
			assert.NotContains(t, err.Error(), testToken)
			assert.Contains(t, err.Error(), "bad auth")
		})
	}
}
