package assettest

import (
	"crypto/subtle"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// issuedToken is an access token handed out by POST /v0/auth/token.
type issuedToken struct {
	business string // "" when the token is good for every business
	expires  time.Time
}

// defaultTokenLifetime is the documented expires_in default.
const defaultTokenLifetime = 3600

// authenticate checks the bearer token: the server's own, or one the token
// endpoint issued and that has neither expired nor been revoked. A token
// issued for one business is refused (403) on another's routes.
func (s *Server) authenticate(c *call) *response {
	scheme, tok, _ := strings.Cut(c.r.Header.Get("Authorization"), " ")
	tok = strings.TrimSpace(tok)
	if !strings.EqualFold(scheme, "bearer") || tok == "" {
		res := detail(http.StatusUnauthorized, "Not authenticated")
		res.header = http.Header{"Www-Authenticate": {"Bearer"}}
		return &res
	}
	if subtle.ConstantTimeCompare([]byte(tok), []byte(s.token)) == 1 {
		return nil
	}
	s.mu.Lock()
	it, ok := s.issued[tok]
	s.mu.Unlock()
	if !ok || !s.now().Before(it.expires) {
		res := detail(http.StatusUnauthorized, "Invalid or expired token")
		res.header = http.Header{"Www-Authenticate": {`Bearer error="invalid_token"`}}
		return &res
	}
	if it.business != "" && it.business != c.business {
		res := detail(http.StatusForbidden, "This token is not valid for business "+c.business)
		return &res
	}
	return nil
}

// issueToken is POST /v0/auth/token: the client credentials grant, with the
// form fields the API documents. scope and resource are accepted and not
// enforced.
func (s *Server) issueToken(c *call) response {
	form := url.Values{}
	if mt, _, _ := mime.ParseMediaType(c.r.Header.Get("Content-Type")); mt == "application/x-www-form-urlencoded" {
		var err error
		if form, err = url.ParseQuery(string(c.body)); err != nil {
			return detail(http.StatusBadRequest, "There was an error parsing the body")
		}
	}
	var v validator
	loc := []any{"body"}
	field := func(key string, required bool) string {
		if !form.Has(key) {
			if required {
				v.fail(at(loc, key), "missing", "Field required")
			}
			return ""
		}
		return form.Get(key)
	}
	if gt := field("grant_type", true); form.Has("grant_type") && gt != "client_credentials" {
		v.fail(at(loc, "grant_type"), "literal_error", "Input should be 'client_credentials'")
	}
	id, secret := field("client_id", true), field("client_secret", true)
	biz := field("business_id", false)
	if biz != "" && !prefixed(biz, "biz_") {
		v.fail(at(loc, "business_id"), "value_error", "Value error, business_id must look like biz_...")
	}
	lifetime := defaultTokenLifetime
	if raw := field("expires_in", false); raw != "" {
		n, err := strconv.Atoi(raw)
		switch {
		case err != nil:
			v.fail(at(loc, "expires_in"), "int_parsing", "Input should be a valid integer, unable to parse string as an integer")
		case n <= 0:
			v.fail(at(loc, "expires_in"), "greater_than", "Input should be greater than 0")
		default:
			lifetime = n
		}
	}
	if !v.ok() {
		return *invalid(v.errs...)
	}
	idOK := subtle.ConstantTimeCompare([]byte(id), []byte(s.clientID)) == 1
	secretOK := subtle.ConstantTimeCompare([]byte(secret), []byte(s.secret)) == 1
	if !idOK || !secretOK {
		return detail(http.StatusUnauthorized, "Invalid client credentials")
	}
	tok := "tok_" + randomText(32)
	s.mu.Lock()
	s.issued[tok] = issuedToken{business: biz, expires: s.now().Add(time.Duration(lifetime) * time.Second)}
	s.mu.Unlock()
	res := jsonResponse(http.StatusOK, struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
		TokenType   string `json:"token_type"`
	}{tok, lifetime, "Bearer"})
	res.header = http.Header{"Cache-Control": {"no-store"}}
	return res
}

// RevokeTokens makes every token the token endpoint issued invalid, as when
// they expire or are revoked, so that a client's renewal after a 401 can be
// tested. The server's own Token stays valid.
func (s *Server) RevokeTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.issued)
}
