package katsupay_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go/katsupay"
)

func TestClientFormattingHidesCredentials(t *testing.T) {
	c, err := katsupay.NewClient(testBase, katsupay.WithToken(testToken), katsupay.WithServiceKey(testAPIKey, testAPICode))
	require.NoError(t, err)
	texts := map[string]string{}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		texts[verb+" pointer"] = fmt.Sprintf(verb, c)
		texts[verb+" value"] = fmt.Sprintf(verb, *c)
	}
	var text, js bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("calling", "client", c, "value", *c)
	slog.New(slog.NewJSONHandler(&js, nil)).Info("calling", "client", c, "value", *c)
	texts["slog text"], texts["slog json"] = text.String(), js.String()
	for how, s := range texts {
		t.Run(how, func(t *testing.T) {
			for _, secret := range []string{testToken, testAPIKey, testAPICode} {
				assert.NotContains(t, s, secret)
			}
			assert.Contains(t, s, testBase)
			assert.Contains(t, s, "service key")
		})
	}
}

func TestClientStringSaysWhichCredentials(t *testing.T) {
	cases := []struct {
		opts []katsupay.Option
		want string
	}{
		{nil, `katsupay.Client{BaseURL:"https://pay.katsu.example" Auth:"none"}`},
		{[]katsupay.Option{katsupay.WithToken(testToken)}, `katsupay.Client{BaseURL:"https://pay.katsu.example" Auth:"bearer token"}`},
		{[]katsupay.Option{katsupay.WithServiceKey(testAPIKey, testAPICode)}, `katsupay.Client{BaseURL:"https://pay.katsu.example" Auth:"service key"}`},
		{[]katsupay.Option{katsupay.WithToken(testToken), katsupay.WithServiceKey(testAPIKey, testAPICode)}, `katsupay.Client{BaseURL:"https://pay.katsu.example" Auth:"bearer token and service key"}`},
	}
	for _, tc := range cases {
		c, err := katsupay.NewClient(testBase, tc.opts...)
		require.NoError(t, err)
		assert.Equal(t, tc.want, c.String())
	}
}
