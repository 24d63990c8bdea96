package asset

import (
	"log/slog"
	"strconv"
)

// String names the client's host and how it authenticates, never the
// credentials themselves, so that a client printed with %v or %+v does not
// put a token in a log. The methods take a Client value so that printing
// *client is covered too.
func (c Client) String() string {
	s := "asset.Client{BaseURL:" + strconv.Quote(c.settings.baseURL) + " Auth:" + strconv.Quote(c.authDescription())
	if c.settings.userID != "" {
		s += " UserID:" + strconv.Quote(c.settings.userID)
	}
	return s + "}"
}

// GoString is String, for %#v, which would otherwise print every field.
func (c Client) GoString() string { return c.String() }

// LogValue is what slog logs for a client: the host and the kind of
// credentials, never the credentials.
func (c Client) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.String("base_url", c.settings.baseURL),
		slog.String("auth", c.authDescription()),
	}
	if c.settings.userID != "" {
		attrs = append(attrs, slog.String("user_id", c.settings.userID))
	}
	return slog.GroupValue(attrs...)
}

// authDescription says how the client authenticates. The client ID is not
// a secret: it names the credentials to whoever reads the log.
func (c Client) authDescription() string {
	switch a := c.settings.auth.(type) {
	case staticToken:
		return "bearer token"
	case *tokenSourceAuth:
		return "token source"
	case *clientCredentialsAuth:
		return "client credentials for client ID " + a.clientID
	}
	return "none"
}
