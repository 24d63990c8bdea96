// Package clientopt is the option plumbing the asset and katsupay clients
// share: the settings both have, and the checks of the options that set
// them. Each client keeps its own Option type and documents its options.
package clientopt

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/assetkit/asset-go/internal/errs"
	"github.com/assetkit/asset-go/internal/httpcore"
)

// Common is what the options of both clients write alike.
type Common struct {
	// Client names the client in the errors of its options; "" is package
	// asset.
	Client     string
	HTTPClient *http.Client
	Logger     *slog.Logger
	Policy     httpcore.Policy
}

// New starts the settings of client from the defaults.
func New(client string) Common {
	return Common{Client: client, Policy: httpcore.DefaultPolicy}
}

// SetHTTPClient is WithHTTPClient.
func (c *Common) SetHTTPClient(hc *http.Client) error {
	if hc == nil {
		return errs.Input(c.Client, "WithHTTPClient", "nil *http.Client")
	}
	c.HTTPClient = hc
	return nil
}

// SetMaxRetries is WithMaxRetries.
func (c *Common) SetMaxRetries(n int) error {
	if n < 0 || n > 100 {
		return errs.Input(c.Client, "WithMaxRetries", fmt.Sprintf("%d is outside 0..100", n))
	}
	c.Policy.MaxRetries = n
	return nil
}

// SetRetryWait is WithRetryWait.
func (c *Common) SetRetryWait(min, max time.Duration) error {
	if min < 0 || max < min {
		return errs.Input(c.Client, "WithRetryWait", fmt.Sprintf("need 0 <= min <= max, got %s and %s", min, max))
	}
	c.Policy.WaitMin, c.Policy.WaitMax = min, max
	return nil
}

// SetAttemptTimeout is WithAttemptTimeout.
func (c *Common) SetAttemptTimeout(d time.Duration) error {
	if d < 0 {
		return errs.Input(c.Client, "WithAttemptTimeout", "negative duration")
	}
	c.Policy.AttemptTimeout = d
	return nil
}
