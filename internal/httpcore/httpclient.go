package httpcore

import "net/http"

// NewHTTPClient is the *http.Client a client uses when it is given none: its
// own transport, pooling enough connections for many goroutines sharing one
// client. (Redirects are refused for every client; see keepIdle.)
func NewHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 32
	return &http.Client{Transport: t}
}
