package httpcore

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"runtime"
	"strings"
)

// CheckBaseURL parses raw and refuses anything but https, except plain http
// on a loopback host for local fakes and tests.
func CheckBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error quotes the input, which may hold credentials.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("base URL does not parse: %w", err)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("base URL %q has no host", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("base URL %q must not carry credentials, a query or a fragment", RedactQuery(u.Redacted()))
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !IsLoopback(u.Hostname()) {
			return nil, fmt.Errorf("base URL %q is not https: credentials would travel in clear text (plain http is allowed only on loopback)", raw)
		}
	default:
		return nil, fmt.Errorf("base URL %q: scheme must be https", raw)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	return u, nil
}

// IsLoopback reports whether host names this machine.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// UserAgent is "product/version (goX.Y.Z)".
func UserAgent(product, version string) string {
	return product + "/" + version + " (" + runtime.Version() + ")"
}
