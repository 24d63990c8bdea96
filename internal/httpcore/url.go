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
	// Messages show the URL without credentials or query; an opaque URL
	// ("user:secret@host" read as scheme "user") is not shown at all.
	shown := RedactQuery(u.Redacted())
	if u.Opaque != "" {
		shown = u.Scheme + ":…"
	}
	switch {
	case u.Host == "":
		return nil, fmt.Errorf("base URL %q has no host", shown)
	case u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		return nil, fmt.Errorf("base URL %q must not carry credentials, a query or a fragment", shown)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !IsLoopback(u.Hostname()) {
			return nil, fmt.Errorf("base URL %q is not https: credentials would travel in clear text (plain http is allowed only on loopback)", shown)
		}
	default:
		return nil, fmt.Errorf("base URL %q: scheme must be https", shown)
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
