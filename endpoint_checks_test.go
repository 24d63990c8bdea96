package asset_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
	"github.com/assetkit/asset-go/internal/wiretest"
)

// The checks every endpoint of the table in endpoints_test.go gets, each on
// a loopback server of its own that serves the endpoint's route alone.

const endpointToken = "tok_endpoint_checks"

// endpointServer serves e's route with h on a loopback server of the
// test's own (see wiretest.API), and returns a client of it with fast
// retries and the requests the server got.
func endpointServer(t *testing.T, e endpoint, h http.HandlerFunc, opts ...asset.Option) (*asset.Client, func() []wiretest.Request) {
	t.Helper()
	srv := wiretest.StartAPI(t)
	srv.Handle(string(e.route), h)
	c, err := asset.NewClient(append([]asset.Option{
		asset.WithBaseURL(srv.URL), asset.WithToken(endpointToken), asset.WithRetryWait(0, 0),
	}, opts...)...)
	require.NoError(t, err)
	return c, srv.Sent
}

// answer is a handler answering every request with status and body as JSON.
func answer(status int, body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Request-Id", "req_endpoint_checks")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}
}

// answered is the id of the item a success answer holds.
func answered(e endpoint) string { return e.resource().prefix + "_Answered00000000000000001" }

// TestEndpointRequests sends every call once against its documented
// answer: the request has the method, path, headers and body the API
// documents, and the answer's item comes back decoded into the call's
// model.
func TestEndpointRequests(t *testing.T) {
	t.Parallel()
	userAgent := regexp.MustCompile(`^asset-go/\d+\.\d+\.\d+(-dev)? \(go`)
	for _, e := range endpoints {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			c, seen := endpointServer(t, e, answer(http.StatusOK, e.envelope(e.itemJSON(answered(e), "answered"))))
			items, err := e.run(context.Background(), c, rawIDs)
			require.NoError(t, err)
			require.Len(t, items, 1)
			assert.Equal(t, item{answered(e), items[0].Number, "answered"}, items[0], "the answer's item, decoded")

			reqs := seen()
			require.Len(t, reqs, 1)
			r := reqs[0]
			assert.Equal(t, e.path(rawIDs), r.Method+" "+r.Path)
			assert.Equal(t, "Bearer "+endpointToken, r.Header.Get("Authorization"))
			assert.Regexp(t, userAgent, r.Header.Get("User-Agent"))
			assert.Equal(t, "application/json", r.Header.Get("Accept"))
			assert.NotContains(t, r.Header, "X-User-Id", "no user id was given")
			if e.hasBody() {
				assert.Equal(t, []string{"application/json"}, r.Header.Values("Content-Type"))
				assert.True(t, json.Valid(r.Body), "body %q", r.Body)
			} else {
				assert.NotContains(t, r.Header, "Content-Type", "a request without a body has no Content-Type")
				assert.Empty(t, r.Body)
			}
		})
	}
}

// TestEndpointOptions gives every call a user id and headers of its own:
// they reach the request, replace the client's, and do not stay on the
// client for its next call.
func TestEndpointOptions(t *testing.T) {
	t.Parallel()
	for _, e := range endpoints {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			c, seen := endpointServer(t, e, answer(http.StatusOK, e.envelope(e.itemJSON(answered(e), ""))),
				asset.WithUserID("usr_client"), asset.WithHeader("X-Trace-Id", "client"))
			_, err := e.run(context.Background(), c, rawIDs, asset.WithUserID("usr_call"), asset.WithHeader("x-trace-id", "call"), asset.WithHeader("X-Source", "nightly"))
			require.NoError(t, err)
			_, err = e.run(context.Background(), c, rawIDs)
			require.NoError(t, err)

			reqs := seen()
			require.Len(t, reqs, 2)
			want := []map[string]string{
				{"X-User-Id": "usr_call", "X-Trace-Id": "call", "X-Source": "nightly"},
				{"X-User-Id": "usr_client", "X-Trace-Id": "client", "X-Source": ""},
			}
			for i, headers := range want {
				for k, v := range headers {
					if v == "" {
						assert.NotContains(t, reqs[i].Header, k, "request %d", i)
					} else {
						assert.Equal(t, []string{v}, reqs[i].Header.Values(k), "request %d, %s", i, k)
					}
				}
				assert.Equal(t, "Bearer "+endpointToken, reqs[i].Header.Get("Authorization"), "request %d", i)
			}
		})
	}
}

// TestEndpointNilContext gives every call a nil context: an *InputError
// naming it, not a panic, and nothing sent.
func TestEndpointNilContext(t *testing.T) {
	t.Parallel()
	var nilCtx context.Context
	for _, e := range endpoints {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			c, seen := endpointServer(t, e, answer(http.StatusOK, e.envelope(e.itemJSON(answered(e), ""))))
			var err error
			require.NotPanics(t, func() { _, err = e.run(nilCtx, c, rawIDs) })
			var in *asset.InputError
			require.ErrorAs(t, err, &in)
			assert.Equal(t, "ctx", in.Field)
			assert.ErrorIs(t, err, asset.ErrValidation)
			assert.Empty(t, seen(), "nothing may be sent")
		})
	}
}

// TestEndpointRefusals answers every call with each refusal the API
// documents or may send: an *APIError with the status, the server's
// request id and details, sent once (a refusal is not retried), and never
// an unknown outcome, since a refused change was not applied.
func TestEndpointRefusals(t *testing.T) {
	t.Parallel()
	refusals := []struct {
		status  int
		body    string
		details int
	}{
		{http.StatusBadRequest, `{"detail": "Bad request"}`, 0},
		{http.StatusUnauthorized, `{"detail": "Invalid or expired token"}`, 0},
		{http.StatusForbidden, `{"detail": "Not allowed"}`, 0},
		{http.StatusNotFound, `{"detail": "Not Found"}`, 0},
		{http.StatusConflict, `{"detail": "Conflict"}`, 0},
		{http.StatusUnprocessableEntity, `{"detail": [{"loc": ["body", "amount"], "msg": "field required", "type": "value_error.missing"}]}`, 1},
	}
	for _, e := range endpoints {
		for _, ref := range refusals {
			t.Run(fmt.Sprintf("%s/%d", e.name, ref.status), func(t *testing.T) {
				t.Parallel()
				c, seen := endpointServer(t, e, answer(ref.status, []byte(ref.body)))
				items, err := e.run(context.Background(), c, rawIDs)
				var apiErr *asset.APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, ref.status, apiErr.StatusCode)
				assert.Equal(t, "req_endpoint_checks", apiErr.RequestID)
				assert.Len(t, apiErr.Details, ref.details)
				assert.NotErrorIs(t, err, asset.ErrOutcomeUnknown, "a refused change was not applied")
				assert.False(t, apiErr.Temporary(), "the same call would be refused again")
				assert.Empty(t, items)
				assert.Len(t, seen(), 1, "a refusal is not retried")
			})
		}
	}
}

// TestEndpointUndocumentedSuccess answers every call with a success the
// API does not document: a *DecodeError, never a zero model taken for the
// answer, sent once (sending a change again could apply it twice), and for
// a change an unknown outcome, since the server said it went through.
func TestEndpointUndocumentedSuccess(t *testing.T) {
	t.Parallel()
	answers := []struct {
		name   string
		status int
		body   string
	}{
		{"empty object", http.StatusOK, `{}`},
		{"null data", http.StatusOK, `{"data": null}`},
		{"empty item", http.StatusCreated, `{"data": {}}`},
		{"array", http.StatusOK, `[]`},
		{"not JSON", http.StatusOK, `<html><body>OK</body></html>`},
		{"no content", http.StatusNoContent, ``},
		{"accepted, empty", http.StatusAccepted, ``},
	}
	for _, e := range endpoints {
		for _, a := range answers {
			if a.name == "null data" && e.lists() {
				// A null list is an empty one: see listEnvelope.checkShape.
				continue
			}
			t.Run(e.name+"/"+a.name, func(t *testing.T) {
				t.Parallel()
				c, seen := endpointServer(t, e, answer(a.status, []byte(a.body)))
				items, err := e.run(context.Background(), c, rawIDs)
				var decErr *asset.DecodeError
				require.ErrorAs(t, err, &decErr, "items %v", items)
				assert.Equal(t, a.status, decErr.StatusCode)
				assert.ErrorIs(t, err, asset.ErrInvalidReply)
				if e.write {
					assert.ErrorIs(t, err, asset.ErrOutcomeUnknown, "the server said the change went through")
				} else {
					assert.NotErrorIs(t, err, asset.ErrOutcomeUnknown)
				}
				if a.name == "empty item" && e.shape == answersData {
					assert.Contains(t, err.Error(), " id", "the error says what the item lacks")
				}
				assert.Empty(t, items)
				assert.Len(t, seen(), 1, "an answered call is not sent again")
			})
		}
	}
}

// TestEndpointWalks walks every listing over two pages: the second request
// carries the first page's token and the page size, and the items come in
// order, each decoded.
func TestEndpointWalks(t *testing.T) {
	t.Parallel()
	for _, e := range endpoints {
		if !e.walk {
			continue
		}
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			first := []byte(`{"data": [` + e.itemJSON(answered(e), "first") + `], "pagination": {"next_page_token": "pg_2", "previous_page_token": null}}`)
			second := []byte(`{"data": [` + e.itemJSON(answered(e)+"2", "second") + `], "pagination": {"next_page_token": null, "previous_page_token": "pg_1"}}`)
			c, seen := endpointServer(t, e, func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Query().Get("page_token") == "" {
					answer(http.StatusOK, first)(w, r)
					return
				}
				answer(http.StatusOK, second)(w, r)
			})
			items, err := e.run(context.Background(), c, rawIDs)
			require.NoError(t, err)
			require.Len(t, items, 2)
			assert.Equal(t, []string{"first", "second"}, []string{items[0].Text, items[1].Text})
			assert.Equal(t, []string{answered(e), answered(e) + "2"}, []string{items[0].ID, items[1].ID})

			reqs := seen()
			require.Len(t, reqs, 2)
			for i, r := range reqs {
				assert.Equal(t, e.path(rawIDs), r.Method+" "+r.Path, "request %d", i)
				assert.Contains(t, r.Query, "page_size=1", "request %d", i)
			}
			assert.NotContains(t, reqs[0].Query, "page_token", "the walk starts at the first page")
			assert.Contains(t, reqs[1].Query, "page_token=pg_2", "the second page is the one the first named")
		})
	}
}

// TestEndpointTableCoversEveryRoute holds the table to the API: every
// route of the fake but the token endpoint is called by an endpoint, and
// every resource with a paged list is walked.
func TestEndpointTableCoversEveryRoute(t *testing.T) {
	t.Parallel()
	called := map[string]bool{}
	walked := map[*endpointResource]bool{}
	for _, e := range endpoints {
		called[string(e.route)] = true
		if e.walk {
			walked[e.resource()] = true
		}
	}
	for _, r := range assettest.Routes() {
		if r != assettest.RouteToken {
			assert.True(t, called[string(r)], "no endpoint calls %s", r)
		}
	}
	for _, res := range []*endpointResource{resInvoices, resRefunds, resCreditMemos, resCustomers, resTransactions} {
		assert.True(t, walked[res], "a resource with a paged list is not walked")
	}
}
