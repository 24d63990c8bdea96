package assettest

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Route names one endpoint of the API, for fault injection and counters.
// Its value is the method and path pattern, which reads well in a failing
// test's output; the server routes requests by it.
type Route string

// The routes the server answers.
const (
	RouteToken          Route = "POST /v0/auth/token"
	RouteCreateInvoices Route = "POST /v0/business/{business_id}/invoice"
	RouteListInvoices   Route = "GET /v0/business/{business_id}/invoice"
	RouteGetInvoice     Route = "GET /v0/business/{business_id}/invoice/{invoice_id}"
	RouteUpdateInvoice  Route = "PATCH /v0/business/{business_id}/invoice/{invoice_id}"
	RouteWriteOff       Route = "POST /v0/business/{business_id}/invoice/{invoice_id}/write-off"
	RouteApplyPayment   Route = "POST /v0/business/{business_id}/invoice-payment"

	RouteCreateRefund       Route = "POST /v0/business/{business_id}/refund"
	RouteListInvoiceRefunds Route = "GET /v0/business/{business_id}/invoice/{invoice_id}/refunds"
	RouteListRefunds        Route = "GET /v0/business/{business_id}/refunds"
	RouteApplyRefundPayment Route = "POST /v0/business/{business_id}/refund-payment"

	RouteCreateCreditMemos Route = "POST /v0/business/{business_id}/credit-memo"
	RouteListCreditMemos   Route = "GET /v0/business/{business_id}/credit-memo"
	RouteGetCreditMemo     Route = "GET /v0/business/{business_id}/credit-memo/{credit_memo_id}"
	RouteVoidCreditMemo    Route = "POST /v0/business/{business_id}/credit-memo/{credit_memo_id}/void"

	RouteCreateCustomer Route = "POST /v0/business/{business_id}/customers"
	RouteListCustomers  Route = "GET /v0/business/{business_id}/customers"
	RouteGetCustomer    Route = "GET /v0/business/{business_id}/customers/{customer_id}"
	RouteUpdateCustomer Route = "PATCH /v0/business/{business_id}/customers/{customer_id}"

	RouteCreateTransactions Route = "POST /v0/business/{business_id}/transactions"
	RouteListTransactions   Route = "GET /v0/business/{business_id}/transactions"
	RouteGetTransaction     Route = "GET /v0/business/{business_id}/transactions/{transaction_id}"

	RouteListLedgers Route = "GET /v0/business/{business_id}/ledger"
	RouteGetLedger   Route = "GET /v0/business/{business_id}/ledger/{ledger_id}"
)

// endpoints is the API the server answers. Every request goes through the
// same preamble (routing, latency and faults, authentication, the rate
// limiter, the prefixes of the path's ids, counters) before its handler
// runs, so a new endpoint is a Route constant, an entry here and its
// handler.
var endpoints = compile([]endpoint{
	{route: RouteToken, changes: true, open: true, serve: (*Server).issueToken},
	{route: RouteCreateInvoices, changes: true, parse: parseInvoices, serve: (*Server).createInvoices},
	{route: RouteListInvoices, serve: (*Server).listInvoices},
	{route: RouteGetInvoice, serve: (*Server).getInvoice},
	{route: RouteUpdateInvoice, changes: true, serve: (*Server).updateInvoice},
	{route: RouteWriteOff, changes: true, serve: (*Server).writeOff},
	{route: RouteApplyPayment, changes: true, serve: (*Server).applyPayment},
	{route: RouteCreateRefund, changes: true, serve: (*Server).createRefund},
	{route: RouteListInvoiceRefunds, serve: (*Server).listInvoiceRefunds},
	{route: RouteListRefunds, serve: (*Server).listRefunds},
	{route: RouteApplyRefundPayment, changes: true, serve: (*Server).applyRefundPayment},
	{route: RouteCreateCreditMemos, changes: true, serve: (*Server).createCreditMemos},
	{route: RouteListCreditMemos, serve: (*Server).listCreditMemos},
	{route: RouteGetCreditMemo, serve: (*Server).getCreditMemo},
	{route: RouteVoidCreditMemo, changes: true, serve: (*Server).voidCreditMemo},
	{route: RouteCreateCustomer, changes: true, serve: (*Server).createCustomer},
	{route: RouteListCustomers, serve: (*Server).listCustomers},
	{route: RouteGetCustomer, serve: (*Server).getCustomer},
	{route: RouteUpdateCustomer, changes: true, serve: (*Server).updateCustomer},
	{route: RouteCreateTransactions, changes: true, serve: (*Server).createTransactions},
	{route: RouteListTransactions, serve: (*Server).listTransactions},
	{route: RouteGetTransaction, serve: (*Server).getTransaction},
	{route: RouteListLedgers, serve: (*Server).listLedgers},
	{route: RouteGetLedger, serve: (*Server).getLedger},
})

// idPrefixes are the prefixes the API requires of the ids in a path: a
// request whose {business_id} is not a biz_ id gets 422 at
// ["path", "business_id"] once it is authenticated and counted.
var idPrefixes = map[string]string{
	"business_id":    "biz_",
	"invoice_id":     "inv_",
	"credit_memo_id": "cm_",
	"customer_id":    "cus_",
	"transaction_id": "txn_",
	"ledger_id":      "ldg_",
}

// endpoint is one entry of the route table.
type endpoint struct {
	route Route
	// changes is set on routes that change the state: their successes
	// count in RouteStats.Applied unless the handler says nothing changed.
	changes bool
	// open routes take no bearer token and have no business: their
	// requests count in a window of their own, not a business's or the
	// tenant's.
	open bool
	// parse, when set, reads and checks the request before serve, into
	// call.input, or refuses it. It may not touch the state: on a server
	// that keeps a state file it runs outside the change's turn, so that
	// changes parse their bodies side by side.
	parse func(*call) *response
	serve func(*Server, *call) response

	method string
	// segments are the pattern's path segments; "{name}" is a wildcard
	// that matches one non-empty segment.
	segments []string
}

// call is a request as its handler sees it, once the preamble has let it
// through.
type call struct {
	r  *http.Request
	ep *endpoint // nil when no route matched
	// business is the {business_id} of the path, "" without one.
	business string
	// body is the body as sent.
	body []byte
	// input is what the endpoint's parse made of the request.
	input any
}

// param is a wildcard of the route's pattern, e.g. param("invoice_id").
func (c *call) param(name string) string { return c.r.PathValue(name) }

// jsonBody is the body, or nil when its Content-Type is not JSON: FastAPI
// reads a body of another type as no body at all.
func (c *call) jsonBody() []byte {
	if len(c.body) > 0 && !isJSON(c.r.Header.Get("Content-Type")) {
		return nil
	}
	return c.body
}

// compile splits each entry's Route into its method and path segments.
// It panics on a Route that is not "METHOD /path" or that appears twice,
// so that a bad table fails every test at once.
func compile(table []endpoint) []endpoint {
	seen := map[Route]bool{}
	for i := range table {
		e := &table[i]
		method, pattern, ok := strings.Cut(string(e.route), " ")
		if !ok || !strings.HasPrefix(pattern, "/") || seen[e.route] {
			panic("assettest: route " + strconv.Quote(string(e.route)) + " is not a method and a path, or appears twice")
		}
		seen[e.route] = true
		e.method, e.segments = method, strings.Split(pattern[1:], "/")
	}
	return table
}

// Routes is every route the server answers, in a fixed order: the token
// endpoint, then each resource's. Range over it to inject a fault on every
// route, or to check that a test calls them all.
func Routes() []Route {
	out := make([]Route, len(endpoints))
	for i, e := range endpoints {
		out[i] = e.route
	}
	return out
}

// valid reports whether the server has the route, for fault injection.
func (r Route) valid() bool {
	return slices.ContainsFunc(endpoints, func(e endpoint) bool { return e.route == r })
}

// route finds the endpoint of a request and sets its path values; failing
// that, it answers as FastAPI does: 404, or 405 with Allow when the path
// exists under other methods. The first entry whose pattern fits wins, so
// a pattern with a literal segment must come before one with a wildcard in
// its place. The call it returns is the request's either
// way, for the rate-limit headers of the answer.
func route(r *http.Request) (*call, *response) {
	c := &call{r: r}
	var segments []string
	for _, p := range strings.Split(strings.TrimPrefix(r.URL.EscapedPath(), "/"), "/") {
		u, err := url.PathUnescape(p)
		if err != nil || u == "" {
			// Starlette's path parameters never match an empty segment.
			res := detail(http.StatusNotFound, "Not Found")
			return c, &res
		}
		segments = append(segments, u)
	}
	var allow []string
	for i := range endpoints {
		e := &endpoints[i]
		values, ok := e.match(segments)
		if !ok {
			continue
		}
		c.business = values["business_id"]
		if e.method != r.Method {
			allow = append(allow, e.method)
			continue
		}
		for name, v := range values {
			r.SetPathValue(name, v)
		}
		c.ep = e
		return c, nil
	}
	if allow == nil {
		res := detail(http.StatusNotFound, "Not Found")
		return c, &res
	}
	res := detail(http.StatusMethodNotAllowed, "Method Not Allowed")
	order := []string{http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete}
	slices.SortFunc(allow, func(a, b string) int { return slices.Index(order, a) - slices.Index(order, b) })
	res.header = http.Header{"Allow": {strings.Join(allow, ", ")}}
	return c, &res
}

// match reports whether path segments fit the pattern, with the values of
// its wildcards.
func (e *endpoint) match(segments []string) (map[string]string, bool) {
	if len(segments) != len(e.segments) {
		return nil, false
	}
	values := map[string]string{}
	for i, p := range e.segments {
		if name, ok := strings.CutPrefix(p, "{"); ok {
			values[strings.TrimSuffix(name, "}")] = segments[i]
		} else if p != segments[i] {
			return nil, false
		}
	}
	return values, true
}

// check is the API's refusal of a request before its handler runs: ids in
// the path without their prefix, or what parse refuses; nil to go on.
func (e *endpoint) check(c *call) *response {
	if bad := e.checkIDs(c); bad != nil {
		return bad
	}
	if e.parse != nil {
		return e.parse(c)
	}
	return nil
}

// checkIDs is the API's 422 for ids in the path without their prefix.
func (e *endpoint) checkIDs(c *call) *response {
	var v validator
	for _, p := range e.segments {
		name, ok := strings.CutPrefix(p, "{")
		if !ok {
			continue
		}
		name = strings.TrimSuffix(name, "}")
		if prefix := idPrefixes[name]; prefix != "" && !prefixed(c.param(name), prefix) {
			v.fail([]any{"path", name}, "value_error", "Value error, "+name+" must look like "+prefix+"...")
		}
	}
	if !v.ok() {
		return invalid(v.errs...)
	}
	return nil
}
