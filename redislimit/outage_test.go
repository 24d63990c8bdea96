package redislimit_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
	"github.com/assetkit/asset-go/redislimit"
)

// syncBuffer is a log sink the fleet's goroutines share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// outcome is how the calls started after Redis died ended.
type outcome struct {
	ok, down, other int
	others          []error
	slowest         time.Duration
}

// TestRedisKilledMidRun kills the Redis a fleet paces by in the middle of
// its run: by default every later call fails at once with ErrRedisDown;
// under FailOpen the calls go on, paced in process, and the outage is
// logged. Nothing hangs and no goroutine is left behind.
func TestRedisKilledMidRun(t *testing.T) {
	for _, failOpen := range []bool{false, true} {
		name := map[bool]string{false: "fail closed", true: "FailOpen"}[failOpen]
		t.Run(name, func(t *testing.T) {
			leaks := goleak.IgnoreCurrent()
			rs := ownRedis(t)
			var logs syncBuffer
			after := killMidRun(t, rs, failOpen, &logs)
			t.Logf("calls after the kill: %d ok, %d ErrRedisDown, %d other; the slowest took %s",
				after.ok, after.down, after.other, after.slowest.Round(time.Millisecond))
			if failOpen {
				assert.Zero(t, after.down, "ErrRedisDown under FailOpen")
				assert.Positive(t, after.ok, "calls paced in process")
				assert.Contains(t, logs.String(), "redis is unreachable")
			} else {
				assert.Zero(t, after.ok, "calls sent without a shared slot")
				assert.Positive(t, after.down)
			}
			assert.Empty(t, after.others)
			goleak.VerifyNone(t, leaks)
		})
	}
}

// killMidRun runs two clients, kills rs once 20 calls went through, and
// returns how the calls started after it died ended. Everything it starts
// is closed when it returns.
func killMidRun(t *testing.T, rs *redisServer, failOpen bool, logs *syncBuffer) outcome {
	srv := assettest.NewServer(assettest.WithToken(fleetToken),
		assettest.WithRateLimit(serverLimit, serverPer), assettest.WithTenantRateLimit(serverLimit, serverPer))
	defer srv.Close()
	opts := []redislimit.Option{redislimit.WithPrefix(testPrefix(t)), redislimit.WithLogger(slog.New(slog.NewTextHandler(logs, nil)))}
	if failOpen {
		opts = append(opts, redislimit.FailOpen)
	}
	var before atomic.Int32
	var dead atomic.Bool
	var mu sync.Mutex
	var after outcome
	var wg sync.WaitGroup
	for range 2 {
		rdb := redis.NewClient(&redis.Options{Addr: rs.addr})
		defer rdb.Close()
		c := srv.Client(asset.WithRateLimiter(redislimit.New(rdb, fleetLimit, opts...)))
		for range fleetWorkers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				seen := 0
				for range 1000 { // bounded, ends long before
					wasDead := dead.Load()
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					start := time.Now()
					_, err := c.Invoices.List(ctx, fleetBiz, &asset.InvoiceListParams{PageSize: 1})
					took := time.Since(start)
					cancel()
					if !wasDead {
						if err == nil {
							before.Add(1)
						}
						continue
					}
					mu.Lock()
					after.slowest = max(after.slowest, took)
					switch {
					case err == nil:
						after.ok++
					case errors.Is(err, redislimit.ErrRedisDown):
						after.down++
					case failOpen && errors.Is(err, asset.ErrRateLimited):
						// Each process alone paces to the whole limit: the
						// server's 429s and retries take over.
					default:
						after.other++
						after.others = append(after.others, err)
					}
					mu.Unlock()
					if seen++; seen == 5 {
						return
					}
				}
			}()
		}
	}
	waitFor(t, func() bool { return before.Load() >= 20 })
	rs.kill()
	probe := redis.NewClient(&redis.Options{Addr: rs.addr, MaxRetries: -1})
	defer probe.Close()
	waitFor(t, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		return probe.Ping(ctx).Err() != nil
	})
	dead.Store(true)
	wg.Wait()
	return after
}

// waitFor polls cond for at most 10 s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for range 200 {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	require.FailNow(t, "condition not met within 10s")
}

// After an outage the limiter asks Redis again, once a second, and shares
// the budget again as soon as it answers.
func TestRedisBackAfterOutage(t *testing.T) {
	rs := ownRedis(t)
	var logs syncBuffer
	rdb := newRedisClient(t, rs.addr)
	l := redislimit.New(rdb, redislimit.Limit{N: 1000, Per: time.Second}, redislimit.WithPrefix(testPrefix(t)),
		redislimit.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	require.NoError(t, l.Wait(timeout(t, 10*time.Second), biz))
	rs.kill()
	waitFor(t, func() bool { return errors.Is(l.Wait(timeout(t, 10*time.Second), biz), redislimit.ErrRedisDown) })
	_, port, _ := strings.Cut(rs.addr, ":")
	rs.stop()
	rs, err := startRedisOn(port)
	require.NoError(t, err)
	t.Cleanup(rs.stop)
	waitFor(t, func() bool { return l.Wait(timeout(t, 10*time.Second), biz) == nil })
	assert.Contains(t, logs.String(), "redis is unreachable")
	assert.Contains(t, logs.String(), "redis is reachable again")
}

// While Redis is down the limiter asks it again once a second, not on
// every call: an outage costs one slow call a second, whatever the load.
func TestRedisDownAskedOnceASecond(t *testing.T) {
	var asked counter
	dials := &dialCounter{}
	rdb := redis.NewClient(&redis.Options{Addr: closedAddr(t), MaxRetries: -1})
	t.Cleanup(func() { _ = rdb.Close() })
	rdb.AddHook(&asked)
	rdb.AddHook(dials)
	l := redislimit.New(rdb, redislimit.Limit{N: 1000, Per: time.Second}, redislimit.WithLogger(slog.New(slog.DiscardHandler)))
	require.ErrorIs(t, l.Wait(timeout(t, 5*time.Second), biz), redislimit.ErrRedisDown)
	asked.n.Store(0)
	dials.n.Store(0)

	const burst = 2500 * time.Millisecond
	end := time.Now().Add(burst)
	var calls atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(end) {
				err := l.Wait(timeout(t, 5*time.Second), biz)
				assert.ErrorIs(t, err, redislimit.ErrRedisDown)
				calls.Add(1)
				time.Sleep(time.Millisecond)
			}
		}()
	}
	wg.Wait()
	t.Logf("%d calls in %s asked Redis %d times (%d dials)", calls.Load(), burst, asked.n.Load(), dials.n.Load())
	require.Greater(t, calls.Load(), int64(100), "the burst")
	assert.LessOrEqual(t, asked.n.Load(), int64(3), "Redis asked more than once a second while down")
	assert.GreaterOrEqual(t, asked.n.Load(), int64(2), "Redis not asked again while down")
}

// dialCounter counts the connections a Redis client tries to make.
type dialCounter struct{ n atomic.Int64 }

func (c *dialCounter) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c.n.Add(1)
		return next(ctx, network, addr)
	}
}

func (c *dialCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }

func (c *dialCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
