package redislimit_test

import (
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

// budgetWindow is a budget's window as its hash in Redis holds it (see
// script.go), in microseconds of Redis's clock.
type budgetWindow struct {
	ws, we, n, id int64
}

func readWindow(t *testing.T, rdb *redis.Client, key string) budgetWindow {
	t.Helper()
	v, err := rdb.HGetAll(timeout(t, time.Second), key).Result()
	require.NoError(t, err)
	num := func(f string) int64 {
		n, _ := strconv.ParseInt(v[f], 10, 64)
		return n
	}
	return budgetWindow{ws: num("ws"), we: num("we"), n: num("n"), id: num("id")}
}

// answer is the header of an answer about a window of limit requests
// that resets at reset.
func answer(limit, remaining int, reset int64) http.Header {
	h := http.Header{}
	h.Set("X-Ratelimit-Limit", strconv.Itoa(limit))
	h.Set("X-Ratelimit-Remaining", strconv.Itoa(remaining))
	h.Set("X-Ratelimit-Reset", strconv.FormatInt(reset, 10))
	return h
}

// A budget counts its slots in windows of the server's length: the end is
// guessed from its first slot until the first answer about the window
// teaches it, from when that answer came back; the server's count and a
// remaining of 0 fill it, and the next slot waits for its end, with no
// pause until the reset, which is whole seconds, rounded up.
func TestWindowLearnedFromAnswers(t *testing.T) {
	rdb := needRedis(t)
	prefix := testPrefix(t)
	limit := redislimit.Limit{N: 100, Per: 2 * time.Second}
	l := redislimit.New(rdb, limit, redislimit.WithPrefix(prefix))
	keys := []string{prefix + ":{default}:b:" + biz, prefix + ":{default}:tenant:"}

	require.NoError(t, l.Wait(timeout(t, time.Second), biz))
	for _, k := range keys {
		w := readWindow(t, rdb, k)
		assert.Equal(t, int64(1), w.n, k)
		assert.Equal(t, (2*time.Second + 20*time.Millisecond).Microseconds(), w.we-w.ws,
			"%s: the guess, a period and an interval", k)
	}

	reset := time.Now().Add(3 * time.Second).Unix()
	answered := time.Now()
	l.Observe(biz, answer(100, 99, reset), http.StatusOK)
	for _, k := range keys {
		w := readWindow(t, rdb, k)
		assert.Equal(t, reset, w.id, k)
		assert.Less(t, w.we-w.ws, (2*time.Second).Microseconds()+(time.Since(answered)+5*time.Millisecond).Microseconds(),
			"%s: learned, a period after the answer", k)
		assert.GreaterOrEqual(t, w.we-w.ws, (2 * time.Second).Microseconds(), "%s: never before a period from the slot", k)
	}

	// Another process's first answer about the window: each process
	// tells Redis of a window once, and of its end.
	other := redislimit.New(newRedisClient(t, redisAddr), limit, redislimit.WithPrefix(prefix))
	other.Observe(biz, answer(100, 60, reset), http.StatusOK)
	assert.Equal(t, int64(40), readWindow(t, rdb, keys[0]).n, "the server's count, higher, stands")

	l.Observe(biz, answer(100, 0, reset), http.StatusOK)
	w := readWindow(t, rdb, keys[0])
	assert.Equal(t, int64(100), w.n, "remaining 0 fills the window")
	n, err := rdb.Exists(timeout(t, time.Second), prefix+":{default}:pause:"+biz).Result()
	require.NoError(t, err)
	assert.Zero(t, n, "no pause until the rounded reset: the learned end holds the next call")
	var we *redislimit.WaitError
	require.ErrorAs(t, l.Wait(timeout(t, time.Second), biz), &we)
	assert.InDelta(t, 2, we.Wait.Seconds()+time.Since(answered).Seconds(), 0.1, "the next slot at the learned end")
}

// What an answer cannot tell for sure about a budget's window teaches it
// nothing, and a remaining of 0 then pauses the key until the reset, as
// before: an answer about a window of another size than the budget's, or
// one counting more requests than the budget took (sent by others, or the
// tenant's window counting other businesses).
func TestWindowNotLearnedFromOtherWindows(t *testing.T) {
	tests := []struct {
		name      string
		first, at http.Header
	}{
		{"another limit", answer(300, 299, 0), answer(300, 0, 0)},
		{"more counted than taken", answer(100, 10, 0), answer(100, 0, 0)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rdb := needRedis(t)
			prefix := testPrefix(t)
			l := redislimit.New(rdb, redislimit.Limit{N: 100, Per: 2 * time.Second}, redislimit.WithPrefix(prefix))
			require.NoError(t, l.Wait(timeout(t, time.Second), biz))
			before := readWindow(t, rdb, prefix+":{default}:b:"+biz)
			reset := strconv.FormatInt(time.Now().Add(3*time.Second).Unix(), 10)
			for _, h := range []http.Header{tc.first, tc.at} {
				h.Set("X-Ratelimit-Reset", reset)
				l.Observe(biz, h, http.StatusOK)
			}
			after := readWindow(t, rdb, prefix+":{default}:b:"+biz)
			assert.Equal(t, before.we, after.we, "the guessed end stays")
			assert.Zero(t, after.id)
			var we *redislimit.WaitError
			require.ErrorAs(t, l.Wait(timeout(t, time.Second), biz), &we, "paused until the reset")
			assert.Greater(t, we.Wait, 2*time.Second)
			assert.ErrorIs(t, we, asset.ErrRateLimited)
		})
	}
}

// A process tells Redis of a server window once: the answers after the
// first about the same window cost no round trip, unless they ask for a
// pause.
func TestWindowToldOncePerProcess(t *testing.T) {
	rdb := needRedis(t)
	var asked counter
	rdb.AddHook(&asked)
	l := redislimit.New(rdb, redislimit.Limit{N: 100, Per: 2 * time.Second}, redislimit.WithPrefix(testPrefix(t)))
	require.NoError(t, l.Wait(timeout(t, time.Second), biz))
	reset := time.Now().Add(3 * time.Second).Unix()
	l.Observe("biz_warm", answer(100, 99, reset), http.StatusOK) // loads the script
	asked.n.Store(0)
	for remaining := 99; remaining > 90; remaining-- {
		l.Observe(biz, answer(100, remaining, reset), http.StatusOK)
	}
	assert.Equal(t, int64(1), asked.n.Load(), "round trips for 9 answers about one window")
	l.Observe(biz, answer(100, 50, reset+2), http.StatusOK)
	assert.Equal(t, int64(2), asked.n.Load(), "a new window is told")
	l.Observe("biz_b", answer(100, 50, reset+2), http.StatusOK)
	assert.Equal(t, int64(3), asked.n.Load(), "another business's is told")
	l.Observe(biz, answer(100, 0, reset+2), http.StatusOK)
	assert.Equal(t, int64(4), asked.n.Load(), "remaining 0 is told")
}
