package httpcore

import (
	"regexp"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckBaseURL(t *testing.T) {
	cases := []struct {
		raw  string
		want string // "" when refused
	}{
		{"https://api.getasset.com", "https://api.getasset.com"},
		{"https://api.getasset.com/", "https://api.getasset.com"},
		{"https://proxy.example/asset///", "https://proxy.example/asset"},
		{"HTTPS://api.getasset.com", "https://api.getasset.com"},
		{"https://api.getasset.com:8443", "https://api.getasset.com:8443"},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"http://127.0.0.2", "http://127.0.0.2"},
		{"http://[::1]:9000", "http://[::1]:9000"},
		{"http://localhost", "http://localhost"},
		{"http://LocalHost:3000/", "http://LocalHost:3000"},

		// Credentials would cross the network in clear text.
		{"http://api.getasset.com", ""},
		{"http://10.0.0.1", ""},
		{"http://0.0.0.0:8080", ""},
		{"http://localhost.evil.example", ""},
		{"http://127.0.0.1.evil.example", ""},
		// Not a usable base.
		{"ftp://api.getasset.com", ""},
		{"ws://localhost", ""},
		{"api.getasset.com", ""},
		{"//api.getasset.com", ""},
		{"https://", ""},
		{"", ""},
		{"https://api.getasset.com?x=1", ""},
		{"https://api.getasset.com/#frag", ""},
		{"https://user:pw@api.getasset.com", ""},
		{"https://api.getasset.com/\x7f", ""},
		{"https://[::1", ""},
	}
	for _, tc := range cases {
		t.Run(tc.raw, func(t *testing.T) {
			u, err := CheckBaseURL(tc.raw)
			if tc.want == "" {
				require.Error(t, err)
				assert.Nil(t, u)
				assert.NotContains(t, err.Error(), "pw", "the error must not echo credentials")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, u.String())
		})
	}
}

func TestCheckBaseURLNeverEchoesCredentials(t *testing.T) {
	for _, raw := range []string{
		"https://user:hunter2@api.getasset.com",
		"https://user:hunter2@api.getasset.com:bad-port",
		"https://user:hunter2@api.getasset.com/%zz",
		"http://user:hunter2@api.getasset.com",
		"https://svc:hunter2@",
		"svc:hunter2@api.getasset.com",
		"ftp://svc:hunter2@api.getasset.com",
	} {
		_, err := CheckBaseURL(raw)
		require.Error(t, err, raw)
		assert.NotContains(t, err.Error(), "hunter2", raw)
	}
}

func TestIsLoopback(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "LOCALHOST": true, "127.0.0.1": true, "127.1.2.3": true, "::1": true,
		"::ffff:127.0.0.1": true,
		"":                 false, "0.0.0.0": false, "::": false, "10.1.1.1": false, "localhost.": false,
		"api.getasset.com": false, "localhost.example": false,
	} {
		assert.Equal(t, want, IsLoopback(host), host)
	}
}

func TestRedactQuery(t *testing.T) {
	cases := []struct{ in, want string }{
		{"https://api.example/v0/x", "https://api.example/v0/x"},
		{"https://api.example/v0/x?page_token=abc&status=open", "https://api.example/v0/x?…"},
		{`Get "https://api.example/v0/x?page_token=abc": EOF`, `Get "https://api.example/v0/x?…": EOF`},
		{"GET https://a.example/p?x=1 (status: 500)", "GET https://a.example/p?… (status: 500)"},
		{"a?x=1 and b?y=2", "a?… and b?…"},
		{"'https://h/p?q=1'", "'https://h/p?…'"},
		{"no query here", "no query here"},
		{"", ""},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, RedactQuery(tc.in), tc.in)
	}
}

func TestUserAgent(t *testing.T) {
	ua := UserAgent("asset-go", "1.2.3")
	assert.Equal(t, "asset-go/1.2.3 ("+runtime.Version()+")", ua)
	assert.Regexp(t, regexp.MustCompile(`^asset-go/1\.2\.3 \([^()]+\)$`), ua)
}
