// Package marquee holds the HTTP contract, openapi.yaml, embedded so that the
// server can publish it and the tests can validate against it.
package marquee

import _ "embed"

// OpenAPI is openapi.yaml, the API contract.
//
//go:embed openapi.yaml
var OpenAPI []byte
