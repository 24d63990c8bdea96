package redislimit_test

import (
	"errors"
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

// A nil client inside the interface is a nil client too: refused before
// anything is sent, never a panic inside the caller's request.
func TestNilClientInInterface(t *testing.T) {
	for name, rdb := range map[string]redis.UniversalClient{
		"*redis.Client":        (*redis.Client)(nil),
		"*redis.ClusterClient": (*redis.ClusterClient)(nil),
		"*redis.Ring":          (*redis.Ring)(nil),
	} {
		t.Run(name, func(t *testing.T) {
			l := redislimit.New(rdb, redislimit.Limit{N: 1, Per: time.Second})
			var err error
			require.NotPanics(t, func() { err = l.Wait(timeout(t, time.Second), biz) })
			var inErr *asset.InputError
			require.ErrorAs(t, err, &inErr)
			assert.ErrorIs(t, err, asset.ErrValidation)
			require.NotPanics(t, func() { l.Observe(biz, windowHeader(0, time.Now().Add(time.Second)), 429) })
		})
	}
}

// An x-ratelimit-reset far in the past or the future, whatever its size,
// pauses the key no longer than it says or than WithMaxWait allows: a
// reset already past asks for no pause after a success, and for the
// default second after a 429.
func TestHostileReset(t *testing.T) {
	header := func(remaining int, reset string) http.Header {
		h := http.Header{}
		h.Set("X-Ratelimit-Limit", "300")
		h.Set("X-Ratelimit-Remaining", strconv.Itoa(remaining))
		h.Set("X-Ratelimit-Reset", reset)
		return h
	}
	const maxWait = 20 * time.Second
	tests := []struct {
		name   string
		h      http.Header
		status int
		most   time.Duration // the longest the next call may be held
		least  time.Duration
	}{
		{"remaining 0, reset -9223372036855", header(0, "-9223372036855"), 200, 0, 0},
		{"remaining 0, reset min int64", header(0, "-9223372036854775808"), 200, 0, 0},
		{"429, reset -9223372036855", header(0, "-9223372036855"), 429, 1100 * time.Millisecond, 900 * time.Millisecond},
		{"429, reset 0", header(0, "0"), 429, 1100 * time.Millisecond, 900 * time.Millisecond},
		{"remaining 0, reset max int64", header(0, "9223372036854775807"), 200, maxWait, maxWait - time.Second},
		{"429, reset 9223372036855", header(0, "9223372036855"), 429, maxWait, maxWait - time.Second},
		{"429, Retry-After max int64", func() http.Header {
			h := header(1, "")
			h.Set("Retry-After", "9223372036854775807")
			return h
		}(), 429, maxWait, maxWait - time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := pair(t, redislimit.Limit{N: 100, Per: time.Second}, redislimit.WithMaxWait(maxWait))
			a.Observe(biz, tc.h, tc.status)
			// The deadline is under the cap: a pause longer than allowed
			// shows as a refusal at once, never as a wait.
			err := b.Wait(timeout(t, 1500*time.Millisecond), biz)
			if tc.most < time.Second+500*time.Millisecond {
				if we := (*redislimit.WaitError)(nil); errors.As(err, &we) {
					t.Fatalf("a reset that asks for at most %s held the next call for %s", tc.most, we.Wait)
				}
				require.NoError(t, err)
				return
			}
			var we *redislimit.WaitError
			require.ErrorAs(t, err, &we)
			assert.LessOrEqual(t, we.Wait, tc.most)
			assert.GreaterOrEqual(t, we.Wait, tc.least)
		})
	}
}

// A pause is shared for as long as the server asked, whatever the gap
// between the process's clock and Redis's.
func TestPauseSharedAcrossSkewedClocks(t *testing.T) {
	for _, skew := range []time.Duration{30 * time.Second, -30 * time.Second, time.Hour, -time.Hour} {
		t.Run("process clock "+skew.String()+" from Redis's", func(t *testing.T) {
			needRedis(t)
			prefix := redislimit.WithPrefix(testPrefix(t))
			opts := []redislimit.Option{prefix, redislimit.WithMaxWait(2 * time.Hour)}
			skewed := redislimit.New(newRedisClient(t, redisAddr), redislimit.Limit{N: 100, Per: time.Second},
				append(opts, redislimit.WithClock(func() time.Time { return time.Now().Add(skew) }))...)
			other := redislimit.New(newRedisClient(t, redisAddr), redislimit.Limit{N: 100, Per: time.Second}, opts...)
			h := http.Header{}
			h.Set("Retry-After", "2")
			skewed.Observe(biz, h, http.StatusTooManyRequests)
			var we *redislimit.WaitError
			require.ErrorAs(t, other.Wait(timeout(t, time.Second), biz), &we, "the pause was not shared")
			assert.InDelta(t, 2, we.Wait.Seconds(), 0.3, "the pause shared")
		})
	}
}
