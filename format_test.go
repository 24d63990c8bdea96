package asset

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
)

// formatted is every way a client ends up in a log line: the fmt verbs on
// the pointer and on the value, and slog's text and JSON handlers.
func formatted[T any](c *T) map[string]string {
	out := map[string]string{}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		out[verb+" pointer"] = fmt.Sprintf(verb, c)
		out[verb+" value"] = fmt.Sprintf(verb, *c)
	}
	for name, newHandler := range map[string]func(*bytes.Buffer) slog.Handler{
		"text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
		"json": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
	} {
		var b bytes.Buffer
		slog.New(newHandler(&b)).Info("calling", "client", c, "value", *c)
		out["slog "+name] = b.String()
	}
	return out
}

func TestClientFormattingHidesCredentials(t *testing.T) {
	t.Parallel()
	a := newAuthFake(t)
	withCC := a.client(t)
	require.NoError(t, getCall.call(context.Background(), withCC)) // caches cc_tok_1

	const sourceToken = "ts_tok_secret_77"
	withSource, err := NewClient(WithBaseURL(a.srv.URL), WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: sourceToken})))
	require.NoError(t, err)
	_, err = withSource.settings.auth.authorization(context.Background()) // caches the token
	require.NoError(t, err)

	withToken, err := NewClient(WithToken(testToken), WithBaseURL(SandboxURL), WithUserID("usr_42"))
	require.NoError(t, err)

	cases := []struct {
		name    string
		c       *Client
		secrets []string
		want    []string
	}{
		{"token", withToken, []string{testToken}, []string{SandboxURL, "usr_42", "token"}},
		{"client credentials", withCC, []string{testClientSecret, "cc_tok_1"}, []string{a.srv.URL, testClientID, "client credentials"}},
		{"token source", withSource, []string{sourceToken}, []string{a.srv.URL, "token source"}},
	}
	for _, tc := range cases {
		for how, text := range formatted(tc.c) {
			t.Run(tc.name+" "+how, func(t *testing.T) {
				for _, s := range tc.secrets {
					assert.NotContains(t, text, s)
				}
				for _, w := range tc.want {
					assert.Contains(t, text, w)
				}
			})
		}
	}
}

func TestClientStringExample(t *testing.T) {
	t.Parallel()
	c, err := NewClient(WithToken(testToken), WithBaseURL(SandboxURL), WithUserID("usr_42"))
	require.NoError(t, err)
	assert.Equal(t, `asset.Client{BaseURL:"https://api.sandbox.getasset.com" Auth:"bearer token" UserID:"usr_42"}`, c.String())
	var b bytes.Buffer
	slog.New(slog.NewTextHandler(&b, &slog.HandlerOptions{ReplaceAttr: dropTime})).Info("calling", "client", c)
	assert.Equal(t, "level=INFO msg=calling client.base_url=https://api.sandbox.getasset.com client.auth=\"bearer token\" client.user_id=usr_42\n", b.String())
}

func dropTime(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}

// The credentials a caller builds print without their secret too.
func TestClientCredentialsFormattingHidesSecret(t *testing.T) {
	t.Parallel()
	creds := testCreds
	for how, text := range formatted(&creds) {
		t.Run(how, func(t *testing.T) {
			assert.NotContains(t, text, testClientSecret)
			assert.Contains(t, text, testClientID)
		})
	}
}
