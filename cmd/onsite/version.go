package main

import (
	"context"
	"fmt"
	"runtime"

	"github.com/onsite-dev/onsite"
	"github.com/onsite-dev/onsite/store"
)

func runVersion(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "version", "version", "Prints onsite's version, the Go version it was built with, and its schema version.")
	if err := parse(fs, e, args); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "onsite %s (%s, schema %d)\n", onsite.Version, runtime.Version(), store.SchemaVersion())
	return nil
}
