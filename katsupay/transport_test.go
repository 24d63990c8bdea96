package katsupay_test

import (
	"context"
	"crypto/tls"
	"errors"
	"net/http"
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
