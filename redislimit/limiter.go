// Package redislimit is an asset.RateLimiter whose budgets live in Redis,
// so that every process sharing one Redis shares the API's rate limit: a
// fleet of replicas or workers, each with its own asset.Client, together
// stays under 300 requests a minute per business and per tenant instead of
// sending 300 each.
//
//	rdb := redis.NewClient(&redis.Options{Addr: "localhost:6379"})
//	lim := redislimit.New(rdb, redislimit.Limit{N: 300, Per: time.Minute})
//	client, err := asset.NewClient(asset.WithToken(tok), asset.WithRateLimiter(lim))
//
// Each request takes a slot in its business's budget and in the tenant's
// (all businesses of one set of credentials, named by WithTenant), both at
// once, in one round trip: a Lua script keeps a GCRA (a virtual scheduling
// clock) per key on Redis's own clock, so the slots of all the processes
// are spaced evenly whichever process takes them. The API counts in fixed
// windows that open with a key's first request; a budget counts its slots
// in windows of its own period and learns where the server's end from the
// x-ratelimit-* headers, shared in Redis, so that a limit set to exactly
// the API's draws no 429 at a window's edge. A 429 seen by one process
// pauses the key for every process until the server's reset, capped by
// WithMaxWait, and so does an x-ratelimit-remaining of 0 about a window
// the budgets could not learn.
package redislimit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/internal/redact"
)

// Limit is a budget: N requests per Per. Set it to the API's own limit,
// 300 a minute: where N is the x-ratelimit-limit the server reports, Per
// is taken for the length of the server's window, whose ends are learned
// from its answers. Any other N is paced as given, in windows of Per.
type Limit struct {
	N   int
	Per time.Duration
}

func (l Limit) interval() time.Duration { return l.Per / time.Duration(l.N) }

// limiter is the shared rate limiter New returns.
type limiter struct {
	rdb redis.UniversalClient
	cfg config

	down     atomic.Bool  // the last call to Redis failed
	retryAt  atomic.Int64 // unix nanoseconds: when Redis down is asked again
	lastErr  atomic.Pointer[error]
	fallback fallback
	secrets  []string // the Redis client's credentials, kept out of errors and logs
	known    knownWindows
}

// retryDown is how long a limiter that found Redis unreachable answers
// without asking it again, so that an outage costs one slow call a second
// (the Redis client's own dial timeouts and retries), not one per request.
const retryDown = time.Second

// New returns a limiter that gives each business limit and the tenant
// limit too (see WithTenantLimit), in budgets kept in rdb. A nil rdb or a
// Limit whose N or Per is not positive makes a limiter whose every Wait
// fails with an *asset.InputError, so nothing is sent.
func New(rdb redis.UniversalClient, limit Limit, opts ...Option) asset.RateLimiter {
	cfg := config{
		business: limit,
		tenant:   limit,
		prefix:   "asset:ratelimit",
		name:     "default",
		maxWait:  time.Minute,
		logger:   slog.Default(),
		now:      time.Now,
	}
	for _, o := range opts {
		o(&cfg)
	}
	if isNil(rdb) {
		return refused{&asset.InputError{Field: "redislimit.New", Reason: "the redis client is nil"}}
	}
	for _, l := range []Limit{cfg.business, cfg.tenant} {
		if l.N <= 0 || l.Per <= 0 {
			return refused{&asset.InputError{Field: "redislimit.Limit", Reason: fmt.Sprintf("need a positive N and Per, got %d per %s", l.N, l.Per)}}
		}
	}
	return &limiter{rdb: rdb, cfg: cfg, fallback: fallback{limit: cfg.tenant}, secrets: secrets(rdb)}
}

// secrets are the credentials rdb sends Redis. A Redis or a proxy that
// refuses a command may quote its arguments back ("ERR unknown command
// 'AUTH', with args beginning with: ..."), AUTH's included, and the error
// goes on to the caller and the logs. Credentials from a
// CredentialsProvider are not known here.
func secrets(rdb redis.UniversalClient) []string {
	var pass string
	switch c := rdb.(type) {
	case *redis.Client:
		pass = c.Options().Password
	case *redis.ClusterClient:
		pass = c.Options().Password
	case *redis.Ring:
		pass = c.Options().Password
	}
	if pass == "" {
		return nil
	}
	return []string{pass}
}

// clean is err with the Redis credentials taken out of its text, as the
// SDK takes tokens out of what a server quotes back. An error that quoted
// one loses its chain: anything below it would still hold the secret.
func (l *limiter) clean(err error) error {
	if err == nil || len(l.secrets) == 0 {
		return err
	}
	msg := err.Error()
	if clean := redact.String(msg, l.secrets); clean != msg {
		return errors.New(clean)
	}
	return err
}

// isNil reports whether rdb is nil or holds a nil pointer: a
// (*redis.Client)(nil) passed as a UniversalClient is not == nil, and
// would panic inside the first call.
func isNil(rdb redis.UniversalClient) bool {
	if rdb == nil {
		return true
	}
	v := reflect.ValueOf(rdb)
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan:
		return v.IsNil()
	}
	return false
}

// refused is the limiter of a New given bad arguments.
type refused struct{ err error }

func (r refused) Wait(context.Context, string) error { return r.err }
func (refused) Observe(string, http.Header, int)     {}

// ErrRedisDown is matched (errors.Is) by the error of a call that could not
// reach Redis to take its slot, unless the limiter was made with FailOpen.
// Nothing was sent.
var ErrRedisDown = errors.New("redislimit: redis is down")

// WaitError is the error of a call whose slot comes later than its
// context's deadline or WithMaxWait allow. Nothing was sent and no slot was
// taken. It matches asset.ErrRateLimited.
type WaitError struct {
	// Wait is how long until the call's slot.
	Wait time.Duration
	// Max is the longest the call could wait.
	Max time.Duration
}

func (e *WaitError) Error() string {
	return fmt.Sprintf("redislimit: the next slot is in %s, more than the %s the call can wait",
		e.Wait.Round(time.Millisecond), e.Max.Round(time.Millisecond))
}

// Is matches asset.ErrRateLimited.
func (e *WaitError) Is(target error) bool { return target == asset.ErrRateLimited }

// Wait takes a slot for key in its budget and the tenant's and sleeps
// until it comes; a call whose context ends first gives the slot back.
// key "" (the token endpoint, which the API counts apart) has a budget of
// its own, at the business limit.
func (l *limiter) Wait(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	most := l.cfg.maxWait
	if deadline, ok := ctx.Deadline(); ok {
		most = min(most, time.Until(deadline))
	}
	if l.down.Load() && !l.probe() {
		return l.unreachable(ctx, *l.lastErr.Load(), most)
	}
	s, err := l.take(ctx, key, most)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		err = l.clean(err)
		l.lastErr.Store(&err)
		l.retryAt.Store(time.Now().Add(retryDown).UnixNano())
		if !l.down.Swap(true) {
			l.cfg.logger.Warn("redislimit: redis is unreachable", "err", err, "fail_open", l.cfg.failOpen)
		}
		return l.unreachable(ctx, err, most)
	}
	if l.down.Swap(false) {
		l.cfg.logger.Info("redislimit: redis is reachable again")
	}
	if !s.taken {
		return &WaitError{Wait: s.wait, Max: most}
	}
	if err := sleep(ctx, s.wait); err != nil {
		l.giveBack(ctx, key, s.at)
		return err
	}
	return nil
}

// probe reports whether this call, Redis being down, is the one that asks
// it again: one a second, the others answered at once meanwhile.
func (l *limiter) probe() bool {
	retryAt, now := l.retryAt.Load(), time.Now().UnixNano()
	return now >= retryAt && l.retryAt.CompareAndSwap(retryAt, now+int64(retryDown))
}

// unreachable is Wait's answer when Redis cannot be asked: the error, or
// under FailOpen a slot of the in-process pace.
func (l *limiter) unreachable(ctx context.Context, err error, most time.Duration) error {
	if l.cfg.failOpen {
		return l.fallback.wait(ctx, most)
	}
	return fmt.Errorf("%w: %w", ErrRedisDown, err)
}

// Observe shares the server's word. After a 429, every process waits for
// key's reset, never longer than WithMaxWait; the x-ratelimit-* headers
// teach every process where the server's window ends, so that a window
// the server says is spent holds the next call until then. Redis being
// down, a pause stays unshared.
func (l *limiter) Observe(key string, h http.Header, status int) {
	if h == nil {
		return
	}
	a, ok := l.news(key, h, status)
	if !ok {
		return
	}
	if l.down.Load() {
		if l.cfg.failOpen && a.pause > 0 {
			l.fallback.pause(time.Now().Add(a.pause))
		}
		return
	}
	// Observe must not hold the call long: Redis answering slowly only
	// loses what the answer said.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	keys, budgets := l.budgets(key)
	args := append([]any{a.pause.Microseconds(), flag(a.soft), flag(a.window), a.limit, a.remaining, a.reset,
		a.resetIn.Microseconds()}, budgets...)
	_, err := race(ctx, func(ctx context.Context) (any, error) {
		return nil, learnScript.Run(ctx, l.rdb, append([]string{l.key("pause", key)}, keys...), args...).Err()
	}, nil)
	if err != nil {
		if a.pause > 0 {
			l.cfg.logger.Warn("redislimit: could not share a rate-limit pause", "err", l.clean(err))
		} else {
			l.cfg.logger.Warn("redislimit: could not share a rate-limit window", "err", l.clean(err))
		}
		if l.cfg.failOpen && a.pause > 0 {
			l.fallback.pause(time.Now().Add(a.pause))
		}
	}
	// A process tells Redis of a window once, whether or not a budget
	// could place it: answers about a window no budget learns (another
	// limit) or a Redis answering slowly would otherwise cost every call a
	// round trip, where an untaught window costs only its guessed end.
	if a.window {
		l.known.remember(key, a.reset)
	}
}

// news reads the answer, and reports whether it tells Redis anything: a
// pause, or a window this process has not told of yet.
func (l *limiter) news(key string, h http.Header, status int) (answer, bool) {
	a, ok := readAnswer(h, status, l.cfg.now(), l.cfg.maxWait)
	if !ok || a.pause > 0 {
		return a, ok
	}
	return a, !l.known.has(key, a.reset)
}

func flag(b bool) int {
	if b {
		return 1
	}
	return 0
}

// knownWindows is, per key, the last server window (its reset) this
// process told Redis of.
type knownWindows struct {
	mu    sync.Mutex
	reset map[string]int64
}

// forgetAt bounds the keys remembered, for a process serving many
// businesses; forgetting only costs a round trip.
const forgetAt = 1024

func (k *knownWindows) has(key string, reset int64) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	r, ok := k.reset[key]
	return ok && r == reset
}

func (k *knownWindows) remember(key string, reset int64) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.reset == nil || len(k.reset) >= forgetAt {
		k.reset = map[string]int64{}
	}
	k.reset[key] = reset
}

// slot is the slot script's answer.
type slot struct {
	wait  time.Duration // until the slot
	taken bool          // false when the wait is over the most the call can wait
	at    int64         // the slot, in microseconds of Redis's clock
}

// take runs the slot script for key's budget and, but for the token
// endpoint, the tenant's. A slot taken for a call that stopped waiting for
// the answer is given back once the answer comes.
func (l *limiter) take(ctx context.Context, key string, most time.Duration) (slot, error) {
	keys, budgets := l.budgets(key)
	args := append([]any{max(most, 0).Microseconds()}, budgets...)
	return race(ctx, func(ctx context.Context) (slot, error) {
		res, err := takeScript.Run(ctx, l.rdb, append([]string{l.key("pause", key)}, keys...), args...).Int64Slice()
		if err != nil {
			return slot{}, err
		}
		if len(res) != 3 {
			return slot{}, fmt.Errorf("redislimit: unexpected script result %v", res)
		}
		return slot{wait: time.Duration(res[0]) * time.Microsecond, taken: res[1] == 1, at: res[2]}, nil
	}, func(s slot) {
		if s.taken {
			l.giveBack(context.Background(), key, s.at)
		}
	})
}

// race runs call and returns its answer, or ctx's error as soon as ctx
// ends, whichever comes first. A Redis client need not give up when a
// context ends (go-redis waits on a socket for its read timeout, and
// longer with retries, unless ContextTimeoutEnabled is set), and the
// limiter must work whatever client it was given. An answer that comes
// after the caller left is handed to abandoned, in the background; the
// call itself ends when the Redis client's own timeouts end it.
func race[T any](ctx context.Context, call func(context.Context) (T, error), abandoned func(T)) (T, error) {
	const (
		pending int32 = iota
		answered
		left
	)
	var state atomic.Int32
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := call(ctx)
		if state.CompareAndSwap(pending, answered) {
			done <- result{v, err}
			return
		}
		if err == nil && abandoned != nil {
			abandoned(v)
		}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		if state.CompareAndSwap(pending, left) {
			var zero T
			return zero, ctx.Err()
		}
		r := <-done // answered as ctx ended: the answer is the caller's
		return r.v, r.err
	}
}

// giveBack returns the slot at to key's budgets, for a call that will not
// be sent in it, where no later slot has been taken since (as
// rate.Reservation.Cancel does). Like Observe it must not hold the call
// long, and Redis failing only loses the slot.
func (l *limiter) giveBack(ctx context.Context, key string, at int64) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	keys, budgets := l.budgets(key)
	_, err := race(ctx, func(ctx context.Context) (any, error) {
		return nil, giveBackScript.Run(ctx, l.rdb, keys, append([]any{at}, budgets...)...).Err()
	}, nil)
	if err != nil {
		l.cfg.logger.Warn("redislimit: could not give back an unused slot", "err", l.clean(err))
	}
}

// budgets are the keys of the budgets a call for key takes a slot in, and
// for each its interval, N and period in microseconds (the scripts'
// three): key's own and, but for the token endpoint (""), which the API
// counts apart, the tenant's.
func (l *limiter) budgets(key string) ([]string, []any) {
	b, t := l.cfg.business, l.cfg.tenant
	if key == "" {
		return []string{l.key("b", key)}, []any{b.interval().Microseconds(), b.N, b.Per.Microseconds()}
	}
	return []string{l.key("b", key), l.key("tenant", "")}, []any{
		b.interval().Microseconds(), b.N, b.Per.Microseconds(),
		t.interval().Microseconds(), t.N, t.Per.Microseconds(),
	}
}

// key is a Redis key of the tenant's. The tenant's name is a hash tag, so
// that every key one script touches lives on one Redis Cluster slot.
func (l *limiter) key(kind, key string) string {
	return l.cfg.prefix + ":{" + l.cfg.name + "}:" + kind + ":" + key
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// fallback paces in process while Redis is unreachable under FailOpen: all
// keys together at the tenant's limit, which no business's exceeds here.
type fallback struct {
	limit Limit

	mu     sync.Mutex
	lim    *rate.Limiter
	paused time.Time
}

func (f *fallback) wait(ctx context.Context, most time.Duration) error {
	now := time.Now()
	f.mu.Lock()
	if f.lim == nil {
		f.lim = rate.NewLimiter(rate.Every(f.limit.interval()), 1)
	}
	r := f.lim.ReserveN(now, 1)
	wait := max(r.DelayFrom(now), f.paused.Sub(now))
	f.mu.Unlock()
	if wait > most {
		r.CancelAt(now)
		return &WaitError{Wait: wait, Max: most}
	}
	err := sleep(ctx, wait)
	if err != nil {
		r.CancelAt(time.Now())
	}
	return err
}

func (f *fallback) pause(until time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if until.After(f.paused) {
		f.paused = until
	}
}
