package asset

import (
	"net/http"
	"time"

	"github.com/assetkit/asset-go/internal/clientopt"
)

// settings is what options write. A call starts from a copy of its client's.
type settings struct {
	perCall bool
	baseURL string
	userID  string
	clientopt.Common
	header       http.Header // copied on write: shared with the client's
	responseInto *Response
	auth         authenticator
	credentials  *ClientCredentials
	maxBody      int64
	limit        limitChoice
	prefetch     int // pages All fetches ahead of the loop
	concurrency  int // batches CreateMany sends at once; 0: the default
	progress     func(Progress)
	// dueStart and dueEnd narrow the lookup by number's walk; zero is open.
	dueStart, dueEnd time.Time
	drainTimeout     time.Duration // CreateMany's wait for batches in flight after a cancel
	middleware       []Middleware  // the client's first
	hooks            hookList      // the client's first
	// scoped are the options given to this call that only some calls
	// use; a call that does not take one refuses it.
	scoped scopedOptions
}

// scopedOptions is a set of the options that only some calls use.
type scopedOptions uint8

const (
	scopedPrefetch    scopedOptions = 1 << iota // All
	scopedConcurrency                           // CreateMany
	scopedProgress                              // CreateMany
	scopedDrain                                 // CreateMany
	scopedDueWindow                             // Invoices.FindByNumbers
)

// bulkOptions are the options CreateMany takes.
const bulkOptions = scopedConcurrency | scopedProgress | scopedDrain

// defaultMaxBody bounds a success response; a full page of 100 invoices is
// a few hundred KiB.
const defaultMaxBody = 32 << 20

// The API's hosts.
const (
	ProductionURL = "https://api.getasset.com"
	SandboxURL    = "https://api.sandbox.getasset.com"
)

func defaultSettings() settings {
	return settings{Common: clientopt.New(""), baseURL: ProductionURL, maxBody: defaultMaxBody, prefetch: 1}
}
