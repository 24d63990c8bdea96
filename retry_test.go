package asset

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go/internal/wiretest"
)

// apiCall is one SDK method, called with fixed arguments, for the tests that
// hold for every call of a kind.
type apiCall struct {
	name   string
	method string
	route  string // the pattern a test server answers it on
	ok     int    // the status of a success
	body   string // the body of a success
	call   func(ctx context.Context, c *Client, opts ...Option) error
}

var getCall = apiCall{
	name: "get", method: http.MethodGet, route: "GET " + pathInvoice, ok: 200, body: invoiceBody,
	call: func(ctx context.Context, c *Client, opts ...Option) error {
		_, err := c.Invoices.Get(ctx, testBiz, testInv, opts...)
		return err
	},
}

// mutatingCalls change state, and the API has no idempotency key for them.
var mutatingCalls = []apiCall{
	{
		name: "create", method: http.MethodPost, route: "POST " + pathInvoices, ok: 201,
		body: `{"data": [{"id": "inv_1", "number": "INV-1"}], "errors": []}`,
		call: func(ctx context.Context, c *Client, opts ...Option) error {
			_, err := c.Invoices.Create(ctx, testBiz, []InvoiceCreate{{Number: "INV-1"}}, opts...)
			return err
		},
	},
	{
		name: "update", method: http.MethodPatch, route: "PATCH " + pathInvoice, ok: 200, body: invoiceBody,
		call: func(ctx context.Context, c *Client, opts ...Option) error {
			_, err := c.Invoices.Update(ctx, testBiz, testInv, InvoiceUpdate{Status: InvoiceStatusVoided}, opts...)
			return err
		},
	},
	{
		name: "write off", method: http.MethodPost, route: "POST " + pathWriteOff,
		ok: 200, body: invoiceBody,
		call: func(ctx context.Context, c *Client, opts ...Option) error {
			_, err := c.Invoices.WriteOff(ctx, testBiz, testInv, InvoiceWriteOff{Amount: MustDecimal("10.00")}, opts...)
			return err
		},
	},
	{
		name: "apply payment", method: http.MethodPost, route: "POST " + pathPayments,
		ok: 200, body: invoiceBody,
		call: func(ctx context.Context, c *Client, opts ...Option) error {
			_, err := c.Payments.Apply(ctx, testBiz, InvoicePaymentCreate{InvoiceID: testInv, TransactionID: "txn_1"}, opts...)
			return err
		},
	},
}

func TestRetryGETByStatus(t *testing.T) {
	t.Parallel()
	cases := []struct {
		status  int
		retried bool
	}{
		{408, true}, {429, true}, {500, true}, {502, true}, {503, true}, {504, true},
		{400, false}, {401, false}, {403, false}, {404, false}, {409, false}, {422, false}, {501, false},
	}
	for _, tc := range cases {
		t.Run(strconv.Itoa(tc.status), func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t)
			answers := []http.HandlerFunc{replyValue(t, tc.status, map[string]string{"detail": "status " + strconv.Itoa(tc.status)})}
			if tc.retried {
				answers = append(answers, reply(200, invoiceBody))
			}
			srv.Handle(getCall.route, replies(t, answers...))
			var resp Response
			err := getCall.call(context.Background(), c, WithResponseInto(&resp))
			if tc.retried {
				require.NoError(t, err)
				assert.Equal(t, 2, srv.Requests())
				assert.Equal(t, 2, resp.Attempts)
				return
			}
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tc.status, apiErr.StatusCode)
			assert.Equal(t, 1, srv.Requests())
			assert.Equal(t, 1, resp.Attempts)
			assert.NotErrorIs(t, err, ErrOutcomeUnknown, "a GET changes nothing")
			assertNoSecrets(t, err)
		})
	}
}

func TestRetryGETAfterConnectionCut(t *testing.T) {
	srv := newRecServer(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n == 1 {
			hangUp(w)
			return
		}
		replyJSON(w, 200, invoiceBody)
	})
	var resp Response
	err := getCall.call(context.Background(), srv.client(t), WithResponseInto(&resp))
	require.NoError(t, err)
	assert.Equal(t, 2, srv.count())
	assert.Equal(t, 2, resp.Attempts)
}

func TestRetryGETGivesUpAfterConnectionCuts(t *testing.T) {
	srv := newRecServer(t, func(w http.ResponseWriter, _ *http.Request, _ int) { hangUp(w) })
	err := getCall.call(context.Background(), srv.client(t, WithMaxRetries(2)))
	var ne *NetworkError
	require.ErrorAs(t, err, &ne)
	assert.Equal(t, 3, ne.Attempts)
	assert.Equal(t, 3, srv.count())
	assert.False(t, ne.MayHaveApplied, "a GET changes nothing")
	assert.NotErrorIs(t, err, ErrOutcomeUnknown)
	assertNoSecrets(t, err)
}

// WithResponseInto tells how many tries a call made also when none was
// answered: the error knows, and so must the Response.
func TestResponseIntoAfterNoAnswer(t *testing.T) {
	tests := []struct {
		name     string
		call     apiCall
		attempts int
	}{
		{"a read, retried", getCall, 3},
		{"a change, not retried once sent", mutatingCalls[0], 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newRecServer(t, func(w http.ResponseWriter, _ *http.Request, _ int) { hangUp(w) })
			resp := Response{StatusCode: -1}
			err := tt.call.call(context.Background(), srv.client(t, WithMaxRetries(2)), WithResponseInto(&resp))
			var ne *NetworkError
			require.ErrorAs(t, err, &ne)
			assert.Equal(t, tt.attempts, ne.Attempts)
			assert.Equal(t, Response{Attempts: tt.attempts}, resp, "no answer: no status, no header, the tries made")
		})
	}
}

func TestMutatingCallsNotRetriedAfterServerError(t *testing.T) {
	t.Parallel()
	for _, ac := range mutatingCalls {
		for _, status := range []int{500, 502, 503, 504} {
			t.Run(ac.name+" "+strconv.Itoa(status), func(t *testing.T) {
				t.Parallel()
				c, srv := setup(t)
				srv.Handle(ac.route, replyValue(t, status, map[string]string{"detail": "upstream failed"}))
				var resp Response
				err := ac.call(context.Background(), c, WithResponseInto(&resp))
				var apiErr *APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, status, apiErr.StatusCode)
				assert.Equal(t, 1, srv.Requests(), "a %s may have been applied and must not be sent twice", ac.method)
				assert.Equal(t, 1, resp.Attempts)
				assert.ErrorIs(t, err, ErrServer)
				assert.ErrorIs(t, err, ErrOutcomeUnknown)
				assert.Contains(t, err.Error(), "outcome unknown")
				assertNoSecrets(t, err)
			})
		}
		t.Run(ac.name+" 408", func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t)
			srv.Handle(ac.route, reply(408, ""))
			err := ac.call(context.Background(), c)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, 408, apiErr.StatusCode)
			assert.Equal(t, 1, srv.Requests())
		})
	}
}

func TestGETServerErrorIsNotOutcomeUnknown(t *testing.T) {
	t.Parallel()
	c, srv := setup(t, WithMaxRetries(0))
	srv.Handle(getCall.route, reply(500, ""))
	err := getCall.call(context.Background(), c)
	assert.Equal(t, 1, srv.Requests())
	assert.ErrorIs(t, err, ErrServer)
	assert.NotErrorIs(t, err, ErrOutcomeUnknown)
	assert.NotContains(t, err.Error(), "outcome unknown")
	assertNoSecrets(t, err)
}

func TestMutatingCallsRetriedWithRetryNonIdempotent(t *testing.T) {
	t.Parallel()
	for _, ac := range mutatingCalls {
		t.Run(ac.name, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t)
			srv.Handle(ac.route, replies(t, reply(502, ""), reply(ac.ok, ac.body)))
			var resp Response
			err := ac.call(context.Background(), c, WithRetryNonIdempotent(), WithResponseInto(&resp))
			require.NoError(t, err)
			assert.Equal(t, 2, srv.Requests())
			assert.Equal(t, 2, resp.Attempts)
		})
	}
	t.Run("on the client", func(t *testing.T) {
		t.Parallel()
		ac := mutatingCalls[0]
		c, srv := setup(t, WithRetryNonIdempotent())
		srv.Handle(ac.route, replies(t, reply(503, ""), reply(ac.ok, ac.body)))
		require.NoError(t, ac.call(context.Background(), c))
		assert.Equal(t, 2, srv.Requests())
	})
}

func TestMutatingCallsNotRetriedAfterConnectionCut(t *testing.T) {
	for _, ac := range mutatingCalls {
		t.Run(ac.name, func(t *testing.T) {
			srv := newRecServer(t, func(w http.ResponseWriter, _ *http.Request, _ int) { hangUp(w) })
			err := ac.call(context.Background(), srv.client(t))
			require.Error(t, err)
			require.Equal(t, 1, srv.count(), "the request may have been applied: it must not be sent again")
			assert.Equal(t, ac.method, srv.requests()[0].Method)
			var ne *NetworkError
			require.ErrorAs(t, err, &ne)
			assert.True(t, ne.MayHaveApplied)
			assert.Equal(t, 1, ne.Attempts)
			assert.ErrorIs(t, err, ErrOutcomeUnknown)
			assert.Contains(t, err.Error(), "outcome unknown")
			assertNoSecrets(t, err)
		})
	}
	t.Run("with RetryNonIdempotent", func(t *testing.T) {
		srv := newRecServer(t, func(w http.ResponseWriter, _ *http.Request, _ int) { hangUp(w) })
		err := mutatingCalls[0].call(context.Background(), srv.client(t), WithRetryNonIdempotent())
		var ne *NetworkError
		require.ErrorAs(t, err, &ne)
		assert.Equal(t, 4, srv.count())
		assert.Equal(t, 4, ne.Attempts)
		assert.ErrorIs(t, err, ErrOutcomeUnknown)
	})
}

func TestMutatingCallsRetriedAfterRateLimit(t *testing.T) {
	t.Parallel()
	for _, ac := range mutatingCalls {
		t.Run(ac.name, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t)
			srv.Handle(ac.route, replies(t,
				replyHeaders(429, map[string]string{"Retry-After": "0"}, `{"error": "Rate limit exceeded"}`),
				reply(429, `{"error": "Rate limit exceeded"}`),
				reply(ac.ok, ac.body)))
			var resp Response
			err := ac.call(context.Background(), c, WithResponseInto(&resp))
			require.NoError(t, err, "a 429 was refused before any work was done")
			assert.Equal(t, 3, srv.Requests())
			assert.Equal(t, 3, resp.Attempts)
		})
	}
}

func TestMutatingCallsRetriedWhenConnectionRefused(t *testing.T) {
	for _, ac := range mutatingCalls {
		t.Run(ac.name, func(t *testing.T) {
			c, err := NewClient(WithToken(testToken), WithBaseURL(refusedURL(t)), WithRetryWait(time.Millisecond, 2*time.Millisecond))
			require.NoError(t, err)
			err = ac.call(context.Background(), c)
			var ne *NetworkError
			require.ErrorAs(t, err, &ne)
			assert.Equal(t, 4, ne.Attempts, "nothing was sent, so every try is safe")
			assert.Equal(t, ac.method, ne.Method)
			assert.False(t, ne.MayHaveApplied)
			assert.NotErrorIs(t, err, ErrOutcomeUnknown)
			assert.NotContains(t, err.Error(), "outcome unknown")
			assertNoSecrets(t, err)
		})
	}
}

func TestMaxRetriesGivesExactAttempts(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 2, 5} {
		for _, where := range []string{"client", "call"} {
			t.Run(strconv.Itoa(n)+" on the "+where, func(t *testing.T) {
				t.Parallel()
				var clientOpts, callOpts []Option
				if where == "client" {
					clientOpts = []Option{WithMaxRetries(n)}
				} else {
					clientOpts = []Option{WithMaxRetries(7)}
					callOpts = []Option{WithMaxRetries(n)}
				}
				c, srv := setup(t, clientOpts...)
				srv.Handle(getCall.route, reply(503, ""))
				var resp Response
				err := getCall.call(context.Background(), c, append(callOpts, WithResponseInto(&resp))...)
				assert.ErrorIs(t, err, ErrServer)
				assertNoSecrets(t, err)
				assert.Equal(t, n+1, srv.Requests())
				assert.Equal(t, n+1, resp.Attempts)
			})
		}
	}
}

func TestLastAPIErrorAfterRetries(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	srv.Handle(getCall.route, replies(t,
		replyHeaders(500, map[string]string{"X-Request-Id": "req_1"}, `{"detail": "first"}`),
		replyHeaders(502, map[string]string{"X-Request-Id": "req_2"}, `<html>bad gateway</html>`),
		replyHeaders(503, map[string]string{"X-Request-Id": "req_3"}, `{"detail": "third"}`),
		replyHeaders(504, map[string]string{"X-Request-Id": "req_4"}, `{"detail": "the last one"}`),
	))
	var resp Response
	err := getCall.call(context.Background(), c, WithResponseInto(&resp))
	assert.Equal(t, 4, srv.Requests())
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr, "the caller gets the last answer, not a string: %v", err)
	assert.Equal(t, 504, apiErr.StatusCode)
	assert.Equal(t, "the last one", apiErr.Message)
	assert.Equal(t, `{"detail": "the last one"}`, string(apiErr.Body))
	assert.Equal(t, "req_4", apiErr.RequestID)
	assert.Equal(t, 504, resp.StatusCode)
	assert.Equal(t, "req_4", resp.RequestID)
	assert.Equal(t, 4, resp.Attempts)
	assert.Contains(t, err.Error(), "504")
	assert.Contains(t, err.Error(), "the last one")
	assert.NotContains(t, err.Error(), "giving up", "retryablehttp's own message must not replace the answer")
	assertNoSecrets(t, err)
}

func TestLastRateLimitErrorAfterRetries(t *testing.T) {
	t.Parallel()
	c, srv := setup(t, WithMaxRetries(1))
	ac := mutatingCalls[0]
	srv.Handle(ac.route, replyValue(t, 429, map[string]string{"error": "Rate limit exceeded: 300 per 1 minute"}))
	err := ac.call(context.Background(), c)
	assert.Equal(t, 2, srv.Requests())
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 429, apiErr.StatusCode)
	assert.Equal(t, "Rate limit exceeded: 300 per 1 minute", apiErr.Message)
	assert.ErrorIs(t, err, ErrRateLimited)
	assert.NotErrorIs(t, err, ErrOutcomeUnknown, "a 429 was not processed")
	assertNoSecrets(t, err)
}

// The one test that really waits: Retry-After is the server's instruction
// and is honoured in full, far past the backoff's maximum of 5ms.
func TestRetryAfterSecondsHonoured(t *testing.T) {
	t.Parallel()
	srv := newRecServer(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n == 1 {
			w.Header().Set("Retry-After", "1")
			replyJSON(w, 429, `{"error": "Rate limit exceeded"}`)
			return
		}
		replyJSON(w, 201, mutatingCalls[0].body)
	})
	c := srv.client(t)
	err := wiretest.Promise("a Retry-After of one second is waited on for a second, then the call is sent again").Within(t,
		time.Second+wiretest.Bound, func(ctx context.Context) error { return mutatingCalls[0].call(ctx, c) })
	require.NoError(t, err)
	reqs := srv.requests()
	require.Len(t, reqs, 2)
	assert.GreaterOrEqual(t, reqs[1].At.Sub(reqs[0].At), 950*time.Millisecond)
}

// refuse429 answers every request with a 429 carrying header.
func refuse429(header map[string]string) func(w http.ResponseWriter, _ *http.Request, _ int) {
	return func(w http.ResponseWriter, _ *http.Request, _ int) {
		for k, v := range header {
			w.Header().Set(k, v)
		}
		replyJSON(w, http.StatusTooManyRequests, `{"error": "Rate limit exceeded"}`)
	}
}

// A server's wait longer than the cap is not waited on: the 429 comes back
// at once, with the wait asked for. The call's context has no deadline, so
// only the cap can end the call.
func TestServerWaitPastLimitReturnsAtOnce(t *testing.T) {
	cases := []struct {
		name   string
		header map[string]string
		opts   []Option
		want   time.Duration
	}{
		{"retry-after seconds", map[string]string{"Retry-After": "120"}, nil, 120 * time.Second},
		{"retry-after date", map[string]string{"Retry-After": time.Now().Add(121 * time.Second).UTC().Format(http.TimeFormat)}, nil, 120 * time.Second},
		{"ratelimit reset", map[string]string{"X-Ratelimit-Reset": strconv.FormatInt(time.Now().Add(121*time.Second).Unix(), 10)}, nil, 120 * time.Second},
		{"own cap", map[string]string{"Retry-After": "30"}, []Option{WithRetryAfterMax(2 * time.Second)}, 30 * time.Second},
		{"cap zero", map[string]string{"Retry-After": "30"}, []Option{WithRetryAfterMax(0)}, 30 * time.Second},
	}
	for _, tc := range cases {
		for _, ac := range []apiCall{getCall, mutatingCalls[0]} {
			t.Run(tc.name+" "+ac.method, func(t *testing.T) {
				t.Parallel()
				srv := newRecServer(t, refuse429(tc.header))
				c := srv.client(t, tc.opts...)
				err := wiretest.Promise("a server's wait past WithRetryAfterMax is handed back at once, not waited on").Within(t, wiretest.Bound,
					func(ctx context.Context) error { return ac.call(ctx, c) })
				var apiErr *APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, 429, apiErr.StatusCode)
				assert.InDelta(t, tc.want, apiErr.RetryAfter, float64(2*time.Second))
				assert.ErrorIs(t, err, ErrRateLimited)
				assert.Contains(t, err.Error(), "retry after")
				assert.Equal(t, 1, srv.count())
				assertNoSecrets(t, err)
			})
		}
	}
}

// A server's wait that would outlast the call's deadline is not started:
// the 429 comes back at once, long before the deadline.
func TestServerWaitPastDeadlineReturnsAtOnce(t *testing.T) {
	cases := []struct {
		name   string
		header map[string]string
	}{
		{"retry-after seconds", map[string]string{"Retry-After": "30"}},
		{"retry-after date", map[string]string{"Retry-After": time.Now().Add(31 * time.Second).UTC().Format(http.TimeFormat)}},
		{"ratelimit reset", map[string]string{"X-Ratelimit-Reset": strconv.FormatInt(time.Now().Add(31*time.Second).Unix(), 10)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newRecServer(t, refuse429(tc.header))
			c := srv.client(t)
			err := wiretest.Promise("a wait that would outlast the context's deadline is not started").Within(t, wiretest.Bound,
				func(ctx context.Context) error {
					// Farther than the bound, nearer than the server's wait.
					ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
					defer cancel()
					return getCall.call(ctx, c)
				})
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, 429, apiErr.StatusCode)
			assert.InDelta(t, 30*time.Second, apiErr.RetryAfter, float64(2*time.Second))
			assert.NotErrorIs(t, err, context.DeadlineExceeded)
			assert.Equal(t, 1, srv.count())
			assertNoSecrets(t, err)
		})
	}
}

// cancelDuringWait calls ac on a server answering every request with
// status and header, and cancels the call once the answer is out, while
// the call waits to retry.
func cancelDuringWait(t *testing.T, ac apiCall, status int, header map[string]string, opts ...Option) (*recServer, error) {
	t.Helper()
	var cancelCall atomic.Value // context.CancelFunc
	srv := newRecServer(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		for k, v := range header {
			w.Header().Set(k, v)
		}
		replyJSON(w, status, `{"error": "Rate limit exceeded"}`)
	})
	// The cancel comes once the client has read the answer and logged the
	// wait it begins, not after a guess at how long that takes: on a
	// loaded machine the guess landed before the answer was read.
	waiting := func() { time.AfterFunc(20*time.Millisecond, func() { cancelCall.Load().(context.CancelFunc)() }) }
	c := srv.client(t, append(opts, WithLogger(slog.New(onRetryLog{waiting})))...)
	err := wiretest.Promise("cancelling the context ends a wait between tries at once").Within(t, wiretest.Bound,
		func(ctx context.Context) error {
			ctx, cancel := context.WithCancel(ctx)
			defer cancel()
			cancelCall.Store(cancel)
			return ac.call(ctx, c)
		})
	return srv, err
}

// onRetryLog is a log handler that calls waiting when a call logs the wait
// before its next try.
type onRetryLog struct{ waiting func() }

func (onRetryLog) Enabled(context.Context, slog.Level) bool { return true }
func (h onRetryLog) Handle(_ context.Context, r slog.Record) error {
	if strings.Contains(r.Message, "retrying") {
		h.waiting()
	}
	return nil
}
func (h onRetryLog) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h onRetryLog) WithGroup(string) slog.Handler      { return h }

func TestCancelDuringWaitReturnsPromptly(t *testing.T) {
	cases := []struct {
		name   string
		header map[string]string
		status int
		opts   []Option
	}{
		{"retry-after", map[string]string{"Retry-After": "30"}, 429, nil},
		{"backoff", nil, 503, []Option{WithRetryWait(20*time.Second, 30*time.Second)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, err := cancelDuringWait(t, getCall, tc.status, tc.header, tc.opts...)
			require.Error(t, err)
			assert.ErrorIs(t, err, context.Canceled)
			assert.Equal(t, 1, srv.count())
			assertNoSecrets(t, err)
		})
	}
}

func TestCancelDuringWaitOnRateLimitedPOSTIsNotOutcomeUnknown(t *testing.T) {
	t.Parallel()
	srv, err := cancelDuringWait(t, mutatingCalls[0], 429, map[string]string{"Retry-After": "30"})
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 1, srv.count())
	assert.NotErrorIs(t, err, ErrOutcomeUnknown, "the only request sent was refused with 429")
	var ne *NetworkError
	require.ErrorAs(t, err, &ne)
	assert.False(t, ne.MayHaveApplied)
	assertNoSecrets(t, err)
}

func TestRateLimitResetRules(t *testing.T) {
	t.Parallel()
	past := strconv.FormatInt(time.Now().Add(-5*time.Second).Unix(), 10)
	later := strconv.FormatInt(time.Now().Add(120*time.Second).Unix(), 10)
	cases := []struct {
		name   string
		status int
		header map[string]string
	}{
		{"reset already passed", 429, map[string]string{"X-Ratelimit-Reset": past}},
		{"retry-after wins over reset", 429, map[string]string{"Retry-After": "0", "X-Ratelimit-Reset": later}},
		// Every answer carries the rate-limit headers; a 503 without
		// Retry-After is no request to wait for the window.
		{"503 ignores reset", 503, map[string]string{"X-Ratelimit-Reset": later, "X-Ratelimit-Remaining": "250"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t)
			srv.Handle(getCall.route, replies(t, replyHeaders(tc.status, tc.header, ""), reply(200, invoiceBody)))
			err := wiretest.Promise("a reset already passed, or a reset on a 503, is no reason to wait for the window").Within(t,
				wiretest.Bound, func(ctx context.Context) error { return getCall.call(ctx, c) })
			require.NoError(t, err)
			assert.Equal(t, 2, srv.Requests())
		})
	}
}
