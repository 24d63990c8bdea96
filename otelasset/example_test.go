package otelasset_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"

	"go.opentelemetry.io/otel/exporters/stdout/stdoutmetric"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
	"github.com/assetkit/asset-go/otelasset"
)

// Instrument wires a client to the OpenTelemetry SDK, with the stdout
// exporters: in a program, give them os.Stdout (docs/observability.md's example);
// here they write to a buffer, read back to show the call spans.
func Example() {
	srv := assettest.NewServer() // in production: asset.NewClient(asset.WithToken(tok), ...)
	defer srv.Close()
	ctx := context.Background()

	var out bytes.Buffer
	spans, err := stdouttrace.New(stdouttrace.WithWriter(&out))
	if err != nil {
		log.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(spans))
	metrics, err := stdoutmetric.New(stdoutmetric.WithWriter(io.Discard))
	if err != nil {
		log.Fatal(err)
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewPeriodicReader(metrics)))

	client := srv.Client(otelasset.Instrument(otelasset.WithTracerProvider(tp), otelasset.WithMeterProvider(mp)))
	const biz = "biz_Example0000000000000001"
	created, err := client.Invoices.Create(ctx, biz, []asset.InvoiceCreate{{
		Number:             "INV-1",
		CustomerExternalID: "erp-42",
		Lines:              []asset.InvoiceLineCreate{{Description: "Service", Amount: asset.MustDecimal("12.50")}},
	}})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := client.Invoices.Get(ctx, biz, created[0].ID); err != nil {
		log.Fatal(err)
	}
	// Shutting the providers down flushes what they hold to the exporters.
	if err := errors.Join(tp.Shutdown(ctx), mp.Shutdown(ctx)); err != nil {
		log.Fatal(err)
	}

	dec := json.NewDecoder(&out)
	for {
		var span struct {
			Name       string
			Attributes []struct {
				Key   string
				Value struct{ Value any }
			}
		}
		if err := dec.Decode(&span); err != nil {
			break
		}
		for _, a := range span.Attributes {
			if a.Key == string(otelasset.OutcomeKey) {
				fmt.Println(span.Name, a.Value.Value)
			}
		}
	}
	// Output:
	// POST /v0/business/{business_id}/invoice ok
	// GET /v0/business/{business_id}/invoice/{invoice_id} ok
}
