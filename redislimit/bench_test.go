package redislimit_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/assetkit/asset-go/redislimit"
)

// counter counts the commands a Redis client sends: without pipelining,
// each is a round trip.
type counter struct{ n atomic.Int64 }

func (c *counter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (c *counter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmd)
	}
}

func (c *counter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmds)
	}
}

// BenchmarkWait is the cost of taking a slot in a business's budget and the
// tenant's, against a budget so large that nothing waits: the time is the
// round trip to Redis and the script.
func BenchmarkWait(b *testing.B) {
	rdb := needRedis(b)
	var c counter
	rdb.AddHook(&c)
	l := redislimit.New(rdb, redislimit.Limit{N: 1_000_000, Per: time.Second}, redislimit.WithPrefix(testPrefix(b)))
	ctx := context.Background()
	if err := l.Wait(ctx, "biz_bench"); err != nil { // loads the script
		b.Fatal(err)
	}
	c.n.Store(0)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := l.Wait(ctx, "biz_bench"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(c.n.Load())/float64(b.N), "roundtrips/op")
}
