package assettest

import (
	"fmt"
	"strings"
	"time"
)

// The API's documented rate limit, the server's default.
const (
	defaultLimit = 300
	defaultPer   = time.Minute
)

// Option configures a Server given to NewServer, as the options of
// packages asset and katsupaytest do. The zero Option does nothing.
type Option struct {
	apply func(*config)
}

type config struct {
	token, clientID, secret string
	limit, tenantLimit      int
	per, tenantPer          time.Duration
	latency                 time.Duration
	tagFields               []string
	now                     func() time.Time
	pageSize                int
	addr, state             string
}

// WithAddress makes the server listen on addr ("127.0.0.1:8090"; port 0
// for any free one) instead of a free loopback port, so that programs
// configured beforehand can reach it. Start reports an address taken.
func WithAddress(addr string) Option {
	return Option{func(c *config) {
		if addr == "" {
			panic("assettest: WithAddress needs an address")
		}
		c.addr = addr
	}}
}

// WithState keeps the server's state in the file at path, created when
// missing, so that it outlives the process: the server starts with what
// the file holds, and every change is written and synced to it before it is
// answered. A crash at any moment loses nothing that was answered and
// leaves nothing half applied; the change a crash interrupted before its
// answer is either kept whole or not at all. A file that is not a state
// file, or that does not replay to what was answered, is an error of
// Start naming the file and line, never an empty start. Counters, faults
// and tokens issued by the token endpoint are not kept, nor WithTagFields
// (give the same options again). A second server on a file
// in use is refused, on systems with advisory locks (Unix).
//
// Changes are then applied one at a time, in the file's order, and each
// is answered once synced (changes written meanwhile share one sync); a
// read waits until the changes it may have seen are synced. If the file
// cannot be written or synced, the change is answered 503, its outcome
// unknown, and so is every change after it, until a restart.
func WithState(path string) Option {
	return Option{func(c *config) {
		if path == "" {
			panic("assettest: WithState needs a path")
		}
		c.state = path
	}}
}

// WithToken sets the bearer token the server accepts (by default a random
// one, see Token).
func WithToken(token string) Option {
	return Option{func(c *config) {
		if token == "" || strings.ContainsAny(token, " \t\r\n") {
			panic("assettest: WithToken needs a token without spaces")
		}
		c.token = token
	}}
}

// WithClientCredentials sets the client id and secret that POST
// /v0/auth/token accepts (by default a random pair, see ClientCredentials).
func WithClientCredentials(clientID, clientSecret string) Option {
	return Option{func(c *config) {
		if clientID == "" || clientSecret == "" {
			panic("assettest: WithClientCredentials needs a client id and a secret")
		}
		c.clientID, c.secret = clientID, clientSecret
	}}
}

// WithRateLimit lets each business make n requests per period (default: 300
// a minute, as the API). Requests beyond get 429 with Retry-After until the
// window ends. The token endpoint has a window of its own with the same
// limit. The tenant's limit (WithTenantRateLimit) applies on top.
func WithRateLimit(n int, per time.Duration) Option {
	return Option{func(c *config) {
		if n <= 0 || per <= 0 {
			panic(fmt.Sprintf("assettest: WithRateLimit(%d, %s): need a positive count and period", n, per))
		}
		c.limit, c.per = n, per
	}}
}

// WithTenantRateLimit lets the tenant make n requests per period over all
// its businesses together (default: 300 a minute, as the API). The server
// serves one tenant: its Token and every token issued for its
// ClientCredentials draw on the same window. A request needs room in both
// its business's window and the tenant's; raising one limit alone does not
// lift the other.
func WithTenantRateLimit(n int, per time.Duration) Option {
	return Option{func(c *config) {
		if n <= 0 || per <= 0 {
			panic(fmt.Sprintf("assettest: WithTenantRateLimit(%d, %s): need a positive count and period", n, per))
		}
		c.tenantLimit, c.tenantPer = n, per
	}}
}

// WithoutRateLimit turns rate limiting off, per business and per tenant
// alike; responses then carry no x-ratelimit-* headers. A WithRateLimit or
// WithTenantRateLimit given after it turns that limit back on.
func WithoutRateLimit() Option {
	return Option{func(c *config) { c.limit, c.tenantLimit = 0, 0 }}
}

// WithTagFields defines tag fields in every business, as if created in the
// API's settings beforehand: the API refuses a tag whose field does not
// exist. AddTagField defines one in a single business.
func WithTagFields(names ...string) Option {
	return Option{func(c *config) {
		for _, name := range names {
			checkTagField(name)
		}
		c.tagFields = append(c.tagFields, names...)
	}}
}

// WithLatency makes every request wait d before it is handled, as a remote
// API would; SetLatency changes it later.
func WithLatency(d time.Duration) Option {
	return Option{func(c *config) { c.latency = d }}
}

// WithClock makes the server read the time from now: timestamps on
// invoices and payments, token expiry and rate-limit windows. Tests use it
// to get fixed timestamps or to move past a window without sleeping. now is
// called from the goroutines that handle requests, concurrently with each
// other and with the test, so it must be safe for concurrent use: guard a
// time the test moves with a mutex or an atomic.
func WithClock(now func() time.Time) Option {
	return Option{func(c *config) {
		if now == nil {
			panic("assettest: WithClock(nil)")
		}
		c.now = now
	}}
}

// WithDefaultPageSize sets the page size of a list call that names none.
// The API's docs say 100 on the endpoint's page and 50 on the overview; the
// server's default is 100.
func WithDefaultPageSize(n int) Option {
	return Option{func(c *config) {
		if n < 1 || n > 100 {
			panic(fmt.Sprintf("assettest: WithDefaultPageSize(%d): need 1 to 100", n))
		}
		c.pageSize = n
	}}
}
