// Command assettest serves the assettest fake of the Asset API as a server
// of its own, for tests and programs in any language and for trying the
// examples against a server that outlives them.
//
//	go run github.com/assetkit/asset-go/cmd/assettest -addr 127.0.0.1:8090 -state asset.state -token tok_local
//
// The first line of its output is the server's URL; the next lines give the
// environment a client needs (ASSET_BASE_URL, ASSET_TOKEN, and the client
// credentials the token endpoint accepts), so that a script can read the
// URL with head -1 or the rest with eval. Without -state it keeps its state
// in memory; with -state FILE every change is written and synced to FILE
// before it is answered, and the next start on FILE goes on from it (see
// assettest.WithState). A FILE that is not a state file is refused, naming
// it. SIGINT or SIGTERM stops it once the requests in flight have ended.
//
// The API's routes, its rules and the admin API (seeding money and tag
// fields, faults, latency and counters, under /_assettest/, with the same
// token) are documented in package assettest.
//
// The exit status is 0 after a clean stop, 1 when the server cannot start,
// and 2 when the command line is refused.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/assetkit/asset-go/assettest"
)

// DefaultAddr is where the server listens without -addr: a fixed local
// port, so that programs configured once find it after every restart.
const DefaultAddr = "127.0.0.1:8090"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case errors.As(err, new(usageError)):
		fmt.Fprintln(os.Stderr, "assettest:", err)
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "assettest:", err)
		os.Exit(1)
	}
}

// usageError is a command line refused.
type usageError struct{ error }

// options reads the command line into the server's options.
func options(args []string, stderr io.Writer) ([]assettest.Option, error) {
	fs := flag.NewFlagSet("assettest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", DefaultAddr, "`address` to listen on; port 0 picks a free one")
	state := fs.String("state", "", "keep the state in `FILE`, created if missing (default: in memory)")
	token := fs.String("token", "", "the bearer `token` to accept (default: a random one, printed)")
	clientID := fs.String("client-id", "", "the client `id` POST /v0/auth/token accepts (default: random, printed)")
	secret := fs.String("client-secret", "", "the client `secret` that goes with -client-id (default: random, printed)")
	rate := fs.String("rate-limit", "300/1m", "requests per business, as `N/PERIOD` (300/1m, 10/1s), or off")
	tenantRate := fs.String("tenant-rate-limit", "300/1m", "requests per tenant over all its businesses, as `N/PERIOD`, or off")
	latency := fs.Duration("latency", 0, "how long every request waits before it is handled, e.g. 50ms")
	tagFields := fs.String("tag-fields", "", "comma-separated tag `fields` every business has")
	pageSize := fs.Int("page-size", 100, "the page size of a list that names none, 1 to 100")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: assettest [flags]\n\nServes the assettest fake of the Asset API; its URL is the first line printed.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, usageError{err}
	}
	if fs.NArg() > 0 {
		return nil, usageError{fmt.Errorf("unexpected argument %q: every setting is a flag", fs.Arg(0))}
	}

	if *addr == "" {
		return nil, usageError{errors.New("-addr: give an address, such as " + DefaultAddr)}
	}
	opts := []assettest.Option{assettest.WithAddress(*addr)}
	if *state != "" {
		opts = append(opts, assettest.WithState(*state))
	}
	if *token != "" {
		if strings.ContainsAny(*token, " \t\r\n") {
			return nil, usageError{errors.New("-token: give a token without spaces")}
		}
		opts = append(opts, assettest.WithToken(*token))
	}
	switch {
	case (*clientID == "") != (*secret == ""):
		return nil, usageError{errors.New("-client-id and -client-secret go together")}
	case *clientID != "":
		opts = append(opts, assettest.WithClientCredentials(*clientID, *secret))
	}
	opts, err := withRateLimits(opts, *rate, *tenantRate)
	if err != nil {
		return nil, err
	}
	if *latency < 0 {
		return nil, usageError{errors.New("-latency: give zero or more")}
	}
	opts = append(opts, assettest.WithLatency(*latency))
	if *tagFields != "" {
		names := strings.Split(*tagFields, ",")
		if slices.Contains(names, "") {
			return nil, usageError{fmt.Errorf("-tag-fields %q: give names separated by commas", *tagFields)}
		}
		opts = append(opts, assettest.WithTagFields(names...))
	}
	if *pageSize < 1 || *pageSize > 100 {
		return nil, usageError{fmt.Errorf("-page-size %d: give 1 to 100", *pageSize)}
	}
	opts = append(opts, assettest.WithDefaultPageSize(*pageSize))
	return opts, nil
}

// withRateLimits adds to opts the limits -rate-limit and -tenant-rate-limit
// say.
func withRateLimits(opts []assettest.Option, rate, tenantRate string) ([]assettest.Option, error) {
	limits := []struct {
		flag, value string
		with        func(int, time.Duration) assettest.Option
	}{
		{"-rate-limit", rate, assettest.WithRateLimit},
		{"-tenant-rate-limit", tenantRate, assettest.WithTenantRateLimit},
	}
	off := false
	for _, l := range limits {
		n, per, err := parseLimit(l.value)
		if err != nil {
			return nil, usageError{fmt.Errorf("%s %q: %w", l.flag, l.value, err)}
		}
		if n == 0 {
			off = true
			continue
		}
		opts = append(opts, l.with(n, per))
	}
	// WithoutRateLimit turns both off, and a limit given after it turns
	// that one back on: so it goes first.
	if off {
		opts = append([]assettest.Option{assettest.WithoutRateLimit()}, opts...)
	}
	return opts, nil
}

// parseLimit reads N/PERIOD ("300/1m"), or "off", which is 0.
func parseLimit(s string) (int, time.Duration, error) {
	if s == "off" {
		return 0, 0, nil
	}
	count, period, ok := strings.Cut(s, "/")
	n, err := strconv.Atoi(count)
	if !ok || err != nil || n <= 0 {
		return 0, 0, errors.New("give a positive count and a period, as 300/1m, or off")
	}
	if period == "" || period[0] < '0' || period[0] > '9' {
		period = "1" + period // "300/m" reads as "300/1m"
	}
	per, err := time.ParseDuration(period)
	if err != nil || per <= 0 {
		return 0, 0, errors.New("give a positive count and a period, as 300/1m, or off")
	}
	return n, per, nil
}

// run serves until ctx ends, having printed the URL and the credentials.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	opts, err := options(args, stderr)
	if err != nil {
		return err
	}
	srv, err := assettest.Start(opts...)
	if err != nil {
		return err
	}
	defer srv.Close()
	creds := srv.ClientCredentials()
	fmt.Fprintf(stdout, "%s\nASSET_BASE_URL=%s\nASSET_TOKEN=%s\nASSET_CLIENT_ID=%s\nASSET_CLIENT_SECRET=%s\n",
		srv.URL, srv.URL, srv.Token(), creds.ClientID, creds.ClientSecret)
	fmt.Fprintln(stderr, "assettest: serving; SIGINT or SIGTERM stops it")
	<-ctx.Done()
	srv.Close()
	fmt.Fprintln(stderr, "assettest: stopped")
	return nil
}
