// Package marquee is the module's root and exists only to embed the HTTP
// contract: openapi.yaml stays at the root of the repository, where readers
// and tools look for it, and go:embed reaches no file above the package
// that embeds it. The server publishes the contract (handlers serve it at
// /openapi.yaml) and the tests validate every exchange against it
// (handlers/apitest). Nothing else belongs here.
package marquee

import _ "embed"

// OpenAPI is openapi.yaml, the API contract.
//
//go:embed openapi.yaml
var OpenAPI []byte
