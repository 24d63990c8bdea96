// Package asset is a typed client for the Asset invoice API: create, list,
// update, write off, pay and refund invoices, and issue and void credit
// memos, with exact decimal money, errors that say what to do, and retries
// that never apply a change twice.
//
// # Getting started
//
//	client, err := asset.NewClient(
//		asset.WithToken(os.Getenv("ASSET_TOKEN")),
//		asset.WithBaseURL(asset.SandboxURL), // ProductionURL is the default
//	)
//	if err != nil {
//		return err
//	}
//	inv, err := client.Invoices.Get(ctx, "biz_Pk2fNFDd8wj7EFeLWJywc7", "inv_WQMDNUHpBThYSNh4AprDBo")
//
// Every method takes a context first, then path ids, then the body or
// parameters, then Options for that one call. A Client is safe for
// concurrent use; share one per set of credentials.
//
// # Money
//
// Every amount is a Decimal, exact and never a float64. Its zero value means
// absent and is left out of requests; DecimalFromInt(0) is a present zero.
//
// # Errors
//
// Bad input is refused before anything is sent, with an *InputError. An
// error status is an *APIError, matched with errors.Is against
// ErrNotFound, ErrValidation, ErrRateLimited and the other sentinels. A
// batch that partly failed returns the invoices created and a *BatchError
// naming the others. A call that got no response is a *NetworkError, and a
// success whose body cannot be read a *DecodeError.
//
// The API has no idempotency key, so a call that changes state (Create,
// Update, WriteOff, Apply, Refunds.Create and ApplyPayment,
// CreditMemos.Create and Void) is never retried once it may have reached
// the server. When it failed in a way that may still have applied it, its
// error matches ErrOutcomeUnknown: look before repeating it (a refund by
// its ExternalID among Refunds.ListForInvoice). Invoices.Create and
// CreditMemos.Create are the exceptions that are safe to repeat as they
// were, because invoice and credit memo numbers are unique within a
// business.
//
// # Retries
//
// Reads are retried on connection errors, 408, 429, 500, 502, 503 and 504;
// changes only on 429 or a connection that never opened. Waits back off
// exponentially with jitter, honour Retry-After in full up to
// WithRetryAfterMax, never outlast the context's deadline, and end at once
// when it is cancelled. See WithMaxRetries, WithRetryWait,
// WithAttemptTimeout, WithRateLimit and WithRateLimiter.
//
// # Pagination
//
// List returns one Page; All iterates over every invoice, fetching the next
// page while the loop works on the current one; Pager walks pages in either
// direction from any saved token.
//
// # Testing
//
// Package assettest runs an in-memory Asset API with the real one's rules
// and fault injection; its Server.Client returns a Client wired to it.
package asset
