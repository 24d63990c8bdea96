package katsupay

import (
	"log/slog"
	"strconv"
)

// String names the deployment and which credentials the client sends, never
// the credentials themselves, so that a client printed with %v or %+v does
// not put a token or a service key in a log. The methods take a Client
// value so that printing *client is covered too.
func (c Client) String() string {
	return "katsupay.Client{BaseURL:" + strconv.Quote(c.baseURL) + " Auth:" + strconv.Quote(c.authDescription()) + "}"
}

// GoString is String, for %#v, which would otherwise print every field.
func (c Client) GoString() string { return c.String() }

// LogValue is what slog logs for a client: the deployment and the kind of
// credentials, never the credentials.
func (c Client) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("base_url", c.baseURL),
		slog.String("auth", c.authDescription()),
	)
}

func (c Client) authDescription() string {
	token, key := c.header.Get("Authorization") != "", c.header.Get("service-api-key") != ""
	switch {
	case token && key:
		return "bearer token and service key"
	case token:
		return "bearer token"
	case key:
		return "service key"
	}
	return "none"
}
