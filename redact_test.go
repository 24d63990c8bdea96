package asset

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// quotings are the ways a server, a framework or a proxy writes back a
// value it received: form- and path-escaped (in either case of hex, and
// escaped twice), JSON-escaped by different encoders, HTML-escaped.
var quotings = map[string]func(string) string{
	"verbatim":              func(s string) string { return s },
	"form escaped":          url.QueryEscape,
	"form escaped, lower":   func(s string) string { return lowerHex(url.QueryEscape(s)) },
	"path escaped":          url.PathEscape,
	"form escaped twice":    func(s string) string { return url.QueryEscape(url.QueryEscape(s)) },
	"json":                  jsonInner,
	"json, slash escaped":   func(s string) string { return strings.ReplaceAll(jsonInner(s), "/", `\/`) },
	"json, all \\u escaped": func(s string) string { return unicodeEscapeAll(s, "%04x") },
	"json, upper \\u":       func(s string) string { return unicodeEscapeAll(s, "%04X") },
	"html":                  html.EscapeString,
	"html, numeric":         func(s string) string { return entityEscapeAll(s) },
}

var percentHex = regexp.MustCompile(`%[0-9A-F]{2}`)

func lowerHex(s string) string { return percentHex.ReplaceAllStringFunc(s, strings.ToLower) }

// jsonInner is s as encoding/json writes it, without the quotes.
func jsonInner(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

func unicodeEscapeAll(s, format string) string {
	var b strings.Builder
	for _, u := range utf16.Encode([]rune(s)) {
		b.WriteString(`\u` + fmt.Sprintf(format, u))
	}
	return b.String()
}

func entityEscapeAll(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i%2 == 0 {
			fmt.Fprintf(&b, "&#%d;", r)
		} else {
			fmt.Fprintf(&b, "&#x%x;", r)
		}
	}
	return b.String()
}

// The client secret and the access token hold the characters that every
// encoding escapes differently.
const (
	echoedSecret = "cs/very+secret value&x=1<é😀>"
	echoedToken  = "tok/abc+def=="
)

// A server that quotes the credentials back, in any encoding, into an error
// body: the error's text and its Body hold none of them.
func TestEchoedCredentialsRedactedInEveryEncoding(t *testing.T) {
	t.Parallel()
	for name, quote := range quotings {
		for _, secret := range []string{echoedSecret, echoedToken} {
			q := quote(secret)
			t.Run(name+" "+secret, func(t *testing.T) {
				bodies := map[string]string{
					// JSON escapes are only valid JSON inside a JSON string.
					"json": `{"detail": "refused: ` + strings.ReplaceAll(q, `"`, `\"`) + `"}`,
					"text": "refused: " + q,
				}
				if strings.Contains(q, `\`) {
					bodies["json"] = `{"detail": "refused: ` + q + `"}`
				}
				for kind, body := range bodies {
					if secret == echoedSecret {
						a := newAuthFake(t)
						a.token = func(int) (int, string) { return 401, body }
						c := a.client(t, WithClientCredentials(ClientCredentials{ClientID: testClientID, ClientSecret: echoedSecret}))
						err := getCall.call(context.Background(), c)
						assertRedacted(t, kind+" token endpoint", err, secret, q)
						continue
					}
					srv := newRecServer(t, func(w http.ResponseWriter, _ *http.Request, _ int) { replyJSON(w, 400, body) })
					err := getCall.call(context.Background(), srv.client(t, WithToken(echoedToken)))
					assertRedacted(t, kind+" API", err, secret, q)

					// The same in a success body that does not decode.
					srv = newRecServer(t, func(w http.ResponseWriter, _ *http.Request, _ int) { replyJSON(w, 200, "<p>"+body) })
					err = getCall.call(context.Background(), srv.client(t, WithToken(echoedToken)))
					assertRedacted(t, kind+" unreadable success", err, secret, q)
				}
			})
		}
	}
}

func assertRedacted(t *testing.T, where string, err error, secret, quoted string) {
	t.Helper()
	require.Error(t, err, where)
	body := errorBody(t, where, err)
	for _, s := range []string{secret, quoted} {
		assert.NotContains(t, err.Error(), s, where+": the error text")
		assert.NotContains(t, string(body), s, where+": the Body")
	}
	assert.Contains(t, string(body), redacted, where+": the Body still says where the credential was")
}

// The token endpoint's success body is a fresh access token: when it does
// not decode, none of it is kept.
func TestUnreadableTokenResponseKeepsNoToken(t *testing.T) {
	t.Parallel()
	const fresh = "fresh_tok_55a1"
	bodies := []string{
		`access_token=` + fresh + `&token_type=bearer&expires_in=3600`,
		`{"access_token": "` + fresh + `", "expires_in": "soon"}`,
		`{"access_token": "` + fresh + `", "token_type": "Bearer"`,
		`<html>` + fresh + `</html>`,
	}
	for _, body := range bodies {
		t.Run(body, func(t *testing.T) {
			a := newAuthFake(t)
			a.token = func(int) (int, string) { return 200, body }
			err := getCall.call(context.Background(), a.client(t))
			var decErr *DecodeError
			require.ErrorAs(t, err, &decErr)
			assert.ErrorIs(t, err, ErrInvalidReply)
			assert.NotContains(t, string(decErr.Body), fresh)
			assert.NotContains(t, err.Error(), fresh)
			assert.Equal(t, 200, decErr.StatusCode, "what can be said without the body is kept")
		})
	}
}

// A body is kept up to 64 KiB: a credential quoted across that cut must not
// leave its first characters behind, in an error answer or in a success
// that does not decode.
func TestCredentialAcrossTheBodyCutIsRedacted(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusBadRequest, http.StatusOK} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(status)
				// The token starts 6 bytes before the cut.
				_, _ = w.Write([]byte(strings.Repeat("x", maxErrorBody-6) + testToken + strings.Repeat("y", 100)))
			}))
			defer srv.Close()
			c, err := NewClient(WithToken(testToken), WithBaseURL(srv.URL), WithMaxRetries(0))
			require.NoError(t, err)
			_, err = c.Invoices.Get(context.Background(), testBiz, testInv)
			require.Error(t, err)
			body := errorBody(t, "", err)
			assert.LessOrEqual(t, len(body), maxErrorBody, "at most 64 KiB is kept")
			assert.NotContains(t, string(body[maxErrorBody-100:]), testToken[:6], "the credential's first characters")
			assert.NotContains(t, err.Error(), testToken[:6])
		})
	}
}

// errorBody is the Body of err, an *APIError or a *DecodeError.
func errorBody(t *testing.T, where string, err error) []byte {
	t.Helper()
	var apiErr *APIError
	var decErr *DecodeError
	switch {
	case errors.As(err, &apiErr):
		return apiErr.Body
	case errors.As(err, &decErr):
		return decErr.Body
	}
	t.Fatalf("%s: %v is neither an *APIError nor a *DecodeError", where, err)
	return nil
}
