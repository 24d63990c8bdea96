package assettest

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/assetkit/asset-go"
)

// AdminPrefix is where the admin API is served: the test controls (seeding,
// faults, counters) over HTTP, for tests in other processes and other
// languages. No route of the Asset API starts with it. Its requests need
// the server's own Token, are never rate limited, faulted or counted, and
// are answered in JSON; see the package documentation for the routes.
const AdminPrefix = "/_assettest/"

// adminFault is the body of POST /_assettest/faults.
type adminFault struct {
	Route string `json:"route"`
	// Fault is drop-before-apply, drop-after-apply, status, malformed or
	// delay.
	Fault string `json:"fault"`
	Count int    `json:"count"`
	// For status: the status, and optionally the body (a JSON value sent
	// as that JSON, or text sent as is), Retry-After and other headers.
	Status     int               `json:"status,omitempty"`
	Body       json.RawMessage   `json:"body,omitempty"`
	Text       *string           `json:"text,omitempty"`
	RetryAfter *int              `json:"retry_after,omitempty"`
	Headers    map[string]string `json:"headers,omitempty"`
	// For delay: how long, as Go writes durations ("1.5s").
	Delay string `json:"delay,omitempty"`
}

// adminStats is RouteStats as the admin API sends it.
type adminStats struct {
	Requests    int `json:"requests"`
	Applied     int `json:"applied"`
	Served      int `json:"served"`
	RateLimited int `json:"rate_limited"`
	Faulted     int `json:"faulted"`
}

// admin serves the admin API.
func (s *Server) admin(w http.ResponseWriter, r *http.Request) {
	res := s.adminAnswer(r)
	s.write(w, limitState{}, res)
}

func (s *Server) adminAnswer(r *http.Request) response {
	scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "bearer") || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(tok)), []byte(s.token)) != 1 {
		res := detail(http.StatusUnauthorized, "The admin API needs the server's own token")
		res.header = http.Header{"Www-Authenticate": {"Bearer"}}
		return res
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, 1<<20))
	if err != nil {
		return detail(http.StatusBadRequest, "Cannot read the body: "+err.Error())
	}
	path := strings.Split(strings.TrimPrefix(r.URL.Path, AdminPrefix), "/")
	switch {
	case len(path) == 3 && path[0] == "businesses":
		if r.Method != http.MethodPost {
			return notAllowed(http.MethodPost)
		}
		return s.adminSeed(path[1], path[2], body)
	case len(path) == 1 && path[0] == "faults":
		switch r.Method {
		case http.MethodPost:
			return s.adminInject(body)
		case http.MethodDelete:
			s.ClearFaults()
			return response{status: http.StatusNoContent}
		}
		return notAllowed(http.MethodPost, http.MethodDelete)
	case len(path) == 1 && path[0] == "stats":
		switch r.Method {
		case http.MethodGet:
			out := map[Route]adminStats{}
			for _, e := range endpoints {
				st := s.Stats(e.route)
				out[e.route] = adminStats(st)
			}
			return jsonResponse(http.StatusOK, out)
		case http.MethodDelete:
			s.ResetStats()
			return response{status: http.StatusNoContent}
		}
		return notAllowed(http.MethodGet, http.MethodDelete)
	case len(path) == 1 && path[0] == "latency":
		if r.Method != http.MethodPut {
			return notAllowed(http.MethodPut)
		}
		var in struct {
			Latency string `json:"latency"`
		}
		d, err := time.Duration(0), strictJSON(body, &in)
		if err == nil {
			d, err = time.ParseDuration(in.Latency)
		}
		if err != nil || d < 0 {
			return detail(http.StatusUnprocessableEntity, `Give {"latency": "200ms"}, a duration of zero or more`)
		}
		s.SetLatency(d)
		return response{status: http.StatusNoContent}
	case len(path) == 1 && path[0] == "reset":
		if r.Method != http.MethodPost {
			return notAllowed(http.MethodPost)
		}
		s.ClearFaults()
		s.ResetStats()
		s.SetLatency(0)
		return response{status: http.StatusNoContent}
	}
	return detail(http.StatusNotFound, "Not Found")
}

func notAllowed(methods ...string) response {
	res := detail(http.StatusMethodNotAllowed, "Method Not Allowed")
	res.header = http.Header{"Allow": {strings.Join(methods, ", ")}}
	return res
}

// strictJSON decodes body into v, refusing fields v does not have: a
// misspelt field of a seed or a fault must not be silently ignored.
func strictJSON(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// adminSeed is POST /_assettest/businesses/{business_id}/{what}: the test
// controls AddTransaction, AddCredit and AddTagField, journaled as they are.
func (s *Server) adminSeed(biz, what string, body []byte) response {
	var in struct {
		Amount     asset.Decimal `json:"amount"`
		CustomerID string        `json:"customer_id"`
		Name       string        `json:"name"`
	}
	if err := strictJSON(body, &in); err != nil {
		return detail(http.StatusUnprocessableEntity, "The body is not the JSON object this route takes: "+err.Error())
	}
	e := &entry{Business: biz, Customer: in.CustomerID, Name: in.Name}
	if in.Amount.IsSet() {
		e.Amount = in.Amount.String()
	}
	switch what {
	case "transactions":
		e.Op = opAddTransaction
	case "credit":
		e.Op = opAddCredit
	case "tag-fields":
		e.Op = opAddTagField
	default:
		return detail(http.StatusNotFound, "Not Found")
	}
	_, out := s.runControl(e)
	return out
}

// adminInject is POST /_assettest/faults.
func (s *Server) adminInject(body []byte) response {
	var in adminFault
	if err := strictJSON(body, &in); err != nil {
		return detail(http.StatusUnprocessableEntity, "The body is not a fault: "+err.Error())
	}
	route := Route(in.Route)
	if !route.valid() {
		return detail(http.StatusUnprocessableEntity, "Unknown route "+strconv.Quote(in.Route)+`: give one as GET /_assettest/stats lists them, e.g. "POST /v0/business/{business_id}/invoice"`)
	}
	if in.Count == 0 {
		in.Count = 1
	}
	if in.Count < 0 {
		return detail(http.StatusUnprocessableEntity, "count must be positive")
	}
	switch in.Fault {
	case "drop-before-apply":
		s.DropNext(route, in.Count, DropBeforeApply)
	case "drop-after-apply":
		s.DropNext(route, in.Count, DropAfterApply)
	case "malformed":
		s.MalformedNext(route, in.Count)
	case "delay":
		d, err := time.ParseDuration(in.Delay)
		if err != nil || d <= 0 {
			return detail(http.StatusUnprocessableEntity, `delay must be a positive duration, e.g. "1.5s"`)
		}
		s.DelayNext(route, in.Count, d)
	case "status":
		f, bad := in.failure()
		if bad != nil {
			return *bad
		}
		s.FailNextWith(route, in.Count, f)
	default:
		return detail(http.StatusUnprocessableEntity, "fault must be one of drop-before-apply, drop-after-apply, status, malformed, delay")
	}
	return jsonResponse(http.StatusCreated, in)
}

// failure is the Failure a status fault sends.
func (in *adminFault) failure() (Failure, *response) {
	refuse := func(msg string) (Failure, *response) {
		res := detail(http.StatusUnprocessableEntity, msg)
		return Failure{}, &res
	}
	if in.Status < 200 || in.Status > 599 {
		return refuse(fmt.Sprintf("status must be 200 to 599, got %d", in.Status))
	}
	f := Failure{Status: in.Status}
	switch {
	case in.Text != nil && in.Body != nil:
		return refuse("give body or text, not both")
	case in.Text != nil:
		f.Body = []byte(*in.Text)
	case in.Body != nil:
		f.Body = in.Body
	}
	if in.RetryAfter != nil || in.Headers != nil {
		f.Header = http.Header{}
		for k, v := range in.Headers {
			f.Header.Set(k, v)
		}
		if in.RetryAfter != nil {
			if *in.RetryAfter < 0 {
				return refuse("retry_after must be zero or more seconds")
			}
			f.Header.Set("Retry-After", strconv.Itoa(*in.RetryAfter))
		}
	}
	return f, nil
}
