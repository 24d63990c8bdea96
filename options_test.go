package asset

import (
	"bytes"
	"context"
	"errors"
	"log"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
)

func TestOptionsRefuseInvalidValues(t *testing.T) {
	cases := []struct {
		name  string
		opt   Option
		field string
	}{
		{"negative retries", WithMaxRetries(-1), "WithMaxRetries"},
		{"absurd retries", WithMaxRetries(101), "WithMaxRetries"},
		{"min above max", WithRetryWait(time.Second, time.Millisecond), "WithRetryWait"},
		{"negative min", WithRetryWait(-time.Millisecond, time.Second), "WithRetryWait"},
		{"negative retry-after max", WithRetryAfterMax(-time.Second), "WithRetryAfterMax"},
		{"negative attempt timeout", WithAttemptTimeout(-time.Second), "WithAttemptTimeout"},
		{"nil response", WithResponseInto(nil), "WithResponseInto"},
		{"response into on the client, where concurrent calls would share it", WithResponseInto(&Response{}), "WithResponseInto"},
		{"header accept", WithHeader("Accept", "text/html"), "WithHeader"},
		{"header user agent", WithHeader("user-agent", "x"), "WithHeader"},
		{"header x-user-id", WithHeader("X-User-ID", "usr_1"), "WithHeader"},
		{"zero max body", WithMaxResponseBytes(0), "WithMaxResponseBytes"},
		{"negative max body", WithMaxResponseBytes(-1), "WithMaxResponseBytes"},
		{"nil http client", WithHTTPClient(nil), "WithHTTPClient"},
		{"nil token source", WithTokenSource(nil), "WithTokenSource"},
		{"empty token", WithToken(""), "WithToken"},
		{"token with space", WithToken("tok abc"), "WithToken"},
		{"token with tab", WithToken("tok\tabc"), "WithToken"},
		{"token with newline", WithToken("tok\nabc"), "WithToken"},
		{"token with crlf", WithToken("tok\r\nX-Evil: 1"), "WithToken"},
		{"token with trailing newline", WithToken("tok\n"), "WithToken"},
		{"token with nul", WithToken("tok\x00"), "WithToken"},
		{"credentials without id", WithClientCredentials(ClientCredentials{ClientSecret: "s"}), "WithClientCredentials"},
		{"credentials without secret", WithClientCredentials(ClientCredentials{ClientID: "c"}), "WithClientCredentials"},
		{"user id with newline", WithUserID("usr\n1"), "WithUserID"},
		{"user id with spaces around", WithUserID(" usr_1 "), "WithUserID"},
		{"header authorization", WithHeader("Authorization", "Bearer x"), "WithHeader"},
		{"header authorization lower case", WithHeader("authorization", "Bearer x"), "WithHeader"},
		{"header content-type", WithHeader("content-type", "text/plain"), "WithHeader"},
		{"header host", WithHeader("Host", "evil.example"), "WithHeader"},
		{"header empty name", WithHeader("", "x"), "WithHeader"},
		{"header name with colon", WithHeader("X-A:", "x"), "WithHeader"},
		{"header name with space", WithHeader("X A", "x"), "WithHeader"},
		{"header value with newline", WithHeader("X-A", "x\r\nAuthorization: Bearer y"), "WithHeader"},
		{"header name with nul", WithHeader("X-Trace\x00", "x"), "WithHeader"},
		{"header name with a non-token character", WithHeader("X-Trace(1)", "x"), "WithHeader"},
		{"header name with a slash", WithHeader("X/Trace", "x"), "WithHeader"},
		{"header name not ascii", WithHeader("X-Tracé", "x"), "WithHeader"},
		{"header value with nul", WithHeader("X-A", "x\x00y"), "WithHeader"},
		{"header value not ascii", WithHeader("X-A", "José"), "WithHeader"},
		{"header value with a latin-1 byte", WithHeader("X-A", "Jos\xe9"), "WithHeader"},
		{"header idempotency key", WithHeader("Idempotency-Key", "k1"), "WithHeader"},
		{"header x-idempotency-key", WithHeader("x-idempotency-key", "k1"), "WithHeader"},
		{"user id not ascii", WithUserID("usr_José"), "WithUserID"},
		{"user id with nul", WithUserID("usr_\x00"), "WithUserID"},
		{"user id with del", WithUserID("usr_\x7f"), "WithUserID"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := NewClient(WithToken(testToken), tc.opt)
			require.Error(t, err)
			assert.Nil(t, c)
			var ie *InputError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, tc.field, ie.Field)
			assert.ErrorIs(t, err, ErrValidation)
			assertNoSecrets(t, err, "tok abc", "tok\tabc", "Bearer x", "Bearer y")
		})
	}
}

func TestOptionsRefusedPerCallSendNothing(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		opt   Option
		field string
	}{
		{"base url", WithBaseURL(SandboxURL), "WithBaseURL"},
		{"http client", WithHTTPClient(&http.Client{}), "WithHTTPClient"},
		{"logger", WithLogger(slog.Default()), "WithLogger"},
		{"client credentials", WithClientCredentials(ClientCredentials{ClientID: "c", ClientSecret: "s"}), "WithClientCredentials"},
		{"bad value", WithMaxRetries(-1), "WithMaxRetries"},
		{"authorization header", WithHeader("Authorization", "Bearer other"), "WithHeader"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t)
			_, err := c.Invoices.Get(context.Background(), testBiz, testInv, tc.opt)
			var ie *InputError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, tc.field, ie.Field)
			_, err = c.Invoices.Create(context.Background(), testBiz, []InvoiceCreate{{Number: "INV-1"}}, tc.opt)
			require.ErrorAs(t, err, &ie)
			assert.Zero(t, srv.Requests(), "nothing may be sent")
			assertNoSecrets(t, err, "Bearer other")
		})
	}
}

func TestOptionsAcceptedPerCall(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	srv.Handle("GET "+pathInvoice, reply(200, invoiceBody))
	var resp Response
	_, err := c.Invoices.Get(context.Background(), testBiz, testInv,
		WithUserID("usr_1"), WithHeader("X-Trace-Id", "t1"), WithMaxRetries(0),
		WithRetryWait(0, 0), WithRetryAfterMax(time.Second), WithRetryNonIdempotent(),
		WithResponseInto(&resp), WithMaxResponseBytes(1<<20),
		WithToken("tok_per_call"), WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "tok_source"})),
	)
	require.NoError(t, err)
	sent := srv.Sent()
	require.Len(t, sent, 1)
	assert.Equal(t, "t1", sent[0].Header.Get("X-Trace-Id"))
	assert.Equal(t, "Bearer tok_source", sent[0].Header.Get("Authorization"), "the last credential option wins")
	assert.Equal(t, 200, resp.StatusCode)
}

func TestWithHeaderSent(t *testing.T) {
	t.Parallel()
	c, srv := setup(t, WithHeader("x-tenant", "acme"))
	srv.Handle("GET "+pathInvoice, reply(200, invoiceBody))
	_, err := c.Invoices.Get(context.Background(), testBiz, testInv, WithHeader("X-Trace-Id", "t1"))
	require.NoError(t, err)
	sent := srv.Sent()
	require.Len(t, sent, 1)
	assert.Equal(t, "acme", sent[0].Header.Get("X-Tenant"))
	assert.Equal(t, "t1", sent[0].Header.Get("X-Trace-Id"))
	assert.Equal(t, "Bearer "+testToken, sent[0].Header.Get("Authorization"))
}

func TestWithMaxRetriesZeroTurnsRetriesOff(t *testing.T) {
	t.Parallel()
	c, srv := setup(t, WithMaxRetries(0))
	srv.Handle("GET "+pathInvoice, reply(503, ""))
	_, err := c.Invoices.Get(context.Background(), testBiz, testInv)
	assert.ErrorIs(t, err, ErrServer)
	assert.Equal(t, 1, srv.Requests())
	assertNoSecrets(t, err)
}

// newLogClient is a client of srv logging at debug level into buf.
func newLogClient(t *testing.T, srv *recServer, buf *bytes.Buffer) *Client {
	t.Helper()
	l := slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return srv.client(t, WithLogger(l), WithMaxRetries(2))
}

func TestLoggerNeverLogsTokenOrQuery(t *testing.T) {
	srv := newRecServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		switch n {
		case 1:
			replyJSON(w, 500, `{"detail": "try again"}`)
		case 2:
			hangUp(w)
		default:
			replyJSON(w, 200, `{"data": [], "pagination": {"next_page_token": null}}`)
		}
	})
	var buf bytes.Buffer
	c := newLogClient(t, srv, &buf)
	params := &InvoiceListParams{
		Status:    []InvoiceStatus{InvoiceStatusUncollectible, InvoiceStatusPartiallyRefunded},
		PageToken: "pgtok_SECRETPAGE",
		PageSize:  17,
	}
	_, err := c.Invoices.List(context.Background(), testBiz, params)
	require.NoError(t, err)
	require.Equal(t, 3, srv.count())
	require.Contains(t, srv.requests()[0].RawQuery, "page_token=pgtok_SECRETPAGE", "the query was sent")

	out := buf.String()
	require.NotEmpty(t, out)
	assert.Contains(t, out, "GET")
	assert.Contains(t, out, "/v0/business/"+testBiz+"/invoice")
	assert.Contains(t, out, "retrying", "retries are logged")
	for _, secret := range []string{testToken, "SECRETPAGE", "page_token", "uncollectible", "partially_refunded", "page_size", "status=uncollectible"} {
		assert.NotContains(t, out, secret)
	}
}

func TestLoggerOnFailure(t *testing.T) {
	srv := newRecServer(t, func(w http.ResponseWriter, _ *http.Request, _ int) { hangUp(w) })
	var buf bytes.Buffer
	c := newLogClient(t, srv, &buf)
	_, err := c.Invoices.List(context.Background(), testBiz, &InvoiceListParams{PageToken: "pgtok_SECRETPAGE"})
	require.Error(t, err)
	assertNoSecrets(t, err)
	out := buf.String()
	assert.Contains(t, out, "level=ERROR")
	assert.Contains(t, out, "/v0/business/"+testBiz+"/invoice")
	assert.NotContains(t, out, "SECRETPAGE")
	assert.NotContains(t, out, testToken)
}

func TestNoLoggerLogsNothing(t *testing.T) {
	var slogBuf, logBuf bytes.Buffer
	oldSlog := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&slogBuf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	oldOut, oldFlags := log.Writer(), log.Flags()
	log.SetOutput(&logBuf)
	// retryablehttp's own default logger writes straight to os.Stderr.
	r, w, err := os.Pipe()
	require.NoError(t, err)
	oldStderr := os.Stderr
	os.Stderr = w
	restore := func() {
		os.Stderr = oldStderr
		slog.SetDefault(oldSlog)
		log.SetOutput(oldOut)
		log.SetFlags(oldFlags)
	}
	defer restore()

	srv := newRecServer(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n == 1 {
			replyJSON(w, 503, `{}`)
			return
		}
		hangUp(w)
	})
	c := srv.client(t, WithMaxRetries(2))
	_, callErr := c.Invoices.Get(context.Background(), testBiz, testInv)
	require.Error(t, callErr)
	require.Equal(t, 3, srv.count())

	restore()
	require.NoError(t, w.Close())
	var stderr bytes.Buffer
	_, _ = stderr.ReadFrom(r)
	assert.Empty(t, slogBuf.String())
	assert.Empty(t, logBuf.String())
	assert.Empty(t, stderr.String())
}

func TestInputErrorText(t *testing.T) {
	err := error(&InputError{Field: "businessID", Reason: "is empty"})
	assert.Equal(t, "asset: invalid businessID: is empty", err.Error())
	assert.True(t, errors.Is(err, ErrValidation))
	assert.False(t, errors.Is(err, ErrNotFound))
	assert.False(t, strings.Contains(err.Error(), testToken))
}

// An option given to a call that would ignore it is refused, naming it:
// a progress function never called, or a concurrency never used, would
// otherwise go unnoticed.
func TestOptionsRefusedWhereTheyCannotApply(t *testing.T) {
	t.Parallel()
	progress := WithProgress(func(Progress) {})
	first := func(seq func(func(Invoice, error) bool)) error {
		for _, err := range seq {
			return err
		}
		return errors.New("yielded nothing")
	}
	inv := []InvoiceCreate{{Number: "INV-1", Lines: []InvoiceLineCreate{{Amount: MustDecimal("1")}}}}
	runRefused(t, []refusedCase{
		{"WithProgress on Get", "WithProgress", func(ctx context.Context, c *Client) error {
			_, err := c.Invoices.Get(ctx, testBiz, testInv, progress)
			return err
		}},
		{"WithConcurrency on Create", "WithConcurrency", func(ctx context.Context, c *Client) error {
			_, err := c.Invoices.Create(ctx, testBiz, inv, WithConcurrency(2))
			return err
		}},
		{"WithProgress on Create", "WithProgress", func(ctx context.Context, c *Client) error {
			_, err := c.Invoices.Create(ctx, testBiz, inv, progress)
			return err
		}},
		{"WithConcurrency on CreditMemos.Create", "WithConcurrency", func(ctx context.Context, c *Client) error {
			_, err := c.CreditMemos.Create(ctx, testBiz, []CreditMemoCreate{{CustomerID: "cus_1", Number: "CM-1", Amount: MustDecimal("1")}}, WithConcurrency(2))
			return err
		}},
		{"WithPrefetch on List", "WithPrefetch", func(ctx context.Context, c *Client) error {
			_, err := c.Invoices.List(ctx, testBiz, nil, WithPrefetch(2))
			return err
		}},
		{"WithPrefetch on Pager", "WithPrefetch", func(ctx context.Context, c *Client) error {
			_, err := c.Refunds.Pager(testBiz, nil, WithPrefetch(2)).Next(ctx)
			return err
		}},
		{"WithPrefetch on Get", "WithPrefetch", func(ctx context.Context, c *Client) error {
			_, err := c.CreditMemos.Get(ctx, testBiz, "cm_1", WithPrefetch(0))
			return err
		}},
		{"WithDueWindow on List", "WithDueWindow", func(ctx context.Context, c *Client) error {
			_, err := c.Invoices.List(ctx, testBiz, nil, WithDueWindow(time.Time{}, time.Now()))
			return err
		}},
		{"WithDueWindow on CreditMemos.FindByNumbers", "WithDueWindow", func(ctx context.Context, c *Client) error {
			_, err := c.CreditMemos.FindByNumbers(ctx, testBiz, "cus_1", []string{"CM-1"}, WithDueWindow(time.Time{}, time.Now()))
			return err
		}},
		{"WithDrainTimeout on Create", "WithDrainTimeout", func(ctx context.Context, c *Client) error {
			_, err := c.Invoices.Create(ctx, testBiz, inv, WithDrainTimeout(time.Second))
			return err
		}},
		{"WithConcurrency on FindByNumbers", "WithConcurrency", func(ctx context.Context, c *Client) error {
			_, err := c.Invoices.FindByNumbers(ctx, testBiz, []string{"INV-1"}, WithConcurrency(2))
			return err
		}},
		{"WithConcurrency on All", "WithConcurrency", func(ctx context.Context, c *Client) error {
			return first(c.Invoices.All(ctx, testBiz, nil, WithConcurrency(2)))
		}},
		{"WithProgress on Apply", "WithProgress", func(ctx context.Context, c *Client) error {
			_, err := c.Payments.Apply(ctx, testBiz, InvoicePaymentCreate{InvoiceID: testInv, TransactionID: "txn_1"}, progress)
			return err
		}},
		{"WithConcurrency on Void", "WithConcurrency", func(ctx context.Context, c *Client) error {
			_, err := c.CreditMemos.Void(ctx, testBiz, "cm_1", WithConcurrency(1))
			return err
		}},
	})
}
