// Package exampleenv connects the example programs to the Asset API the
// environment names, or, when it names none, to an embedded assettest
// server, so that every example runs on a machine with nothing but Go.
//
// The environment:
//
//	ASSET_TOKEN        a bearer token; without it the examples run on assettest
//	ASSET_BUSINESS_ID  the business to work on (biz_...), required with ASSET_TOKEN
//	ASSET_BASE_URL     the API's address, default asset.SandboxURL
//	ASSET_USER_ID      optional: sent as x-user-id, for the API's audit log
//	ASSET_ATTEMPT_TIMEOUT  optional: how long one try may take, e.g. "30s"
//	                   (default 10s, shorter than the SDK's minute, so that
//	                   a server that never answers is noticed soon)
//	ASSET_RATE_LIMIT   optional: requests a minute to keep to (default 300,
//	                   the API's limit; 0 for none, for a server of your own)
//
// The client logs the SDK's warnings and errors to the log writer Open is
// given (stderr): each try that failed and will be retried, and each call
// that failed, so that a slow or failing API is never silent.
package exampleenv

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
	"github.com/assetkit/asset-go/examples/internal/cli"
)

// Help says, for a program's -h, what the environment chooses and what
// happens without it.
const Help = `Without ASSET_TOKEN it runs on an embedded assettest server, an in-memory
Asset API, which forgets everything when this program exits. The environment:

  ASSET_TOKEN            a bearer token: run against the API instead
  ASSET_BUSINESS_ID      the business to work on (biz_...), required with
                         ASSET_TOKEN (default biz_example on the embedded server)
  ASSET_BASE_URL         the API's address (default the sandbox)
  ASSET_USER_ID          optional, sent as x-user-id for the API's audit log
  ASSET_ATTEMPT_TIMEOUT  optional, how long one try may take (default 10s)
  ASSET_RATE_LIMIT       optional, requests a minute to keep to (default 300,
                         the API's limit; 0 for none)`

// Forgets ends the first line of a run on the embedded server: what it
// holds is gone when the program exits, so a second run starts empty.
const Forgets = "which forgets everything when this program exits"

// AttemptTimeout bounds each try unless ASSET_ATTEMPT_TIMEOUT says
// otherwise. A page of 100 invoices comes back well within it.
const AttemptTimeout = 10 * time.Second

// DefaultBusinessID is the business an example works on when running on
// the embedded server without ASSET_BUSINESS_ID: any biz_ id is a business
// of its own there.
const DefaultBusinessID = "biz_example"

// APIRateLimit is the API's limit per minute, per business and per tenant,
// which the examples keep to when they talk to it, unless ASSET_RATE_LIMIT
// says otherwise (0: no limit, for a server of your own).
const APIRateLimit = 300

// Env is where an example runs.
type Env struct {
	// Client is wired to the API or to the embedded server.
	Client *asset.Client
	// BusinessID is the business the example works on.
	BusinessID string
	// Fake is the embedded server, nil when talking to the real API. An
	// example uses it to set up what only a real business would already
	// have: money received (AddTransaction, AddCredit), the tag fields
	// its tags name (AddTagField), invoices to export. It holds the API's
	// rules: without that setup an example fails on it as it would on the
	// real API.
	Fake *assettest.Server
}

// Open reads the environment through getenv and returns where to run,
// having written one line to w saying which API that is. The client logs
// retries and failures to log. Close the Env when done.
func Open(getenv func(string) string, w, log io.Writer) (*Env, error) {
	return OpenSaying(getenv, w, log, "")
}

// OpenSaying is Open, the line saying that the program runs on the embedded
// server ending with ", " and embeddedNote when it is not "" (Forgets, for
// one).
func OpenSaying(getenv func(string) string, w, log io.Writer, embeddedNote string) (*Env, error) {
	biz := getenv("ASSET_BUSINESS_ID")
	timeout := AttemptTimeout
	if v := getenv("ASSET_ATTEMPT_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("ASSET_ATTEMPT_TIMEOUT %q: give a positive duration such as 30s", v)
		}
		timeout = d
	}
	opts := []asset.Option{asset.WithLogger(cli.Logger(log)), asset.WithAttemptTimeout(timeout)}
	if uid := getenv("ASSET_USER_ID"); uid != "" {
		opts = append(opts, asset.WithUserID(uid))
	}

	token := getenv("ASSET_TOKEN")
	if token == "" {
		if biz == "" {
			biz = DefaultBusinessID
		}
		srv := assettest.NewServer()
		note := ""
		if embeddedNote != "" {
			note = ", " + embeddedNote
		}
		fmt.Fprintf(w, "ASSET_TOKEN is not set: running on an embedded assettest server at %s (business %s)%s\n", srv.URL, biz, note)
		return &Env{Client: srv.Client(opts...), BusinessID: biz, Fake: srv}, nil
	}

	if biz == "" {
		return nil, errors.New("ASSET_BUSINESS_ID is not set: with ASSET_TOKEN, name the business to work on (biz_...)")
	}
	base := getenv("ASSET_BASE_URL")
	if base == "" {
		base = asset.SandboxURL
	}
	// The API's own limit, so that an example never draws a 429 from it;
	// the embedded server's tests are not held back by it.
	perMinute := APIRateLimit
	if v := getenv("ASSET_RATE_LIMIT"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("ASSET_RATE_LIMIT %q: give the requests a minute to keep to, or 0 for no limit", v)
		}
		perMinute = n
	}
	if perMinute > 0 {
		opts = append(opts, asset.WithRateLimit(perMinute, time.Minute))
	}
	client, err := asset.NewClient(append([]asset.Option{asset.WithToken(token), asset.WithBaseURL(base)}, opts...)...)
	if err != nil {
		return nil, fmt.Errorf("ASSET_BASE_URL or ASSET_USER_ID: %w", err)
	}
	fmt.Fprintf(w, "Using the Asset API at %s (business %s)\n", base, biz)
	return &Env{Client: client, BusinessID: biz}, nil
}

// Embedded reports whether the example runs on the embedded server.
func (e *Env) Embedded() bool { return e.Fake != nil }

// Close stops the embedded server, if any.
func (e *Env) Close() {
	if e.Fake != nil {
		e.Fake.Close()
	}
}
