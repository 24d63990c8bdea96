package redislimit_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
	"github.com/assetkit/asset-go/redislimit"
)

// A Redis password never shows in an error or a log line of the
// limiter's, even from a Redis that quotes it back: one that knows
// neither HELLO nor AUTH answers each with its arguments ("ERR unknown
// command 'AUTH', with args beginning with: ...").
func TestRedisPasswordRedacted(t *testing.T) {
	const password = "s3cr3t-Pa55+w/rd"
	rs := ownRedis(t, "--rename-command", "HELLO", "", "--rename-command", "AUTH", "")
	for _, userinfo := range []*url.Userinfo{url.UserPassword("", password), url.UserPassword("bob", password)} {
		t.Run("user "+userinfo.Username(), func(t *testing.T) {
			u := url.URL{Scheme: "redis", User: userinfo, Host: rs.addr}
			opts, err := redis.ParseURL(u.String())
			require.NoError(t, err)
			require.Equal(t, password, opts.Password)
			var logs bytes.Buffer
			newLimiter := func(extra ...redislimit.Option) asset.RateLimiter {
				rdb := redis.NewClient(opts)
				t.Cleanup(func() { _ = rdb.Close() })
				return redislimit.New(rdb, redislimit.Limit{N: 100, Per: time.Second}, append([]redislimit.Option{
					redislimit.WithPrefix(testPrefix(t)), redislimit.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))),
				}, extra...)...)
			}
			var quoted bool // the test proves something only if Redis quoted it
			check := func(what, s string) {
				t.Helper()
				assert.NotContains(t, s, password, what)
				assert.NotContains(t, s, url.QueryEscape(password), what)
				if bytes.Contains([]byte(s), []byte("[redacted]")) {
					quoted = true
				}
			}

			err = newLimiter().Wait(timeout(t, 5*time.Second), biz)
			require.ErrorIs(t, err, redislimit.ErrRedisDown)
			check("Wait's error", err.Error())

			srv := assettest.NewServer()
			defer srv.Close()
			_, err = srv.Client(asset.WithRateLimiter(newLimiter())).Invoices.List(timeout(t, 5*time.Second), biz, nil)
			require.Error(t, err)
			check("the call's error", err.Error())

			require.NoError(t, newLimiter(redislimit.FailOpen).Wait(timeout(t, 5*time.Second), biz))
			h := http.Header{}
			h.Set("Retry-After", "1")
			newLimiter().Observe(biz, h, http.StatusTooManyRequests)
			check("the log", logs.String())
			assert.Contains(t, logs.String(), "redis is unreachable")
			assert.Contains(t, logs.String(), "could not share a rate-limit pause")
			assert.True(t, quoted, "Redis did not quote the password: %s", logs.String())
		})
	}
}
