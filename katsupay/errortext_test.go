package katsupay_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/internal/wiretest"
	"github.com/assetkit/asset-go/katsupay"
)

// Every error the client returns names it, not package asset whose types
// it shares: "katsupay: ...", never "asset: ..." anywhere in the text.
func TestEveryErrorReadsKatsupay(t *testing.T) {
	create := func(t *testing.T, base string, inv katsupay.CreateInvoice) error {
		t.Helper()
		c, err := katsupay.NewClient(base, katsupay.WithMaxRetries(1), katsupay.WithRetryWait(time.Millisecond, time.Millisecond))
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, err = c.Invoices.Create(ctx, inv)
		return err
	}
	answering := func(status int, body string) func(t *testing.T) error {
		return func(t *testing.T) error {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(status)
				_, _ = w.Write([]byte(body))
			}))
			defer srv.Close()
			return create(t, srv.URL, validInvoice())
		}
	}
	newClient := func(base string, opts ...katsupay.Option) func(*testing.T) error {
		return func(*testing.T) error {
			_, err := katsupay.NewClient(base, opts...)
			return err
		}
	}
	noProducts := validInvoice()
	noProducts.Products = nil
	for _, tc := range []struct {
		name string
		err  func(t *testing.T) error
		want string
	}{
		{"base URL not https", newClient("http://pay.katsu.example"), "katsupay: invalid baseURL: "},
		{"base URL does not parse", newClient("::"), "katsupay: invalid baseURL: "},
		{"base URL with the API prefix", newClient("https://pay.katsu.example/api/v1"), "katsupay: invalid baseURL: "},
		{"bad token", newClient(testBase, katsupay.WithToken("Bearer x")), "katsupay: invalid WithToken: "},
		{"bad service key", newClient(testBase, katsupay.WithServiceKey("", "c")), "katsupay: invalid WithServiceKey: "},
		{"nil HTTP client", newClient(testBase, katsupay.WithHTTPClient(nil)), "katsupay: invalid WithHTTPClient: "},
		{"bad retries", newClient(testBase, katsupay.WithMaxRetries(-1)), "katsupay: invalid WithMaxRetries: "},
		{"bad retry wait", newClient(testBase, katsupay.WithRetryWait(time.Second, 0)), "katsupay: invalid WithRetryWait: "},
		{"nil context", func(t *testing.T) error {
			c, err := katsupay.NewClient(testBase)
			require.NoError(t, err)
			//lint:ignore SA1012 the nil context is the case under test
			_, err = c.Invoices.Create(nil, validInvoice()) //nolint:staticcheck
			return err
		}, "katsupay: invalid ctx: "},
		{"input refused before sending", func(t *testing.T) error { return create(t, testBase, noProducts) }, "katsupay: invalid products: "},
		{"host down", func(t *testing.T) error {
			return create(t, wiretest.RefusedURL(t), validInvoice())
		}, "katsupay: POST /api/v1/Invoice/Create: "},
		{"refused", answering(400, `{"succeeded":false,"message":"Validation failed","errors":["quantity"]}`), "katsupay: POST /api/v1/Invoice/Create: 400 "},
		{"server error", answering(500, ``), "katsupay: POST /api/v1/Invoice/Create: 500 "},
		{"succeeded false", answering(200, `{"succeeded":false,"message":"no"}`), "katsupay: POST /api/v1/Invoice/Create: 200 "},
		{"unreadable success", answering(200, `<html>`), "katsupay: POST /api/v1/Invoice/Create: 200 reply "},
		{"success with a bad amount", answering(200, `{"succeeded":true,"data":{"invoiceId":"x","amount":"lots"}}`), "katsupay: POST /api/v1/Invoice/Create: 200 reply "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.err(t)
			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), tc.want), "%q does not start with %q", err, tc.want)
			assert.NotContains(t, err.Error(), "asset:")
			// The shared types are still what errors.As finds.
			var ierr *asset.InputError
			var nerr *asset.NetworkError
			var kerr *katsupay.Error
			assert.True(t, errors.As(err, &ierr) || errors.As(err, &nerr) || errors.As(err, &kerr) || errors.Is(err, asset.ErrInvalidReply), "%T", err)
		})
	}
}

// A deployment that accepts connections and never answers: each try ends
// at the attempt timeout rather than holding the call until its context
// ends.
func TestWithAttemptTimeoutBoundsEachTry(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	accepted := make(chan net.Conn, 8)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				close(accepted)
				return
			}
			accepted <- c
		}
	}()
	defer func() {
		_ = l.Close()
		for c := range accepted {
			_ = c.Close()
		}
	}()
	c, err := katsupay.NewClient("http://"+l.Addr().String(), katsupay.WithAttemptTimeout(50*time.Millisecond))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = c.Invoices.Create(ctx, validInvoice())
	var nerr *asset.NetworkError
	require.ErrorAs(t, err, &nerr)
	assert.NoError(t, ctx.Err(), "the try's timeout ended the call, not the context")
	assert.Equal(t, 1, nerr.Attempts, "a create that may have arrived is not sent again")
	assert.ErrorIs(t, err, asset.ErrOutcomeUnknown)
	assert.Contains(t, err.Error(), "the try timed out after 50ms, the per-try timeout (WithAttemptTimeout)")

	_, err = katsupay.NewClient(testBase, katsupay.WithAttemptTimeout(-time.Second))
	assert.ErrorIs(t, err, asset.ErrValidation)
}
