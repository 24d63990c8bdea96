package otelasset_test

import (
	"context"
	"fmt"
	"testing"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
	"github.com/assetkit/asset-go/otelasset"
)

// BenchmarkList is List of a page of 100 invoices from assettest, plain
// and instrumented side by side: the instrumented client samples every
// span into the SDK's batch processor and records every metric, which is
// the most the instrumentation costs. The budget is 1.10x the plain time.
func BenchmarkList(b *testing.B) {
	srv := assettest.NewServer(assettest.WithoutRateLimit())
	defer srv.Close()
	ctx := context.Background()
	in := make([]asset.InvoiceCreate, 100)
	for i := range in {
		in[i] = invoice(fmt.Sprint("bench-", i))
	}
	if _, err := srv.Client().Invoices.Create(ctx, biz, in); err != nil {
		b.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(tracetest.NewNoopExporter()))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	defer func() {
		_ = tp.Shutdown(ctx)
		_ = mp.Shutdown(ctx)
	}()
	params := &asset.InvoiceListParams{PageSize: 100}
	for _, bc := range []struct {
		name string
		opts []asset.Option
	}{
		{"plain", nil},
		{"instrumented", []asset.Option{otelasset.Instrument(otelasset.WithTracerProvider(tp), otelasset.WithMeterProvider(mp))}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c := srv.Client(bc.opts...)
			b.ReportAllocs()
			for b.Loop() {
				p, err := c.Invoices.List(ctx, biz, params)
				if err != nil || len(p.Data) != 100 {
					b.Fatal(err)
				}
			}
		})
	}
}
