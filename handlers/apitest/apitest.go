// Package apitest is the HTTP client of Marquee's tests. It checks every
// request it sends and every answer it gets against openapi.yaml, so the
// contract cannot drift from the server: an undocumented route, status,
// header or field fails the test that met it.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"marquee"
)

var (
	loadOnce sync.Once
	contract routers.Router
	loadErr  error
)

// Contract is the router over openapi.yaml, loaded and validated once.
func Contract(t testing.TB) routers.Router {
	t.Helper()
	loadOnce.Do(func() {
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromData(marquee.OpenAPI)
		if err != nil {
			loadErr = fmt.Errorf("load openapi.yaml: %w", err)
			return
		}
		if err := doc.Validate(context.Background()); err != nil {
			loadErr = fmt.Errorf("openapi.yaml is not a valid OpenAPI document: %w", err)
			return
		}
		doc.Servers = nil // match whatever host the test server listens on
		contract, loadErr = gorillamux.NewRouter(doc)
	})
	if loadErr != nil {
		t.Fatal(loadErr)
	}
	return contract
}

// Client talks to a test server and validates every exchange.
type Client struct {
	t     testing.TB
	base  string
	http  *http.Client
	token string
}

// Unchecked is a copy of the client that does not check the contract, for
// tests of routes that are deliberately not in it.
func (c *Client) Unchecked() *Client {
	cp := *c
	cp.http = &http.Client{}
	return &cp
}

// From is a copy of the client that connects from the local address addr,
// for tests of what tells clients apart by their address: every address of
// 127.0.0.0/8 is the loopback's, so 127.0.0.2, 127.0.0.3 ... reach a test
// server on 127.0.0.1 as so many clients.
func (c *Client) From(addr string) *Client {
	c.t.Helper()
	ip := net.ParseIP(addr)
	if ip == nil {
		c.t.Fatalf("apitest: %q is not an IP address", addr)
	}
	base := http.DefaultTransport.(*http.Transport).Clone()
	base.DialContext = (&net.Dialer{LocalAddr: &net.TCPAddr{IP: ip}}).DialContext
	c.t.Cleanup(base.CloseIdleConnections)
	cp := *c
	cp.http = &http.Client{Transport: &Transport{T: c.t, Base: base}}
	return &cp
}

// As is a copy of the client that sends token as its bearer token.
func (c *Client) As(token string) *Client {
	cp := *c
	cp.token = token
	return &cp
}

// New is a client for the server at baseURL (such as httptest.Server.URL).
func New(t testing.TB, baseURL string) *Client {
	t.Helper()
	Contract(t)
	return &Client{t: t, base: strings.TrimSuffix(baseURL, "/"), http: &http.Client{
		Transport: &Transport{T: t, Base: http.DefaultTransport},
	}}
}

// Response is an answer read in full.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test if it cannot.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %d answer %q: %v", r.Status, r.Body, err)
	}
}

// Problem decodes a problem+json body.
func (r *Response) Problem(t testing.TB) Problem {
	t.Helper()
	var p Problem
	r.JSON(t, &p)
	return p
}

// Problem is an RFC 9457 body as Marquee writes it.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

// Do sends a request. body is sent as is when it is a []byte or string, and
// as JSON otherwise; headers come in name, value pairs.
func (c *Client) Do(method, path string, body any, headers ...string) *Response {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			c.t.Fatalf("encode request body: %v", err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatalf("new request: %v", err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("%s %s: read answer: %v", method, path, err)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// Transport validates each exchange that passes through it. A request the
// contract does not allow must be refused with a 4xx; every answer must be
// one the contract documents for its operation. CORS preflights are answered
// by the CORS layer before any operation and are not part of the contract.
type Transport struct {
	T    testing.TB
	Base http.RoundTripper
}

// RoundTrip sends req through Base and fails the test on an exchange the
// contract does not allow.
func (tr *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodOptions && req.Header.Get("Access-Control-Request-Method") != "" {
		return tr.Base.RoundTrip(req)
	}
	var reqBody []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		req.Body.Close()
		reqBody = b
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	resp, err := tr.Base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	respBody, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(respBody))
	if msg := check(req, reqBody, resp, respBody); msg != "" {
		tr.T.Errorf("contract: %s %s → %d: %s", req.Method, req.URL.RequestURI(), resp.StatusCode, msg)
	}
	return resp, nil
}

// check returns what is wrong with the exchange, or "".
func check(req *http.Request, reqBody []byte, resp *http.Response, respBody []byte) string {
	ctx := context.Background()
	vreq := req.Clone(ctx)
	vreq.Body = io.NopCloser(bytes.NewReader(reqBody))
	route, params, err := contract.FindRoute(vreq)
	if err != nil {
		// No such operation: the server must say so with a problem.
		if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusMethodNotAllowed {
			return "the contract has no such operation, yet the server did not answer 404 or 405"
		}
		return checkProblem(resp, respBody)
	}
	opts := &openapi3filter.Options{
		AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
		IncludeResponseStatus: true,
		MultiError:            true,
	}
	in := &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route, Options: opts}
	if err := openapi3filter.ValidateRequest(ctx, in); err != nil && (resp.StatusCode < 400 || resp.StatusCode >= 500) {
		return fmt.Sprintf("the contract refuses this request (%v), yet the server answered %d", err, resp.StatusCode)
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Body:                   io.NopCloser(bytes.NewReader(respBody)),
		Options:                opts,
	}
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		return fmt.Sprintf("the answer breaks the contract: %v (body %.300q)", err, respBody)
	}
	return ""
}

func checkProblem(resp *http.Response, body []byte) string {
	if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
		return "Content-Type is " + ct + ", want application/problem+json"
	}
	var p Problem
	if err := json.Unmarshal(body, &p); err != nil || p.Status != resp.StatusCode || p.Title == "" {
		return fmt.Sprintf("not a problem+json body with the status %d: %.300q", resp.StatusCode, body)
	}
	return ""
}
