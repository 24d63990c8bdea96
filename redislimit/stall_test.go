package redislimit_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
	"github.com/assetkit/asset-go/internal/wiretest"
	"github.com/assetkit/asset-go/redislimit"
)

// stall is a way for Redis to stop answering while its connections stay
// open. It returns the address the limiter's client dials and undoes
// itself when the test ends.
type stall struct {
	name  string
	start func(t *testing.T) (addr string, begin func())
}

// stalls are a Redis frozen (SIGSTOP), paused (CLIENT PAUSE), busy (DEBUG
// SLEEP), and an address that accepts connections and never answers.
var stalls = []stall{
	{"SIGSTOP", func(t *testing.T) (string, func()) {
		rs := ownRedis(t)
		return rs.addr, func() {
			rs.freeze()
			t.Cleanup(rs.thaw)
		}
	}},
	{"CLIENT PAUSE", func(t *testing.T) (string, func()) {
		rs := ownRedis(t)
		admin := newRedisClient(t, rs.addr)
		return rs.addr, func() {
			require.NoError(t, admin.Do(timeout(t, time.Second), "CLIENT", "PAUSE", "10000", "ALL").Err())
			t.Cleanup(rs.kill) // UNPAUSE would wait on the pause too
		}
	}},
	{"DEBUG SLEEP", func(t *testing.T) (string, func()) {
		rs := ownRedis(t)
		return rs.addr, func() {
			admin := redis.NewClient(&redis.Options{Addr: rs.addr, ReadTimeout: -1, MaxRetries: -1})
			slept := make(chan error, 1)
			go func() { slept <- admin.Do(context.Background(), "DEBUG", "SLEEP", "10").Err() }()
			t.Cleanup(func() {
				rs.kill() // ends the sleep, which holds the whole server
				<-slept
				_ = admin.Close()
			})
			// The sleep has begun once a PING waits on it.
			probe := redis.NewClient(&redis.Options{Addr: rs.addr, MaxRetries: -1, ContextTimeoutEnabled: true})
			defer probe.Close()
			for range 100 {
				ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
				err := probe.Ping(ctx).Err()
				cancel()
				if err != nil {
					select {
					case err := <-slept:
						require.NoError(t, err, "DEBUG SLEEP")
					default:
					}
					return
				}
			}
			t.Fatal("DEBUG SLEEP did not hold the server")
		}
	}},
	{"accepts, never answers", func(t *testing.T) (string, func()) {
		return wiretest.SilentAddr(t), func() {}
	}},
}

// stalledLimiter is a limiter on the stall's address, its connection made
// and its script loaded before the stall begins where Redis is real, as
// in a fleet that has been running.
func stalledLimiter(t *testing.T, s stall, opts ...redislimit.Option) asset.RateLimiter {
	addr, begin := s.start(t)
	// go-redis's defaults: a 3 s read timeout, 3 retries.
	rdb := newRedisClient(t, addr)
	opts = append([]redislimit.Option{redislimit.WithPrefix(testPrefix(t))}, opts...)
	l := redislimit.New(rdb, redislimit.Limit{N: 1000, Per: time.Second}, opts...)
	if s.name != "accepts, never answers" {
		require.NoError(t, l.Wait(timeout(t, 5*time.Second), biz), "before the stall")
	}
	begin()
	return l
}

// within runs f and fails the test unless it returns within d (plus a
// margin for a loaded machine); it never waits for f longer than 10 s.
func within(t *testing.T, d time.Duration, promise string, f func() error) error {
	t.Helper()
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		took := time.Since(start)
		assert.LessOrEqual(t, took, d+300*time.Millisecond, "%s: returned after %s", promise, took.Round(time.Millisecond))
		return err
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: still held after 10s", promise)
		return nil
	}
}

// A Redis that stops answering never holds a call past its context: not
// the Wait, not its cancel, not a whole call of the SDK, whatever the
// Redis client's own timeouts.
func TestStalledRedisHoldsNothingPastTheContext(t *testing.T) {
	for _, s := range stalls {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel() // each on a Redis of its own; they mostly wait
			t.Run("Wait with a deadline", func(t *testing.T) {
				l := stalledLimiter(t, s)
				err := within(t, 300*time.Millisecond, "a Wait with a 300ms deadline", func() error {
					return l.Wait(timeout(t, 300*time.Millisecond), biz)
				})
				assert.ErrorIs(t, err, context.DeadlineExceeded)
			})
			t.Run("Wait cancelled", func(t *testing.T) {
				l := stalledLimiter(t, s)
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				time.AfterFunc(200*time.Millisecond, cancel)
				err := within(t, 200*time.Millisecond, "a Wait cancelled at 200ms", func() error { return l.Wait(ctx, biz) })
				assert.ErrorIs(t, err, context.Canceled)
			})
			t.Run("List with a deadline", func(t *testing.T) {
				l := stalledLimiter(t, s)
				srv := assettest.NewServer(assettest.WithToken(fleetToken))
				defer srv.Close()
				c := srv.Client(asset.WithRateLimiter(l))
				err := within(t, 500*time.Millisecond, "a List with a 500ms deadline", func() error {
					_, err := c.Invoices.List(timeout(t, 500*time.Millisecond), biz, nil)
					return err
				})
				assert.True(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
			})
			t.Run("Observe", func(t *testing.T) {
				l := stalledLimiter(t, s)
				h := http.Header{}
				h.Set("Retry-After", "1")
				_ = within(t, time.Second, "Observe, which the call waits for", func() error {
					l.Observe(biz, h, http.StatusTooManyRequests)
					return nil
				})
			})
		})
	}
}
