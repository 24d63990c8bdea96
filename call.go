package asset

import (
	"context"
	"net/http"
)

// The shapes of answer a service method reads, each over Client.do: one
// object in "data", or a batch create's created items and refusals.

// decodeData sends r and returns the "data" member of the response.
func decodeData[T any](ctx context.Context, c *Client, r apiRequest, opts []Option) (*T, error) {
	var env dataEnvelope[T]
	if err := c.do(ctx, r, &env, opts); err != nil {
		return nil, err
	}
	return &env.Data, nil
}

// batchItem is one item of a batch create: it checks itself, field naming
// it in errors, and is known by its number, unique within a business.
type batchItem interface {
	validate(field string) error
	number() string
	// numberField names number's field in errors: "number", "ExternalID".
	numberField() string
}

// createBatch posts items, already checked, to path and returns the models
// created together with a *BatchError accounting for every item that was
// not (see batchFailures). kind names the items in messages; numberOf is a
// created model's number; takes are the options the call honours.
func createBatch[M, T any, PT interface {
	*T
	batchItem
}](ctx context.Context, c *Client, path apiPath, kind string, items []T, numberOf func(*M) string, takes scopedOptions, opts []Option) ([]M, error) {
	numbers := make([]string, len(items))
	for i := range items {
		numbers[i] = PT(&items[i]).number()
	}
	var env batchEnvelope[M]
	if err := c.do(ctx, apiRequest{method: http.MethodPost, path: path, body: items, takes: takes}, &env, opts); err != nil {
		return nil, err
	}
	return batchFailures(kind, numbers, &env, numberOf)
}
