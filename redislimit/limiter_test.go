package redislimit_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/redislimit"
)

const biz = "biz_a"

// pair is two limiters on one prefix, each with its own Redis client, as
// two processes of a fleet.
func pair(t *testing.T, limit redislimit.Limit, opts ...redislimit.Option) (a, b asset.RateLimiter) {
	t.Helper()
	needRedis(t)
	opts = append([]redislimit.Option{redislimit.WithPrefix(testPrefix(t))}, opts...)
	a = redislimit.New(newRedisClient(t, redisAddr), limit, opts...)
	b = redislimit.New(newRedisClient(t, redisAddr), limit, opts...)
	return a, b
}

func timeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func windowHeader(remaining int, reset time.Time) http.Header {
	h := http.Header{}
	h.Set("X-Ratelimit-Limit", "300")
	h.Set("X-Ratelimit-Remaining", strconv.Itoa(remaining))
	h.Set("X-Ratelimit-Reset", strconv.FormatInt(reset.Unix(), 10))
	return h
}

// A slot taken by one process is gone for the others, per business and
// for the tenant: a request needs room in both.
func TestBudgetSharedPerBusinessAndTenant(t *testing.T) {
	hour := redislimit.Limit{N: 1, Per: time.Hour}
	tests := []struct {
		name    string
		opts    []redislimit.Option
		second  string
		refused bool
	}{
		{"same business", nil, biz, true},
		{"another business, tenant spent", nil, "biz_b", true},
		{"another business, tenant with room", []redislimit.Option{redislimit.WithTenantLimit(redislimit.Limit{N: 100, Per: time.Second})}, "biz_b", false},
		{"the token endpoint's own budget", nil, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := pair(t, hour, tc.opts...)
			require.NoError(t, a.Wait(timeout(t, time.Second), biz))
			err := b.Wait(timeout(t, time.Second), tc.second)
			if !tc.refused {
				require.NoError(t, err)
				return
			}
			var we *redislimit.WaitError
			require.ErrorAs(t, err, &we)
			assert.ErrorIs(t, err, asset.ErrRateLimited)
			assert.Greater(t, we.Wait, 50*time.Minute, "the slot an hour after the first")
		})
	}
}

// A refused wait takes nothing: the next caller's slot is where it was.
func TestRefusedWaitTakesNoSlot(t *testing.T) {
	a, b := pair(t, redislimit.Limit{N: 1, Per: time.Hour})
	require.NoError(t, a.Wait(timeout(t, time.Second), biz))
	var first, second *redislimit.WaitError
	require.ErrorAs(t, b.Wait(timeout(t, time.Second), biz), &first)
	require.ErrorAs(t, b.Wait(timeout(t, time.Second), biz), &second)
	assert.InDelta(t, first.Wait.Seconds(), second.Wait.Seconds(), 1)
}

// What one process hears from the server pauses the key for all, until
// the reset, at most WithMaxWait; other keys go on.
func TestPauseShared(t *testing.T) {
	retryAfter := windowHeader(3, time.Now().Add(time.Minute))
	retryAfter.Set("Retry-After", "40")
	tests := []struct {
		name   string
		h      http.Header
		status int
		want   time.Duration
	}{
		{"remaining 0", windowHeader(0, time.Now().Add(30*time.Second)), 200, 30 * time.Second},
		{"429 with Retry-After", retryAfter, http.StatusTooManyRequests, 40 * time.Second},
		{"reset in an hour, capped", windowHeader(0, time.Now().Add(time.Hour)), 200, 2 * time.Minute},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := pair(t, redislimit.Limit{N: 100, Per: time.Second}, redislimit.WithMaxWait(2*time.Minute))
			a.Observe(biz, tc.h, tc.status)
			var we *redislimit.WaitError
			require.ErrorAs(t, b.Wait(timeout(t, time.Second), biz), &we)
			assert.InDelta(t, tc.want.Seconds(), we.Wait.Seconds(), 2)
			require.NoError(t, b.Wait(timeout(t, time.Second), "biz_b"), "another business paused")
		})
	}
	t.Run("answers with room pause nothing", func(t *testing.T) {
		a, b := pair(t, redislimit.Limit{N: 100, Per: time.Second})
		a.Observe(biz, windowHeader(1, time.Now().Add(time.Hour)), 200)
		a.Observe(biz, nil, 0)
		require.NoError(t, b.Wait(timeout(t, time.Second), biz))
	})
}

// A pause longer than WithMaxWait is waited out to the cap, then the call
// goes.
func TestPauseWaitedToMaxWait(t *testing.T) {
	a, b := pair(t, redislimit.Limit{N: 100, Per: time.Second}, redislimit.WithMaxWait(200*time.Millisecond))
	a.Observe(biz, windowHeader(0, time.Now().Add(time.Hour)), 200)
	require.NoError(t, b.Wait(timeout(t, 5*time.Second), biz))
}

func TestWaitEndsWithContext(t *testing.T) {
	a, b := pair(t, redislimit.Limit{N: 1, Per: 10 * time.Second})
	require.NoError(t, a.Wait(timeout(t, time.Second), biz))
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	assert.ErrorIs(t, b.Wait(ctx, biz), context.Canceled)
	assert.ErrorIs(t, b.Wait(ctx, biz), context.Canceled, "an ended context is not waited on")
}

// A call whose context ends while it sleeps for its slot gives the slot
// back, in its business's budget and the tenant's: the next caller gets
// it instead of the one after.
func TestEndedWaitGivesSlotBack(t *testing.T) {
	a, b := pair(t, redislimit.Limit{N: 1, Per: time.Hour}, redislimit.WithMaxWait(3*time.Hour))
	require.NoError(t, a.Wait(timeout(t, time.Second), biz))
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	require.ErrorIs(t, b.Wait(ctx, biz), context.Canceled)
	var we *redislimit.WaitError
	require.ErrorAs(t, a.Wait(timeout(t, time.Second), biz), &we)
	// An hour and the second a window is guessed to run over (see
	// TestWindowLearnedFromAnswers).
	assert.LessOrEqual(t, we.Wait, time.Hour+time.Second, "the slot an hour after the first, not two")
}

// A slot with a later one taken after it is not given back: the next
// caller would share the later one.
func TestEndedWaitKeepsLaterSlots(t *testing.T) {
	a, b := pair(t, redislimit.Limit{N: 1, Per: time.Hour}, redislimit.WithMaxWait(4*time.Hour))
	require.NoError(t, a.Wait(timeout(t, time.Second), biz))
	first, cancelFirst := context.WithCancel(context.Background())
	defer cancelFirst()
	firstDone := make(chan error, 1)
	go func() { firstDone <- b.Wait(first, biz) }()
	second, cancelSecond := context.WithCancel(context.Background())
	defer cancelSecond()
	secondDone := make(chan error, 1)
	var we *redislimit.WaitError
	require.Eventually(t, func() bool {
		// The first call sleeps for its slot once the next is two hours off.
		return errors.As(a.Wait(timeout(t, time.Second), biz), &we) && we.Wait > 90*time.Minute
	}, 5*time.Second, 10*time.Millisecond)
	go func() { secondDone <- b.Wait(second, biz) }()
	require.Eventually(t, func() bool {
		return errors.As(a.Wait(timeout(t, time.Second), biz), &we) && we.Wait > 150*time.Minute
	}, 5*time.Second, 10*time.Millisecond)
	cancelFirst()
	require.ErrorIs(t, <-firstDone, context.Canceled)
	require.ErrorAs(t, a.Wait(timeout(t, time.Second), biz), &we)
	assert.Greater(t, we.Wait, 150*time.Minute, "the second call's slot stays its own")
	cancelSecond()
	require.ErrorIs(t, <-secondDone, context.Canceled)
	require.ErrorAs(t, a.Wait(timeout(t, time.Second), biz), &we)
	assert.LessOrEqual(t, we.Wait, 2*time.Hour+2*time.Second, "the latest slot given back")
}

// Every key is under the prefix and expires.
func TestKeysNamespacedAndExpiring(t *testing.T) {
	rdb := needRedis(t)
	prefix := testPrefix(t)
	l := redislimit.New(rdb, redislimit.Limit{N: 10, Per: time.Second}, redislimit.WithPrefix(prefix), redislimit.WithTenant("acme"))
	require.NoError(t, l.Wait(timeout(t, time.Second), biz))
	l.Observe(biz, windowHeader(0, time.Now().Add(2*time.Second)), 200)
	ctx := timeout(t, time.Second)
	keys, err := rdb.Keys(ctx, prefix+"*").Result()
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{
		prefix + ":{acme}:b:" + biz, prefix + ":{acme}:tenant:", prefix + ":{acme}:pause:" + biz,
	}, keys)
	for _, k := range keys {
		ttl, err := rdb.PTTL(ctx, k).Result()
		require.NoError(t, err)
		assert.Positive(t, ttl, k)
		assert.LessOrEqual(t, ttl, 4*time.Second, k)
	}
}

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

func TestRedisDown(t *testing.T) {
	down := newRedisClient(t, closedAddr(t))
	t.Run("fails the call by default", func(t *testing.T) {
		l := redislimit.New(down, redislimit.Limit{N: 10, Per: time.Second}, redislimit.WithLogger(slog.New(slog.DiscardHandler)))
		err := l.Wait(timeout(t, 10*time.Second), biz)
		require.ErrorIs(t, err, redislimit.ErrRedisDown)
		assert.NotErrorIs(t, err, context.DeadlineExceeded)
		assert.Contains(t, err.Error(), "redis is down")
	})
	t.Run("FailOpen paces in process and says so", func(t *testing.T) {
		var logs bytes.Buffer
		l := redislimit.New(down, redislimit.Limit{N: 1, Per: time.Hour}, redislimit.FailOpen,
			redislimit.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
		require.NoError(t, l.Wait(timeout(t, 10*time.Second), biz))
		var we *redislimit.WaitError
		require.ErrorAs(t, l.Wait(timeout(t, 10*time.Second), biz), &we, "still paced, in process")
		assert.Equal(t, 1, bytes.Count(logs.Bytes(), []byte("redis is unreachable")), "logged once per outage: %s", &logs)
	})
}

func TestNewRefusesBadArguments(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: closedAddr(t)})
	defer rdb.Close()
	ctx := timeout(t, time.Second)
	for _, l := range []redislimit.Limit{{}, {N: 1}, {Per: time.Second}, {N: -1, Per: time.Second}} {
		err := redislimit.New(rdb, l).Wait(ctx, biz)
		var inErr *asset.InputError
		assert.ErrorAs(t, err, &inErr, "%+v", l)
		assert.ErrorIs(t, err, asset.ErrValidation)
		assert.NotErrorIs(t, err, redislimit.ErrRedisDown, "refused before asking Redis")
	}
	err := redislimit.New(rdb, redislimit.Limit{N: 1, Per: time.Second}, redislimit.WithTenantLimit(redislimit.Limit{})).Wait(ctx, biz)
	assert.ErrorIs(t, err, asset.ErrValidation, "a bad tenant limit")
	assert.ErrorIs(t, redislimit.New(nil, redislimit.Limit{N: 1, Per: time.Second}).Wait(ctx, biz), asset.ErrValidation)
}
