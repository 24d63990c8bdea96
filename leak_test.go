package asset_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
)

// Credentials distinctive enough that finding one in a message can only
// mean it leaked.
const (
	leakToken    = "tok_LEAKCANARY_static_b7Qx2Rk9"
	leakClientID = "cli_leakcanary"
	leakSecret   = "sec_LEAKCANARY_m4Zp8Wd1"
	leakIssued   = "tok_LEAKCANARY_issued_c3Vn6Ty0"
)

// leakLog collects a client's log lines; slog handlers may write from the
// goroutine that prefetches pages.
type leakLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *leakLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *leakLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// leakLogger is a debug-level text logger into a buffer, and the option
// that gives it to a client.
func leakLogger() (*leakLog, asset.Option) {
	l := &leakLog{}
	return l, asset.WithLogger(slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug})))
}

// leakCheck fails if a secret is in res's error, however it is printed, in
// a panic, or in the log, which must have recorded the call.
func leakCheck(t *testing.T, res faultResult, log *leakLog, secrets ...string) {
	t.Helper()
	var texts []string
	if res.err != nil {
		texts = append(texts, res.err.Error(), fmt.Sprintf("%+v", res.err))
	}
	if res.panicked != nil {
		texts = append(texts, fmt.Sprint(res.panicked))
	}
	lines := log.String()
	assert.Contains(t, lines, "route=/v0/", "the log recorded the call")
	texts = append(texts, lines)
	for _, text := range texts {
		for _, s := range secrets {
			assert.NotContains(t, text, s, "a credential leaked")
		}
	}
}

// TestLeakTokenEndpointFaults puts every fault on the token endpoint of the
// client credentials grant, whose request holds the secret and whose answer
// the token. Nothing leaks, nothing is sent without a token, and a failed
// token fetch is never mistaken for a change that may have been applied.
func TestLeakTokenEndpointFaults(t *testing.T) {
	t.Parallel()
	calls := []endpoint{endpoints[1], endpoints[6]} // get, apply payment
	require.Equal(t, "get", calls[0].name)
	require.Equal(t, "apply payment", calls[1].name)
	for _, fc := range faultCases() {
		if fc.huge {
			continue // the token answer is a small body whatever the fault
		}
		t.Run(fc.name, func(t *testing.T) {
			t.Parallel() // every case has servers of its own
			for _, call := range calls {
				for _, backend := range []string{"assettest", "raw"} {
					t.Run(backend+"/"+call.name, func(t *testing.T) {
						t.Parallel()
						log, logOpt := leakLogger()
						env := faultEnv{
							creds: true, faultToken: true, clientID: leakClientID, secret: leakSecret,
							token: leakIssued, opts: []asset.Option{logOpt},
						}
						// The token request is safe to repeat, so it is
						// retried as a read is.
						var res faultResult
						want := fc.rawRead
						if backend == "raw" {
							res = faultRaw(t, fc, call, env)
						} else {
							want = fc.fakeRead
							res = faultFake(t, fc, call, env)
						}
						require.Nil(t, res.panicked)
						assert.Less(t, res.elapsed, faultBound)
						leakCheck(t, res, log, leakSecret, leakIssued)
						if want.kind == faultOK {
							require.NoError(t, res.err)
							return
						}
						require.Error(t, res.err)
						assert.NotErrorIs(t, res.err, asset.ErrOutcomeUnknown, "no change was sent")
						assert.Zero(t, res.requests, "nothing is sent without a token")
					})
				}
			}
		})
	}
}

// TestLeakEchoingServer faces a server, or a proxy in front of it, that
// quotes the request back in its errors: the Authorization header and the
// token request's form, in every place an error body can hold text.
func TestLeakEchoingServer(t *testing.T) {
	t.Parallel()
	echo := func(r *http.Request) string {
		body, _ := io.ReadAll(r.Body)
		return r.Header.Get("Authorization") + " " + string(body)
	}
	shapes := []struct {
		name string
		body func(quote string) string
	}{
		{"detail string", func(q string) string { return fmt.Sprintf(`{"detail": %q}`, q) }},
		{"detail list", func(q string) string {
			return fmt.Sprintf(`{"detail": [{"loc": ["header", %q], "msg": %q, "type": "value_error", "input": %q}]}`, q, q, q)
		}},
		{"error", func(q string) string { return fmt.Sprintf(`{"error": %q}`, q) }},
		{"message", func(q string) string { return fmt.Sprintf(`{"message": %q}`, q) }},
		{"plain text", func(q string) string { return q }},
		// A success whose amount holds the quote: the parse error names
		// the value it failed on. An invoice's is total_amount, a
		// refund's, a credit memo's and a transaction's amount.
		{"amount", func(q string) string {
			return fmt.Sprintf(`{"data": {"id": "inv_1", "total_amount": %q, "amount": %q}, "data_list": null}`, q, q)
		}},
	}
	for _, sh := range shapes {
		statuses := []int{400, 401, 422, 429, 500}
		switch sh.name {
		case "plain text":
			statuses = append(statuses, 200) // a success that does not decode
		case "amount":
			statuses = []int{200}
		}
		for _, status := range statuses {
			for _, onToken := range []bool{false, true} {
				if sh.name == "amount" && onToken {
					continue // a token response has no amounts
				}
				name := fmt.Sprintf("%s/%d/token endpoint %t", sh.name, status, onToken)
				t.Run(name, func(t *testing.T) {
					srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						quote := echo(r)
						if r.URL.Path == "/v0/auth/token" && !onToken {
							faultWrite(w, 200, nil, []byte(`{"access_token": "`+leakIssued+`", "token_type": "bearer"}`))
							return
						}
						faultWrite(w, status, http.Header{"Retry-After": {"0"}, "X-Request-Id": {quote}}, []byte(sh.body(quote)))
					}))
					defer srv.Close()
					log, logOpt := leakLogger()
					c, err := asset.NewClient(asset.WithBaseURL(srv.URL), logOpt,
						asset.WithClientCredentials(asset.ClientCredentials{ClientID: leakClientID, ClientSecret: leakSecret}),
						asset.WithRetryWait(time.Millisecond, time.Millisecond), asset.WithMaxRetries(1))
					require.NoError(t, err)
					for _, call := range endpoints {
						if sh.name == "amount" && (call.res == resCustomers || call.res == resLedgers) {
							continue // a customer or ledger has no amount to fail on
						}
						res := call.call(context.Background(), c, endpointIDs{
							invoice: "inv_Echo00000000000000000001", txn: "txn_Echo00000000000000000001", refund: "rfu_Echo00000000000000000001",
							memo: "cm_Echo000000000000000000001", customer: "cus_Echo00000000000000000001", ledger: "ldg_Echo00000000000000000001",
						})
						require.Error(t, res.err, call.name)
						leakCheck(t, res, log, leakSecret, leakIssued)
						// The fields an error hands the caller are clean too.
						var apiErr *asset.APIError
						var decErr *asset.DecodeError
						switch {
						case errors.As(res.err, &apiErr):
							assert.Contains(t, string(apiErr.Body), "[redacted]")
							fields := string(apiErr.Body) + fmt.Sprintf("%#v", *apiErr)
							assert.NotContains(t, fields, leakIssued)
							assert.NotContains(t, fields, leakSecret)
						case errors.As(res.err, &decErr) && onToken:
							assert.Empty(t, decErr.Body, "a token endpoint's success body is a credential: none of it is kept")
						case errors.As(res.err, &decErr):
							assert.Contains(t, string(decErr.Body), "[redacted]")
							assert.NotContains(t, string(decErr.Body)+decErr.RequestID, leakIssued)
							assert.NotContains(t, string(decErr.Body)+decErr.RequestID, leakSecret)
						default:
							t.Errorf("%s: unexpected error %v", call.name, res.err)
						}
					}
				})
			}
		}
	}
}

// TestLeakInputErrorsAndPanics: credentials refused as malformed are not
// quoted back, neither in the error nor in assettest's panic.
func TestLeakInputErrorsAndPanics(t *testing.T) {
	t.Parallel()
	bad := []string{leakToken + " trailing", leakToken + "\n", "Bearer " + leakToken, leakToken + "\x7f"}
	for _, tok := range bad {
		_, err := asset.NewClient(asset.WithToken(tok))
		require.Error(t, err, "%q", tok)
		assert.ErrorIs(t, err, asset.ErrValidation)
		assert.NotContains(t, err.Error(), leakToken)
	}
	_, err := asset.NewClient(asset.WithClientCredentials(asset.ClientCredentials{ClientSecret: leakSecret}))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), leakSecret)

	srv := assettest.NewServer()
	defer srv.Close()
	for _, tok := range bad {
		msg := func() (msg string) {
			defer func() { msg = fmt.Sprint(recover()) }()
			srv.Client(asset.WithToken(tok))
			return ""
		}()
		assert.True(t, strings.HasPrefix(msg, "assettest:"), "panics: %q", msg)
		assert.NotContains(t, msg, leakToken)
	}
}
