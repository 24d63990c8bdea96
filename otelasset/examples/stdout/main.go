// Command stdout traces and measures a few calls with the OpenTelemetry SDK,
// printing spans and metrics to stdout. Without ASSET_TOKEN it runs against
// an in-memory assettest server.
//
//	go run ./examples/stdout
package main

import (
	"context"
	"errors"
	"log"
	"os"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/stdout/stdoutmetric"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
	"github.com/assetkit/asset-go/otelasset"
)

func main() {
	ctx := context.Background()

	spans, err := stdouttrace.New(stdouttrace.WithPrettyPrint())
	if err != nil {
		log.Fatal(err)
	}
	metrics, err := stdoutmetric.New(stdoutmetric.WithPrettyPrint())
	if err != nil {
		log.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewPeriodicReader(metrics)))
	otel.SetTracerProvider(tp) // otelasset uses the global providers by default
	otel.SetMeterProvider(mp)
	defer func() {
		// Flushes the spans and metrics still held to stdout.
		if err := errors.Join(tp.Shutdown(ctx), mp.Shutdown(ctx)); err != nil {
			log.Print(err)
		}
	}()

	opts := []asset.Option{otelasset.Instrument()}
	bizID := os.Getenv("ASSET_BUSINESS_ID")
	var client *asset.Client
	if tok := os.Getenv("ASSET_TOKEN"); tok != "" {
		client, err = asset.NewClient(append(opts, asset.WithToken(tok), asset.WithBaseURL(asset.SandboxURL))...)
		if err != nil {
			log.Fatal(err)
		}
	} else {
		srv := assettest.NewServer()
		defer srv.Close()
		client, bizID = srv.Client(opts...), "biz_Demo000000000000000001"
	}

	// One span per call, named "GET /v0/business/{business_id}/invoice".
	page, err := client.Invoices.List(ctx, bizID, &asset.InvoiceListParams{PageSize: 10})
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("listed %d invoices", len(page.Data))
}
