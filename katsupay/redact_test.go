package katsupay_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go/katsupay"
)

// A server or a proxy in the way may quote the request back in its reply:
// the bearer token and the service key must not reach Error() or Body in
// any of the encodings it can use.
func TestErrorsNeverQuoteCredentials(t *testing.T) {
	quote := map[string]func(string) string{
		"as is":       func(s string) string { return s },
		"form":        url.QueryEscape,
		"json escape": func(s string) string { return strings.ReplaceAll(s, "_", `\u005f`) },
	}
	for enc, q := range quote {
		for _, status := range []int{http.StatusBadRequest, http.StatusOK} {
			t.Run(enc+"/"+http.StatusText(status), func(t *testing.T) {
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					echo := q(r.Header.Get("Authorization")) + " " + q(r.Header.Get("service-api-key")) + " " + q(r.Header.Get("service-api-code"))
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(status)
					if status == http.StatusOK { // a success that is not the documented reply
						_, _ = w.Write([]byte(`{"succeeded": true, "echo": "` + echo + `"`))
						return
					}
					_, _ = w.Write([]byte(`{"succeeded": false, "message": "refused ` + echo + `", "errors": ["` + echo + `"]}`))
				}))
				defer srv.Close()
				c, err := katsupay.NewClient(srv.URL, katsupay.WithToken(testToken), katsupay.WithServiceKey(testAPIKey, testAPICode))
				require.NoError(t, err)
				_, err = c.Invoices.Create(context.Background(), validInvoice())
				require.Error(t, err)
				text := err.Error()
				var kerr *katsupay.Error
				if errors.As(err, &kerr) {
					text += " " + string(kerr.Body) + " " + kerr.Message + " " + strings.Join(kerr.Errors, " ")
				}
				for _, secret := range []string{testToken, testAPIKey, testAPICode} {
					assert.NotContains(t, text, secret)
					assert.NotContains(t, text, q(secret))
				}
			})
		}
	}
}

// A credential quoted across the cut of a long error body is redacted
// whole: none of its first characters is left at the end of Body.
func TestCredentialAcrossTheBodyCutIsRedacted(t *testing.T) {
	const kept = 64 << 10
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(strings.Repeat("x", kept-6) + testToken + strings.Repeat("y", 100)))
	}))
	defer srv.Close()
	c, err := katsupay.NewClient(srv.URL, katsupay.WithToken(testToken))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = c.Invoices.Create(ctx, validInvoice())
	var kerr *katsupay.Error
	require.ErrorAs(t, err, &kerr)
	require.Len(t, kerr.Body, kept)
	tail := kerr.Body[kept-32:]
	assert.False(t, bytes.Contains(kerr.Body, []byte(testToken[:6])), "the body ends %q", tail)
	assert.False(t, strings.Contains(err.Error(), testToken[:6]), "the error ends %q", tail)
}
