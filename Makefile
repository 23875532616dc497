# onsite: `make run` to use it, `make test` to check it.
GO       ?= go
BIN      := bin/onsite
DATA     ?= data
ADDR     ?= 127.0.0.1:8080
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X github.com/onsite-dev/onsite.Version=$(VERSION)
# Every package is cheap enough for the race detector today; a package that is
# not (a sandbox running real compilers) moves to NORACE_PKGS.
NORACE_PKGS :=
RACE_PKGS    = $(filter-out $(NORACE_PKGS),$(shell $(GO) list ./...))

.PHONY: all build run test vet bench load fmt clean web

all: build

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/onsite

run: build
	./$(BIN) serve --addr $(ADDR) --data $(DATA)

vet:
	$(GO) vet ./...

test: vet
	$(GO) test -race -count=1 $(RACE_PKGS)
ifneq ($(strip $(NORACE_PKGS)),)
	$(GO) test -count=1 $(NORACE_PKGS)
endif

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# load drives a real server with 200 simulated candidates for 60 s, kills it
# with SIGKILL midway and restarts it, then checks nothing acknowledged was
# lost; it prints the latency figures against their targets.
load: build
	$(GO) run ./cmd/onsite-load -bin $(BIN)

fmt:
	gofmt -w $(shell git ls-files '*.go')

clean:
	rm -rf bin

# web rebuilds web/static/editor.js, the code editor, from web/editor with
# npm; commit the result. Nothing else needs npm: go build embeds the file.
web:
	cd web/editor && npm ci && npm run build
