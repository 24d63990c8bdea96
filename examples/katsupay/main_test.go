package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/katsupay/katsupaytest"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestRunsOnTheEmbeddedFake(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, env(nil)))
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 2, out.String())
	assert.True(t, strings.HasPrefix(lines[0], "KATSUPAY_BASE_URL is not set: running on the embedded katsupaytest fake at http://127.0.0.1:"), lines[0])
	assert.Equal(t, "Created invoice 00000000-0000-4000-8000-000000000001 for 1049.97", lines[1])
}

func TestRunsOnTheDeploymentGiven(t *testing.T) {
	srv := katsupaytest.NewServer(katsupaytest.WithToken("tok-live"), katsupaytest.WithServiceKey("key-live", "code-live"))
	defer srv.Close()
	var out bytes.Buffer
	err := run(context.Background(), &out, env(map[string]string{
		"KATSUPAY_BASE_URL":        srv.URL,
		"KATSUPAY_TOKEN":           "tok-live",
		"KATSUPAY_API_KEY":         "key-live",
		"KATSUPAY_API_CODE":        "code-live",
		"KATSUPAY_COUNTERPARTY_ID": "0f8fad5b-d9cb-469f-a165-70867728950e",
		"KATSUPAY_CURRENCY":        "566",
	}))
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
	vars := map[string]string{
		"KATSUPAY_BASE_URL": srv.URL,
		"KATSUPAY_TOKEN":    katsupaytest.Token,
		"KATSUPAY_API_KEY":  katsupaytest.APIKey,
		"KATSUPAY_API_CODE": katsupaytest.APICode,
	}

	srv.FailNext(katsupaytest.Fault{Status: 500})
	err := run(context.Background(), &bytes.Buffer{}, env(vars))
	assert.ErrorIs(t, err, asset.ErrOutcomeUnknown)
	assert.Contains(t, err.Error(), "check Katsu Pay before running this again")

	srv.FailNext(katsupaytest.Fault{Status: 400, Errors: []string{"Counterparty not found"}})
	err = run(context.Background(), &bytes.Buffer{}, env(vars))
	assert.ErrorIs(t, err, asset.ErrValidation)
	assert.Contains(t, err.Error(), "KATSUPAY_COUNTERPARTY_ID")

	vars["KATSUPAY_TOKEN"] = "wrong"
	err = run(context.Background(), &bytes.Buffer{}, env(vars))
	assert.ErrorIs(t, err, asset.ErrUnauthorized)
	assert.Contains(t, err.Error(), "KATSUPAY_TOKEN")

	// No credentials is a valid client; this deployment wants them.
	err = run(context.Background(), &bytes.Buffer{}, env(map[string]string{"KATSUPAY_BASE_URL": srv.URL}))
	assert.ErrorIs(t, err, asset.ErrUnauthorized)
	assert.NotErrorIs(t, err, asset.ErrValidation)
	assert.Contains(t, err.Error(), "This deployment wants credentials")
	assert.Empty(t, srv.Invoices())
}

func TestRunsWithoutCredentialsOnADeploymentThatWantsNone(t *testing.T) {
	srv := katsupaytest.NewServer(katsupaytest.WithToken(""), katsupaytest.WithServiceKey("", ""))
	defer srv.Close()
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, env(map[string]string{"KATSUPAY_BASE_URL": srv.URL})))
	assert.Contains(t, out.String(), "Created invoice 00000000-0000-4000-8000-000000000001")
	assert.Len(t, srv.Invoices(), 1)
}
