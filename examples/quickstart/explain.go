package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/assetkit/asset-go"
)

// explain says what to do about an error the SDK returned: these are the
// cases a program has to tell apart, most specific first.
func explain(err error) string {
	var (
		inputErr *asset.InputError
		batchErr *asset.BatchError
		apiErr   *asset.APIError
	)
	switch {
	case err == nil:
		return "done"
	case errors.As(err, &inputErr):
		return fmt.Sprintf("refused before sending, %s %s: fix the input; nothing was sent", inputErr.Field, inputErr.Reason)
	case errors.As(err, &batchErr):
		var parts []string
		for _, f := range batchErr.Failures {
			parts = append(parts, fmt.Sprintf("%s (%s)", f.Number, f.Message))
		}
		return "not created: " + strings.Join(parts, ", ") + "; the others were, so create only these again once fixed"
	case errors.Is(err, asset.ErrOutcomeUnknown):
		// The API has no idempotency key: trying again could pay twice.
		return "the outcome is unknown and the change may have been applied: get the invoice and look at its payments before trying again"
	case errors.Is(err, asset.ErrUnauthorized):
		return "the token was refused: check ASSET_TOKEN"
	case errors.Is(err, asset.ErrForbidden):
		return "the token may not act on this business: check ASSET_BUSINESS_ID and the token's scopes"
	case errors.Is(err, asset.ErrNotFound):
		return "not found in this business: check the invoice and transaction ids"
	case errors.Is(err, asset.ErrRateLimited) && errors.As(err, &apiErr):
		return fmt.Sprintf("rate limited: try again in %s", apiErr.RetryAfter)
	case errors.As(err, &apiErr) && apiErr.Temporary():
		return fmt.Sprintf("the API failed (%d %s): try again later; quote request id %s to support if it lasts",
			apiErr.StatusCode, apiErr.Message, apiErr.RequestID)
	case errors.As(err, &apiErr):
		return fmt.Sprintf("refused by the API (%d %s): change the request; quote request id %s to support if it looks wrong",
			apiErr.StatusCode, apiErr.Message, apiErr.RequestID)
	}
	return "no answer from the API: check the network and ASSET_BASE_URL"
}

// explainCreate is explain for a Create. Its outcome-unknown case differs:
// numbers are unique per business, so sending the same batch again cannot
// create an invoice twice; one the lost attempt created comes back as a
// failure saying it already exists.
func explainCreate(err error) string {
	if errors.Is(err, asset.ErrOutcomeUnknown) {
		return "the outcome is unknown and some invoices may have been created: send the same batch again; the numbers are unique per business, so one already created is refused as existing, not created twice"
	}
	return explain(err)
}

// fail ends the tour at a step that should have worked, saying what to do.
func fail(step string, err error) error {
	return fmt.Errorf("%s: %w\n%s", step, err, explain(err))
}
