# Marquee. The two commands a newcomer needs: `make run` and `make test`.
# Every target that needs PostgreSQL goes through .ci/env, which starts (or
# installs) it when DATABASE_URL is unset and nothing answers locally.

GO       ?= go
SQLC     := CGO_ENABLED=0 $(GO) tool sqlc
ENV      := .ci/env
BIN      := bin/marquee

.PHONY: run build test test-short lint vuln generate help bench-catalog bench-viewing bench-heartbeat bench-guide resilience test-pgbouncer test-fresh

help:
	@echo "make run       PostgreSQL, migrations, demo data, then the server on :8080"
	@echo "make test      the whole test suite (race detector on) against PostgreSQL"
	@echo "make test-short  the suite without its slow tests (faults, timeouts, load, large inputs, whole servers)"
	@echo "make test-pgbouncer  the same suite through PgBouncer in transaction pooling mode"
	@echo "make test-fresh      make test on a fresh clone of HEAD, with nothing beside it (no shared/ folder)"
	@echo "make lint      sqlc diff and vet, the SQL-interpolation lint, golangci-lint, go vet, gofmt, go mod tidy"
	@echo "make vuln      govulncheck: known vulnerabilities in the code's dependencies (needs Go's vulnerability database online, so not in make lint)"
	@echo "make generate  regenerate db/ from queries/ and schema/ with sqlc"
	@echo "make bench-catalog   search and browse latency at 100,000 and 1,000,000 titles"
	@echo "make bench-viewing   recommendations (10,000 profiles, 500,000 events) and heartbeats (50 clients)"
	@echo "make bench-heartbeat heartbeat throughput of one server against pgbench's, 50 clients"
	@echo "make bench-guide     guide latency (100 channels, 24 h) and XMLTV import time (40,215 generated programmes)"
	@echo "make resilience      database outage, pool exhaustion, slow database, PostgreSQL restart: under load, with figures"

build:
	$(GO) build -o $(BIN) ./cmd/marquee

run: build
	$(ENV) sh -c '$(BIN) seed && exec $(BIN) serve'

bench-catalog:
	$(ENV) .ci/bench-catalog $(BENCH_SIZES)

bench-viewing:
	$(ENV) .ci/bench-viewing

bench-heartbeat:
	$(ENV) .ci/bench-heartbeat

bench-guide:
	$(ENV) .ci/bench-guide

resilience:
	$(ENV) .ci/resilience

test:
	$(ENV) $(GO) test -race -count=1 -timeout 10m ./...

# For the edit-test loop: every test that takes seconds by design skips
# itself under -short. CI runs make test.
test-short:
	$(ENV) $(GO) test -short -race -count=1 -timeout 10m ./...

test-pgbouncer:
	$(ENV) .ci/test-pgbouncer

# Not through .ci/env: the clone's own make test sets it up, as on a new machine.
test-fresh:
	.ci/test-fresh

lint:
	$(ENV) .ci/lint

# govulncheck, like golangci-lint, comes from tools/go.mod, a module of its
# own that keeps the tools' dependencies out of go.mod.
vuln:
	$(GO) tool -modfile=tools/go.mod govulncheck ./...

generate:
	$(SQLC) generate
