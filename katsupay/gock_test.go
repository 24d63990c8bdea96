package katsupay_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/h2non/gock.v1"

	"github.com/assetkit/asset-go/katsupay"
)

// gock's default mode, as its README shows it, replaces
// http.DefaultTransport: a client built without WithHTTPClient goes
// through the mock.
func TestGockDefaultModeWithoutHTTPClient(t *testing.T) {
	defer gock.Off()
	gock.New(testBase).Post(createPathRE).Reply(200).BodyString(okReply)

	var c *katsupay.Client
	var err error
	require.NotPanics(t, func() { c, err = katsupay.NewClient(testBase, katsupay.WithToken(testToken)) })
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err = c.Invoices.Create(ctx, validInvoice())
	require.NoError(t, err)
	assert.True(t, gock.IsDone(), "the mock answered the call")
}
