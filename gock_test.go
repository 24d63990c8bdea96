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

// gock's other style, as docs/testing.md shows it: an *http.Client of the
// caller's own, intercepted and given to the SDK. A list and a change go
// through it, and a mock answering without the API's envelope is reported
// as the documented shape's absence, not taken for an answer.
func TestGockInterceptedHTTPClient(t *testing.T) {
	hc := &http.Client{}
	gock.InterceptClient(hc)
	defer gock.RestoreClient(hc)
	defer gock.Off()

	gock.New(asset.SandboxURL).
		Get("/v0/business/biz_1/invoice").
		Reply(200).
		JSON(map[string]any{
			"data":       []any{map[string]any{"id": "inv_1", "number": "A-1", "status": "open"}},
			"pagination": map[string]any{"next_page_token": nil, "previous_page_token": nil},
		})
	gock.New(asset.SandboxURL).
		Post("/v0/business/biz_1/invoice/inv_1/write-off").
		Reply(200).
		JSON(map[string]any{"id": "inv_1", "number": "A-1"}) // no "data" around it

	client, err := asset.NewClient(asset.WithToken("tok_test"), asset.WithBaseURL(asset.SandboxURL),
		asset.WithHTTPClient(hc))
	require.NoError(t, err)

	page, err := client.Invoices.List(t.Context(), "biz_1", nil)
	require.NoError(t, err)
	require.Len(t, page.Data, 1)
	assert.Equal(t, "A-1", page.Data[0].Number)

	_, err = client.Invoices.WriteOff(t.Context(), "biz_1", "inv_1", asset.InvoiceWriteOff{Amount: asset.MustDecimal("1")})
	var decErr *asset.DecodeError
	require.ErrorAs(t, err, &decErr)
	assert.ErrorIs(t, err, asset.ErrInvalidReply)
	assert.ErrorIs(t, err, asset.ErrOutcomeUnknown, "the mock said the change went through")
	assert.True(t, gock.IsDone(), "both mocks answered")
}
