package asset_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/h2non/gock.v1"

	"github.com/assetkit/asset-go"
)

// gock's default mode, as its README shows it, replaces
// http.DefaultTransport: a client built without WithHTTPClient goes
// through the mock.
func TestGockDefaultModeWithoutHTTPClient(t *testing.T) {
	defer gock.Off()
	gock.New(asset.SandboxURL).
		Get("/v0/business/biz_Gock0000000000000000001/invoice/inv_Gock00000000000000000001").
		Reply(200).
		JSON(map[string]any{"data": map[string]any{
			"id": "inv_Gock00000000000000000001", "business_id": "biz_Gock0000000000000000001", "number": "G-1",
			"total_amount": "10.00", "total_paid": "0", "status": "open", "lines": []any{}, "payments": []any{},
		}})

	var c *asset.Client
	var err error
	require.NotPanics(t, func() { c, err = asset.NewClient(asset.WithToken("tok_gock"), asset.WithBaseURL(asset.SandboxURL)) })
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	inv, err := c.Invoices.Get(ctx, "biz_Gock0000000000000000001", "inv_Gock00000000000000000001")
	require.NoError(t, err)
	assert.Equal(t, "G-1", inv.Number)
	assert.True(t, gock.IsDone(), "the mock answered the call")
	_, isTransport := http.DefaultTransport.(*http.Transport)
	assert.False(t, isTransport, "gock is intercepting through http.DefaultTransport")
}
