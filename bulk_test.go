package asset_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
)

func TestCreateManyInBatches(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		n        int
		opts     []asset.Option
		requests int
	}{
		{"one invoice", 1, nil, 1},
		{"one full batch", 100, nil, 1},
		{"one more than a batch", 101, nil, 2},
		{"one at a time", 250, []asset.Option{asset.WithConcurrency(1)}, 3},
		{"more batches than goroutines", 1234, []asset.Option{asset.WithConcurrency(3)}, 13},
		{"more goroutines than batches", 250, []asset.Option{asset.WithConcurrency(50)}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := assettest.NewServer(assettest.WithoutRateLimit())
			defer srv.Close()
			in := bulkInput("B", tt.n)
			var progress progressLog
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			created, err := srv.Client().Invoices.CreateMany(ctx, bulkBiz, in, append(tt.opts, asset.WithProgress(progress.record))...)
			require.NoError(t, err)
			require.Len(t, created, tt.n)
			requireAccounted(t, in, created, err)
			requireOnServerOnce(t, srv, tt.n)
			assert.Equal(t, tt.requests, srv.Requests(assettest.RouteCreateInvoices))
			assert.Equal(t, "12.50", created[tt.n-1].TotalAmount.String(), "decoded as Create decodes")
			progress.requireConsistent(t, tt.n, tt.n, 0)
			assert.Len(t, progress.calls, tt.requests, "one call per batch")
		})
	}
}

func TestCreateManySendsAtMostNBatchesAtOnce(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		clientOpts []asset.Option
		callOpts   []asset.Option
		n, peak    int
	}{
		{"default", nil, nil, 1000, 4},
		{"on the call", nil, []asset.Option{asset.WithConcurrency(2)}, 1000, 2},
		{"on the client", []asset.Option{asset.WithConcurrency(3)}, nil, 1000, 3},
		{"the call's wins", []asset.Option{asset.WithConcurrency(3)}, []asset.Option{asset.WithConcurrency(1)}, 300, 1},
		{"no more than the batches", nil, []asset.Option{asset.WithConcurrency(16)}, 500, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Each request waits long enough for all the goroutines to
			// have theirs in flight.
			srv := assettest.NewServer(assettest.WithoutRateLimit(), assettest.WithLatency(50*time.Millisecond))
			defer srv.Close()
			hc := srv.HTTPClient()
			counter := &inFlight{next: hc.Transport}
			hc.Transport = counter
			c := srv.Client(append([]asset.Option{asset.WithHTTPClient(hc)}, tt.clientOpts...)...)
			in := bulkInput("C", tt.n)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			created, err := c.Invoices.CreateMany(ctx, bulkBiz, in, tt.callOpts...)
			require.NoError(t, err)
			requireAccounted(t, in, created, err)
			assert.Equal(t, int32(tt.peak), counter.peak.Load(), "requests in flight at once")
		})
	}
}

func TestCreateManyChecksTheWholeInputFirst(t *testing.T) {
	t.Parallel()
	withInput := func(n int, change func([]asset.InvoiceCreate)) []asset.InvoiceCreate {
		in := bulkInput("V", n)
		change(in)
		return in
	}
	var resp asset.Response
	tests := []struct {
		name     string
		ctx      context.Context
		biz      string
		invoices []asset.InvoiceCreate
		opts     []asset.Option
		field    string
	}{
		{"a number used in an earlier batch", context.Background(), bulkBiz,
			withInput(250, func(in []asset.InvoiceCreate) { in[150].Number = in[3].Number }), nil, "invoices[150].number"},
		{"a negative amount in the last batch", context.Background(), bulkBiz,
			withInput(250, func(in []asset.InvoiceCreate) { in[230].Lines[0].Amount = asset.MustDecimal("-1") }), nil, "invoices[230].lines[0].amount"},
		{"no number", context.Background(), bulkBiz,
			withInput(250, func(in []asset.InvoiceCreate) { in[199].Number = "" }), nil, "invoices[199].number"},
		{"no business", context.Background(), "", bulkInput("V", 3), nil, "businessID"},
		{"a nil context", nil, bulkBiz, bulkInput("V", 3), nil, "ctx"},
		{"zero goroutines", context.Background(), bulkBiz, bulkInput("V", 3), []asset.Option{asset.WithConcurrency(0)}, "WithConcurrency"},
		{"a nil progress function", context.Background(), bulkBiz, bulkInput("V", 3), []asset.Option{asset.WithProgress(nil)}, "WithProgress"},
		{"one response for many requests", context.Background(), bulkBiz, bulkInput("V", 3), []asset.Option{asset.WithResponseInto(&resp)}, "WithResponseInto"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := assettest.NewServer(assettest.WithoutRateLimit())
			defer srv.Close()
			created, err := srv.Client().Invoices.CreateMany(tt.ctx, tt.biz, tt.invoices, tt.opts...)
			var inputErr *asset.InputError
			require.ErrorAs(t, err, &inputErr)
			assert.Equal(t, tt.field, inputErr.Field, "%v", err)
			assert.ErrorIs(t, err, asset.ErrValidation)
			assert.Nil(t, created)
			assert.Zero(t, srv.Requests(assettest.RouteCreateInvoices), "nothing is sent")
		})
	}
}

func TestCreateManyOfNothingSendsNothing(t *testing.T) {
	t.Parallel()
	srv := assettest.NewServer(assettest.WithoutRateLimit())
	defer srv.Close()
	var progress progressLog
	created, err := srv.Client().Invoices.CreateMany(context.Background(), bulkBiz, nil, asset.WithProgress(progress.record))
	require.NoError(t, err)
	assert.Empty(t, created)
	assert.Zero(t, srv.Requests(assettest.RouteCreateInvoices))
	assert.Empty(t, progress.calls)
}

func TestProgressBelongsToACall(t *testing.T) {
	t.Parallel()
	_, err := asset.NewClient(asset.WithToken("tok"), asset.WithProgress(func(asset.Progress) {}))
	var inputErr *asset.InputError
	require.ErrorAs(t, err, &inputErr)
	assert.Equal(t, "WithProgress", inputErr.Field)
}

// Invoices the server refuses one by one are failures of their own, with
// their index in the whole input; the rest of their batch is created.
func TestCreateManyReportsRefusedInvoicesByIndex(t *testing.T) {
	t.Parallel()
	srv := assettest.NewServer(assettest.WithoutRateLimit())
	defer srv.Close()
	c := srv.Client()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	in := bulkInput("R", 250)
	_, err := c.Invoices.Create(ctx, bulkBiz, []asset.InvoiceCreate{in[7], in[180]})
	require.NoError(t, err)

	var progress progressLog
	created, err := c.Invoices.CreateMany(ctx, bulkBiz, in, asset.WithProgress(progress.record))
	failures := requireAccounted(t, in, created, err)
	require.Len(t, failures, 2)
	for i, want := range []int{7, 180} {
		f := failures[i]
		assert.Equal(t, want, f.Index)
		assert.Equal(t, in[want].Number, f.Number)
		assert.Contains(t, f.Message, "already exists")
		assert.NoError(t, f.Err, "the server refused this invoice alone")
	}
	assert.NotErrorIs(t, err, asset.ErrOutcomeUnknown)
	requireOnServerOnce(t, srv, 250)
	assert.Equal(t, 1+3, srv.Requests(assettest.RouteCreateInvoices), "the setup's, and one per batch")
	progress.requireConsistent(t, 250, 248, 2)
}

// A batch whose outcome is unknown is settled: it is sent again, and what
// the server then refuses is looked up by number, those found returned as
// created with their ids. Nothing is created twice, and nothing is left
// unknown that a lookup could tell.
func TestCreateManySettlesABatchWhoseOutcomeIsUnknown(t *testing.T) {
	t.Parallel()
	const n = 250 // three batches, sent one at a time
	tests := []struct {
		name           string
		faults         func(*assettest.Server)
		creates, lists int // requests to each route
		failed         int // invoices surely not created
	}{
		{"dropped after it was applied", func(s *assettest.Server) {
			s.DropNext(assettest.RouteCreateInvoices, 1, assettest.DropAfterApply)
		}, 4, 1, 0},
		{"an unreadable success", func(s *assettest.Server) {
			s.MalformedNext(assettest.RouteCreateInvoices, 1)
		}, 4, 1, 0},
		{"a 503 that applied nothing", func(s *assettest.Server) {
			s.FailNext(assettest.RouteCreateInvoices, 1, http.StatusServiceUnavailable)
		}, 4, 0, 0},
		{"dropped before it was applied", func(s *assettest.Server) {
			s.DropNext(assettest.RouteCreateInvoices, 1, assettest.DropBeforeApply)
		}, 4, 0, 0},
		{"two answers lost", func(s *assettest.Server) {
			s.DropNext(assettest.RouteCreateInvoices, 2, assettest.DropAfterApply)
		}, 5, 1, 0},
		{"lost, then a 503 to the resend", func(s *assettest.Server) {
			s.DropNext(assettest.RouteCreateInvoices, 1, assettest.DropAfterApply)
			s.FailNext(assettest.RouteCreateInvoices, 1, http.StatusServiceUnavailable)
		}, 5, 1, 0},
		{"a 503, then a 503 to the resend", func(s *assettest.Server) {
			s.FailNext(assettest.RouteCreateInvoices, 2, http.StatusServiceUnavailable)
		}, 5, 0, 0},
		{"a 503, then a 422 to the resend", func(s *assettest.Server) {
			s.FailNext(assettest.RouteCreateInvoices, 1, http.StatusServiceUnavailable)
			s.FailNext(assettest.RouteCreateInvoices, 1, http.StatusUnprocessableEntity)
		}, 4, 1, 100},
		{"lost every time", func(s *assettest.Server) {
			s.DropNext(assettest.RouteCreateInvoices, 4, assettest.DropBeforeApply)
		}, 6, 1, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := assettest.NewServer(assettest.WithoutRateLimit())
			defer srv.Close()
			tt.faults(srv)
			in := bulkInput("U", n)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var progress progressLog
			created, err := srv.Client().Invoices.CreateMany(ctx, bulkBiz, in,
				asset.WithConcurrency(1), asset.WithProgress(progress.record))
			failures := requireAccounted(t, in, created, err)
			on := requireOnServerOnce(t, srv, n-tt.failed)
			for _, inv := range created {
				require.True(t, on[inv.Number], "%s returned as created, with id %s", inv.Number, inv.ID)
			}
			assert.Equal(t, tt.creates, srv.Requests(assettest.RouteCreateInvoices), "creates")
			assert.Equal(t, tt.lists, srv.Requests(assettest.RouteListInvoices), "lookups")
			require.Len(t, failures, tt.failed)
			for _, f := range failures {
				assert.NotErrorIs(t, f.Err, asset.ErrOutcomeUnknown, "a lookup settled %s: it was not created", f.Number)
				assert.False(t, on[f.Number])
			}
			assert.NotErrorIs(t, err, asset.ErrOutcomeUnknown)
			progress.requireConsistent(t, n, n-tt.failed, tt.failed)
		})
	}
}

// A batch refused as a whole is not sent again: each of its invoices is a
// failure carrying the refusal, which the caller can match.
func TestCreateManyReportsARefusedBatchPerInvoice(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		opts   []asset.Option
		is     error
	}{
		{"422", http.StatusUnprocessableEntity, nil, asset.ErrValidation},
		{"403", http.StatusForbidden, nil, asset.ErrForbidden},
		{"429 after the retries", http.StatusTooManyRequests, []asset.Option{asset.WithMaxRetries(0)}, asset.ErrRateLimited},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := assettest.NewServer(assettest.WithoutRateLimit())
			defer srv.Close()
			srv.FailNext(assettest.RouteCreateInvoices, 1, tt.status)
			in := bulkInput("F", 250)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			created, err := srv.Client(tt.opts...).Invoices.CreateMany(ctx, bulkBiz, in, asset.WithConcurrency(1))
			failures := requireAccounted(t, in, created, err)
			require.Len(t, failures, 100)
			for i, f := range failures {
				assert.Equal(t, i, f.Index)
				var apiErr *asset.APIError
				require.ErrorAs(t, f.Err, &apiErr)
				assert.Equal(t, tt.status, apiErr.StatusCode)
				assert.ErrorIs(t, f.Err, tt.is)
				assert.NotErrorIs(t, f.Err, asset.ErrOutcomeUnknown)
			}
			assert.ErrorIs(t, err, tt.is)
			assert.NotErrorIs(t, err, asset.ErrOutcomeUnknown)
			assert.Equal(t, 3, srv.Requests(assettest.RouteCreateInvoices), "not sent again")
			requireOnServerOnce(t, srv, 150)
		})
	}
}

// Cancelling stops the sending: what was never sent is a failure matching
// the context's error, and not ErrOutcomeUnknown, for it surely was not
// created.
func TestCreateManyStopsWhenCancelled(t *testing.T) {
	t.Parallel()
	srv := assettest.NewServer(assettest.WithoutRateLimit())
	defer srv.Close()
	in := bulkInput("X", 500)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var progress progressLog
	created, err := srv.Client().Invoices.CreateMany(ctx, bulkBiz, in, asset.WithConcurrency(1),
		asset.WithProgress(func(p asset.Progress) {
			progress.record(p)
			cancel() // after the first batch
		}))
	failures := requireAccounted(t, in, created, err)
	require.Len(t, created, 100)
	require.Len(t, failures, 400)
	for _, f := range failures {
		assert.ErrorIs(t, f.Err, context.Canceled)
		assert.NotErrorIs(t, f.Err, asset.ErrOutcomeUnknown)
		assert.Contains(t, f.Message, "not sent")
	}
	assert.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, asset.ErrOutcomeUnknown)
	assert.Equal(t, 1, srv.Requests(assettest.RouteCreateInvoices))
	requireOnServerOnce(t, srv, 100)
	progress.requireConsistent(t, 500, 100, 400)
}

// Many goroutines report progress; the calls still come one at a time.
func TestCreateManyProgressIsSerial(t *testing.T) {
	t.Parallel()
	srv := assettest.NewServer(assettest.WithoutRateLimit())
	defer srv.Close()
	in := bulkInput("P", 2000)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var progress progressLog
	created, err := srv.Client().Invoices.CreateMany(ctx, bulkBiz, in, asset.WithConcurrency(8),
		asset.WithProgress(func(p asset.Progress) {
			progress.record(p)
			time.Sleep(time.Millisecond) // widen the window for an overlap
		}))
	require.NoError(t, err)
	requireAccounted(t, in, created, err)
	progress.requireConsistent(t, 2000, 2000, 0)
	assert.Len(t, progress.calls, 20)
}

func TestBatchErrorMatchesWhatAFailureMatches(t *testing.T) {
	t.Parallel()
	lost := &asset.NetworkError{Method: "POST", Path: "/x", MayHaveApplied: true, Err: errors.New("connection reset")}
	tests := []struct {
		name     string
		errs     []error
		unknown  bool
		canceled bool
	}{
		{"refused one by one", []error{nil, nil}, false, false},
		{"one lost", []error{nil, lost}, true, false},
		{"one not sent", []error{context.Canceled, nil}, false, true},
		{"both", []error{lost, context.Canceled}, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &asset.BatchError{}
			for i, err := range tt.errs {
				e.Failures = append(e.Failures, asset.BatchFailure{Number: "N", Index: i, Message: "m", Err: err})
			}
			assert.Equal(t, tt.unknown, errors.Is(e, asset.ErrOutcomeUnknown))
			assert.Equal(t, tt.canceled, errors.Is(e, context.Canceled))
			assert.False(t, errors.Is(e, asset.ErrValidation))
		})
	}
}
