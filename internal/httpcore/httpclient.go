package httpcore

import "net/http"

// NewHTTPClient is the *http.Client a client uses when it is given none. It
// pools enough connections for many goroutines sharing one client, and does
// not follow redirects: a redirected POST would silently become a GET, and
// credentials must not follow a request to another host.
func NewHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 32
	return &http.Client{
		Transport: t,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}
