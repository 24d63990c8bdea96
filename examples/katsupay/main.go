// Command katsupay creates one invoice on Katsu Pay and prints its id and
// amount.
//
// Without KATSUPAY_BASE_URL it runs on an embedded katsupaytest fake, so it
// works anywhere; the fake forgets everything when the program exits. -h
// lists the environment. To use a real deployment, set KATSUPAY_BASE_URL to its
// address, e.g. https://pay.example.com, and the credentials it requires, if
// any (Katsu Pay's docs say the endpoint takes none; a deployment that wants
// some answers 401):
//
//	KATSUPAY_TOKEN      the bearer token
//	KATSUPAY_API_KEY    the service-api-key header
//	KATSUPAY_API_CODE   the service-api-code header
//
// and, so that the deployment knows them, the UUIDs of the invoiced party,
// the receiving account and a product in KATSUPAY_COUNTERPARTY_ID,
// KATSUPAY_ACCOUNT_ID and KATSUPAY_PRODUCT_ID (sample ids otherwise).
// KATSUPAY_CURRENCY sets the currency code (default 2, the docs' example).
//
// It takes no arguments. A try that failed and will be retried is said on
// stderr as it happens, and the whole call is bounded by 30 seconds.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/examples/internal/cli"
	"github.com/assetkit/asset-go/katsupay"
	"github.com/assetkit/asset-go/katsupay/katsupaytest"
)

func main() { cli.Main("katsupay", run) }

// run is main without the process: the test gives it its own arguments and
// environment and reads what it prints.
func run(ctx context.Context, args []string, getenv func(string) string, out, stderr io.Writer) error {
	fs := cli.NewFlagSet("katsupay", about, stderr)
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	base := getenv("KATSUPAY_BASE_URL")
	// Shorter tries than the client's minute: a deployment that never
	// answers is reported within the call's 30 seconds.
	opts := []katsupay.Option{katsupay.WithLogger(cli.Logger(stderr)), katsupay.WithAttemptTimeout(10 * time.Second)}
	if base == "" {
		srv := katsupaytest.NewServer()
		defer srv.Close()
		base = srv.URL
		fmt.Fprintf(out, "KATSUPAY_BASE_URL is not set: running on the embedded katsupaytest fake at %s, which forgets everything when this program exits\n", base)
		opts = append(opts,
			katsupay.WithToken(katsupaytest.Token),
			katsupay.WithServiceKey(katsupaytest.APIKey, katsupaytest.APICode))
	} else {
		fmt.Fprintf(out, "Using the Katsu Pay deployment at %s\n", base)
		if tok := getenv("KATSUPAY_TOKEN"); tok != "" {
			opts = append(opts, katsupay.WithToken(tok))
		}
		if key, code := getenv("KATSUPAY_API_KEY"), getenv("KATSUPAY_API_CODE"); key != "" || code != "" {
			opts = append(opts, katsupay.WithServiceKey(key, code))
		}
	}
	client, err := katsupay.NewClient(base, opts...)
	if err != nil {
		return err
	}

	currency := 2
	if v := getenv("KATSUPAY_CURRENCY"); v != "" {
		if currency, err = strconv.Atoi(v); err != nil {
			return fmt.Errorf("KATSUPAY_CURRENCY %q is not an integer code", v)
		}
	}
	inv := katsupay.CreateInvoice{
		CounterPartyID:     orDefault(getenv("KATSUPAY_COUNTERPARTY_ID"), "3fa85f64-5717-4562-b3fc-2c963f66afa6"),
		ReceivingAccountID: orDefault(getenv("KATSUPAY_ACCOUNT_ID"), "9b2e6c1a-4d3f-4e8b-a5c7-1f0d2e3b4a5c"),
		CounterPartyName:   "Lovelace Analytical Engines Ltd",
		AccountName:        "Operating account",
		DueDate:            time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 30),
		Currency:           katsupay.Currency(currency),
		Products: []katsupay.Product{{
			ProductID: orDefault(getenv("KATSUPAY_PRODUCT_ID"), "1c8f4a2e-7b6d-4c5e-9a8b-0f1e2d3c4b5a"),
			Quantity:  3,
			UnitPrice: asset.MustDecimal("349.99"),
		}},
		Description: "Consulting, 3 days",
	}

	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	created, err := client.Invoices.Create(ctx, inv)
	if err != nil {
		return explain(err)
	}
	fmt.Fprintf(out, "Created invoice %s for %s\n", created.InvoiceID, created.Amount)
	return nil
}

// about is the usage's text after its first line.
const about = `Creates one Katsu Pay invoice and prints its id and amount. It takes no
arguments. Without KATSUPAY_BASE_URL it runs on an embedded katsupaytest fake,
which forgets everything when this program exits. The environment:

  KATSUPAY_BASE_URL         a deployment's address, e.g. https://pay.example.com
  KATSUPAY_TOKEN            optional, the bearer token, if the deployment wants one
  KATSUPAY_API_KEY          optional, the service-api-key header
  KATSUPAY_API_CODE         optional, the service-api-code header
  KATSUPAY_COUNTERPARTY_ID  the UUID of the party invoiced (a sample otherwise)
  KATSUPAY_ACCOUNT_ID       the UUID of the receiving account (a sample otherwise)
  KATSUPAY_PRODUCT_ID       the UUID of the product invoiced (a sample otherwise)
  KATSUPAY_CURRENCY         the deployment's integer currency code (default 2,
                            the docs' example)`

// explain adds what to do next to the errors a caller must tell apart.
func explain(err error) error {
	var kerr *katsupay.Error
	switch {
	case errors.Is(err, asset.ErrOutcomeUnknown):
		return fmt.Errorf("%w\nThe invoice may exist: check Katsu Pay before running this again", err)
	case errors.Is(err, asset.ErrUnauthorized), errors.Is(err, asset.ErrForbidden):
		return fmt.Errorf("%w\nThis deployment wants credentials: set or check KATSUPAY_TOKEN, KATSUPAY_API_KEY and KATSUPAY_API_CODE", err)
	case errors.As(err, &kerr) && errors.Is(err, asset.ErrValidation):
		return fmt.Errorf("%w\nKatsu Pay refused the invoice; the ids must exist in the deployment (KATSUPAY_COUNTERPARTY_ID, KATSUPAY_ACCOUNT_ID, KATSUPAY_PRODUCT_ID)", err)
	}
	return err
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
