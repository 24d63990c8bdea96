package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/examples/internal/cli"
	"github.com/assetkit/asset-go/examples/internal/exampletest"
	"github.com/assetkit/asset-go/katsupay/katsupaytest"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// serverVars is the environment of a run against srv, with the
// credentials it takes.
func serverVars(srv *katsupaytest.Server) map[string]string {
	return map[string]string{
		"KATSUPAY_BASE_URL": srv.URL,
		"KATSUPAY_TOKEN":    katsupaytest.Token,
		"KATSUPAY_API_KEY":  katsupaytest.APIKey,
		"KATSUPAY_API_CODE": katsupaytest.APICode,
	}
}

func TestRunsOnTheEmbeddedFake(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), nil, env(nil), &out, io.Discard))
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 2, out.String())
	assert.Regexp(t, `^KATSUPAY_BASE_URL is not set: running on the embedded katsupaytest fake at http://127\.0\.0\.1:\d+, which forgets everything when this program exits$`, lines[0])
	assert.Equal(t, "Created invoice 00000000-0000-4000-8000-000000000001 for 1049.97", lines[1])
}

func TestRunsOnTheDeploymentGiven(t *testing.T) {
	srv := katsupaytest.NewServer(katsupaytest.WithToken("tok-live"), katsupaytest.WithServiceKey("key-live", "code-live"))
	defer srv.Close()
	var out bytes.Buffer
	err := run(context.Background(), nil, env(map[string]string{
		"KATSUPAY_BASE_URL":        srv.URL,
		"KATSUPAY_TOKEN":           "tok-live",
		"KATSUPAY_API_KEY":         "key-live",
		"KATSUPAY_API_CODE":        "code-live",
		"KATSUPAY_COUNTERPARTY_ID": "0f8fad5b-d9cb-469f-a165-70867728950e",
		"KATSUPAY_CURRENCY":        "566",
	}), &out, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "Using the Katsu Pay deployment at "+srv.URL+"\n"+
		"Created invoice 00000000-0000-4000-8000-000000000001 for 1049.97\n", out.String())
	got := srv.Invoices()
	require.Len(t, got, 1)
	assert.Equal(t, "0f8fad5b-d9cb-469f-a165-70867728950e", got[0].Request.CounterPartyID)
	assert.EqualValues(t, 566, got[0].Request.Currency)
}

func TestExplainsFailures(t *testing.T) {
	srv := katsupaytest.NewServer()
	defer srv.Close()
	vars := serverVars(srv)

	srv.FailNext(katsupaytest.Fault{Status: 500})
	err := run(context.Background(), nil, env(vars), &bytes.Buffer{}, io.Discard)
	assert.ErrorIs(t, err, asset.ErrOutcomeUnknown)
	assert.Contains(t, err.Error(), "check Katsu Pay before running this again")

	srv.FailNext(katsupaytest.Fault{Status: 400, Errors: []string{"Counterparty not found"}})
	err = run(context.Background(), nil, env(vars), &bytes.Buffer{}, io.Discard)
	assert.ErrorIs(t, err, asset.ErrValidation)
	assert.Contains(t, err.Error(), "KATSUPAY_COUNTERPARTY_ID")

	vars["KATSUPAY_TOKEN"] = "wrong"
	err = run(context.Background(), nil, env(vars), &bytes.Buffer{}, io.Discard)
	assert.ErrorIs(t, err, asset.ErrUnauthorized)
	assert.Contains(t, err.Error(), "KATSUPAY_TOKEN")

	// No credentials is a valid client; this deployment wants them.
	err = run(context.Background(), nil, env(map[string]string{"KATSUPAY_BASE_URL": srv.URL}), &bytes.Buffer{}, io.Discard)
	assert.ErrorIs(t, err, asset.ErrUnauthorized)
	assert.NotErrorIs(t, err, asset.ErrValidation)
	assert.Contains(t, err.Error(), "This deployment wants credentials")
	assert.Empty(t, srv.Invoices())
}

func TestRunsWithoutCredentialsOnADeploymentThatWantsNone(t *testing.T) {
	srv := katsupaytest.NewServer(katsupaytest.WithToken(""), katsupaytest.WithServiceKey("", ""))
	defer srv.Close()
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), nil, env(map[string]string{"KATSUPAY_BASE_URL": srv.URL}), &out, io.Discard))
	assert.Contains(t, out.String(), "Created invoice 00000000-0000-4000-8000-000000000001")
	assert.Len(t, srv.Invoices(), 1)
}

func TestCommandLine(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		once string // said exactly once on stderr
	}{
		{[]string{"-h"}, 0, "usage: katsupay"},
		{[]string{"-nope"}, 2, "flag provided but not defined: -nope"},
		{[]string{"extra"}, 2, `unexpected arguments ["extra"]`},
		{[]string{"--", "extra"}, 2, `unexpected arguments ["extra"]`},
	} {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), tc.args, env(nil), &stdout, &stderr)
		assert.Equal(t, tc.code, cli.Exit("katsupay", err, &stderr), "%q", tc.args)
		assert.Equal(t, 1, strings.Count(stderr.String(), tc.once), "%q: %s", tc.args, stderr.String())
		assert.Empty(t, stdout.String(), "%q: nothing ran", tc.args)
	}
}

// -h lists every variable the program reads from the environment, and says
// that without a base URL it runs on an embedded fake that keeps nothing.
func TestHelpNamesTheEnvironment(t *testing.T) {
	var stderr bytes.Buffer
	err := run(context.Background(), []string{"-h"}, env(nil), &bytes.Buffer{}, &stderr)
	require.Equal(t, 0, cli.Exit("katsupay", err, &stderr))
	for _, name := range exampletest.EnvRead(t, "main.go") {
		assert.Contains(t, stderr.String(), name)
	}
	assert.Contains(t, stderr.String(), "embedded katsupaytest fake")
	assert.Contains(t, stderr.String(), "forgets everything")
}

// The client's errors already name katsupay: the program does not say it
// twice, and a retried try is said on stderr as it happens.
func TestSaysOnStderrOnceWhatFailed(t *testing.T) {
	srv := katsupaytest.NewServer()
	defer srv.Close()
	vars := serverVars(srv)
	srv.FailNext(katsupaytest.Fault{Status: 429}, katsupaytest.Fault{Status: 400, Errors: []string{"Counterparty not found"}})
	var stderr bytes.Buffer
	err := run(context.Background(), nil, env(vars), io.Discard, &stderr)
	require.Error(t, err)
	assert.Contains(t, stderr.String(), `level=WARN msg="katsupay: try failed, retrying" method=POST route=/api/v1/Invoice/Create status=429 attempt=1`)
	assert.Equal(t, 1, cli.Exit("katsupay", err, &stderr))
	assert.Contains(t, stderr.String(), "\nkatsupay: POST /api/v1/Invoice/Create: 400 Bad Request")
	assert.NotContains(t, stderr.String(), "katsupay: katsupay:")
	assert.False(t, errors.Is(err, asset.ErrOutcomeUnknown))
}
