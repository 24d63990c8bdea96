package katsupay_test

import (
	"context"
	"crypto/tls"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/internal/httpcore"
	"github.com/assetkit/asset-go/internal/wiretest"
	"github.com/assetkit/asset-go/katsupay"
)

// A Create the server applied, whose answer an HTTP/2 reset or GOAWAY lost,
// is applied once: Go's transport does not send it again, nor does the
// client, and the error says the outcome is unknown.
func TestCreateNeverReplayedOverHTTP2(t *testing.T) {
	for _, fault := range []wiretest.Fault{wiretest.H2Reset, wiretest.H2GoAway} {
		srv := wiretest.Start(t, fault, []byte(okReply))
		tr := httpcore.NewHTTPClient().Transport.(*http.Transport).Clone()
		tr.TLSClientConfig = &tls.Config{RootCAs: srv.Roots}
		tr.ForceAttemptHTTP2 = true
		t.Cleanup(tr.CloseIdleConnections)
		c, err := katsupay.NewClient(srv.URL, katsupay.WithToken(testToken),
			katsupay.WithHTTPClient(&http.Client{Transport: tr}), katsupay.WithRetryWait(time.Millisecond, 5*time.Millisecond))
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, err = c.Invoices.Create(ctx, validInvoice())
		cancel()
		assert.ErrorIs(t, err, asset.ErrOutcomeUnknown, "fault %d", fault)
		var netErr *asset.NetworkError
		if assert.True(t, errors.As(err, &netErr), "fault %d: %v", fault, err) {
			assert.Equal(t, 1, netErr.Attempts, "fault %d: attempts", fault)
		}
		assert.Equal(t, 1, srv.Applied(), "fault %d: times the server applied the Create", fault)
	}
}

// A proxy that takes the connection and then fails the CONNECT never lets a
// Create reach the server: it is tried again, and never reported as an
// unknown outcome.
func TestCreateThroughAFailingProxyIsRetried(t *testing.T) {
	faults := []struct {
		name  string
		fault wiretest.ProxyFault
	}{
		{"407", wiretest.ProxyAuthRequired},
		{"502", wiretest.ProxyBadGateway},
		{"closed after the CONNECT", wiretest.ProxyCloseAfterConnect},
		{"stalled after the CONNECT", wiretest.ProxyStall},
	}
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			srv := wiretest.Start(t, wiretest.TLSGarbage, []byte(okReply))
			proxy := wiretest.StartProxy(t, f.fault)
			proxyURL, err := url.Parse(proxy.URL)
			require.NoError(t, err)
			tr := httpcore.NewHTTPClient().Transport.(*http.Transport).Clone()
			tr.TLSClientConfig = &tls.Config{RootCAs: srv.Roots}
			tr.Proxy = http.ProxyURL(proxyURL)
			t.Cleanup(tr.CloseIdleConnections)
			c, err := katsupay.NewClient(srv.URL, katsupay.WithToken(testToken),
				katsupay.WithHTTPClient(&http.Client{Transport: tr}), katsupay.WithRetryWait(time.Millisecond, 5*time.Millisecond),
				katsupay.WithAttemptTimeout(100*time.Millisecond))
			require.NoError(t, err)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, err = c.Invoices.Create(ctx, validInvoice())
			assert.NotErrorIs(t, err, asset.ErrOutcomeUnknown)
			var netErr *asset.NetworkError
			require.ErrorAs(t, err, &netErr)
			assert.Equal(t, 4, netErr.Attempts, "attempts: nothing was sent, so every try is safe")
			assert.False(t, netErr.MayHaveApplied)
			assert.Zero(t, srv.Requests(), "requests that reached the server")
		})
	}
}
