package asset

import (
	"fmt"
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

// String shows the credentials with ClientSecret hidden.
func (c ClientCredentials) String() string {
	return fmt.Sprintf("asset.ClientCredentials{ClientID:%q ClientSecret:%q BusinessID:%q Scopes:%q Resources:%q}",
		c.ClientID, hidden(c.ClientSecret), c.BusinessID, c.Scopes, c.Resources)
}

// GoString is String, for %#v.
func (c ClientCredentials) GoString() string { return c.String() }

// LogValue is what slog logs for the credentials: ClientSecret hidden.
func (c ClientCredentials) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("client_id", c.ClientID),
		slog.String("client_secret", hidden(c.ClientSecret)),
		slog.String("business_id", c.BusinessID),
		slog.Any("scopes", c.Scopes),
		slog.Any("resources", c.Resources),
	)
}

// hidden stands in for a secret, saying only whether there is one.
func hidden(secret string) string {
	if secret == "" {
		return ""
	}
	return redacted
}
