# onsite: `make run` to use it, `make test` to check it.
GO       ?= go
BIN      := bin/onsite
DATA     ?= data
ADDR     ?= 127.0.0.1:8080
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X github.com/onsite-dev/onsite.Version=$(VERSION)
# Packages cheap enough to run under the race detector on every `make test`.
RACE_PKGS := . ./questions/... ./store/... ./server/... ./cmd/...

.PHONY: all build run test vet bench fmt clean

all: build

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/onsite

run: build
	./$(BIN) serve --addr $(ADDR) --data $(DATA)

vet:
	$(GO) vet ./...

test: vet
	$(GO) test -race -count=1 $(RACE_PKGS)
	$(GO) test -count=1 $(filter-out $(shell $(GO) list $(RACE_PKGS)),$(shell $(GO) list ./...))

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

fmt:
	gofmt -w $(shell git ls-files '*.go')

clean:
	rm -rf bin
