package httpcore

import "net/http"

// NewHTTPClient is the *http.Client a client uses when it is given none: its
// own transport, pooling enough connections for many goroutines sharing one
// client. (Redirects are refused for every client; see NewSender.)
//
// When http.DefaultTransport has been replaced (gock's default mode, APM
// and tracing agents), the client sends through it as it is, at the time
// of each request: that is what whoever replaced it asked for.
func NewHTTPClient() *http.Client {
	dt, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return &http.Client{}
	}
	t := dt.Clone()
	t.MaxIdleConnsPerHost = 32
	return &http.Client{Transport: t}
}
