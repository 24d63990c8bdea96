package redislimit

import (
	"log/slog"
	"time"
)

type config struct {
	business, tenant Limit
	prefix, name     string
	maxWait          time.Duration
	failOpen         bool
	logger           *slog.Logger
	now              func() time.Time // the process's clock
}

// Option configures New.
type Option func(*config)

// WithTenantLimit sets the budget of all businesses together; by default
// it is the business limit, as the API's 300 a minute for each.
func WithTenantLimit(l Limit) Option { return func(c *config) { c.tenant = l } }

// WithTenant names the tenant whose budgets these are: give each set of
// credentials sharing one Redis a name of its own (default "default").
func WithTenant(name string) Option { return func(c *config) { c.name = name } }

// WithPrefix namespaces the limiter's Redis keys (default
// "asset:ratelimit"). Every key expires once its budget is full again.
func WithPrefix(prefix string) Option { return func(c *config) { c.prefix = prefix } }

// WithMaxWait caps how long a call waits for its slot, whatever the queue
// or a server's pause (default one minute, as asset.WithRetryAfterMax): a
// call whose slot is further fails at once with a *WaitError, having taken
// nothing. A context deadline nearer than the cap caps the wait too.
func WithMaxWait(d time.Duration) Option { return func(c *config) { c.maxWait = max(d, 0) } }

// WithLogger receives the limiter's warnings: Redis unreachable under
// FailOpen, a pause that could not be shared (default slog.Default()).
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l != nil {
			c.logger = l
		}
	}
}

// FailOpen makes a limiter that cannot reach Redis pace the calls of this
// process alone, at the tenant's limit, and log it, instead of failing them
// with ErrRedisDown. A fleet then sends up to its size times the limit: the
// server's 429s and the retries take over.
var FailOpen Option = func(c *config) { c.failOpen = true }
