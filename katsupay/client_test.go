package katsupay_test

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/h2non/gock.v1"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/katsupay"
)

func TestNewClientRefusesBadSettings(t *testing.T) {
	tok := katsupay.WithToken(testToken)
	for _, tc := range []struct {
		name, base, field string
		opts              []katsupay.Option
	}{
		{"no base URL", "", "baseURL", []katsupay.Option{tok}},
		{"plain http", "http://pay.katsu.example", "baseURL", []katsupay.Option{tok}},
		{"other scheme", "ftp://pay.katsu.example", "baseURL", []katsupay.Option{tok}},
		{"credentials in the URL", "https://u:p@pay.katsu.example", "baseURL", []katsupay.Option{tok}},
		{"API prefix in the URL", "https://pay.katsu.example/api/v1/", "baseURL", []katsupay.Option{tok}},
		{"endpoint in the URL", "https://pay.katsu.example/API/v1/Invoice/Create", "baseURL", []katsupay.Option{tok}},
		{"empty token", testBase, "WithToken", []katsupay.Option{katsupay.WithToken("")}},
		{"Bearer prefix", testBase, "WithToken", []katsupay.Option{katsupay.WithToken("Bearer abc")}},
		{"token with a line break", testBase, "WithToken", []katsupay.Option{katsupay.WithToken("abc\r\nX-Evil: 1")}},
		{"service key without code", testBase, "WithServiceKey", []katsupay.Option{katsupay.WithServiceKey("k", "")}},
		{"service code without key", testBase, "WithServiceKey", []katsupay.Option{katsupay.WithServiceKey("", "c")}},
		{"service key with spaces", testBase, "WithServiceKey", []katsupay.Option{katsupay.WithServiceKey(" k", "c")}},
		{"service key outside ASCII", testBase, "WithServiceKey", []katsupay.Option{katsupay.WithServiceKey("clé", "c")}},
		{"token outside ASCII", testBase, "WithToken", []katsupay.Option{katsupay.WithToken("tok_é")}},
		{"nil HTTP client", testBase, "WithHTTPClient", []katsupay.Option{tok, katsupay.WithHTTPClient(nil)}},
		{"negative retries", testBase, "WithMaxRetries", []katsupay.Option{tok, katsupay.WithMaxRetries(-1)}},
		{"retry wait backwards", testBase, "WithRetryWait", []katsupay.Option{tok, katsupay.WithRetryWait(time.Second, time.Millisecond)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := katsupay.NewClient(tc.base, tc.opts...)
			assert.Nil(t, c)
			assert.ErrorIs(t, err, asset.ErrValidation)
			var ierr *asset.InputError
			require.ErrorAs(t, err, &ierr)
			assert.Equal(t, tc.field, ierr.Field)
			assert.NotContains(t, err.Error(), "p@")
		})
	}
}

func TestNewClientAccepts(t *testing.T) {
	for _, base := range []string{
		"https://pay.katsu.example", "https://pay.katsu.example/", "https://katsu.example/pay",
		"http://localhost:8080", "http://127.0.0.1:9", "http://[::1]:9",
	} {
		c, err := katsupay.NewClient(base, katsupay.WithServiceKey("k", "c"), katsupay.Option{})
		assert.NoError(t, err, base)
		assert.NotNil(t, c)
	}
	// The create endpoint is documented as taking no credentials.
	c, err := katsupay.NewClient(testBase)
	require.NoError(t, err)
	assert.NotNil(t, c.Invoices)
}

func TestCreateKeepsTheBasePath(t *testing.T) {
	c := newGockClientAt(t, testBase+"/tenant-7/")
	gock.New(testBase).Post("^/tenant-7/api/v1/Invoice/Create$").Reply(200).BodyString(okReply)
	_, err := c.Invoices.Create(context.Background(), validInvoice())
	require.NoError(t, err)
}

func TestWithLoggerLogsRetriesButNoCredentials(t *testing.T) {
	var logs bytes.Buffer
	l := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := newGockClient(t, katsupay.WithLogger(l))
	mockCreate().Reply(429).SetHeader("Retry-After", "0").BodyString(`{"succeeded":false}`)
	mockCreate().Reply(200).BodyString(okReply)
	_, err := c.Invoices.Create(context.Background(), validInvoice())
	require.NoError(t, err)
	assert.Contains(t, logs.String(), "/api/v1/Invoice/Create")
	assert.Contains(t, logs.String(), `msg="katsupay: try failed, retrying"`, "records name the client that wrote them")
	assert.NotContains(t, logs.String(), "asset-go")
	for _, secret := range []string{testToken, testAPIKey, testAPICode} {
		assert.NotContains(t, logs.String(), secret)
	}
}
