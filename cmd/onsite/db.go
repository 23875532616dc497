package main

import (
	"context"
	"path/filepath"

	"github.com/onsite-dev/onsite/store"
)

// openDB opens (and migrates) the database in dataDir. Every command that
// touches the database goes through here, so they all agree on the file.
func openDB(ctx context.Context, dataDir string) (*store.DB, error) {
	db := store.NewDB(filepath.Join(dataDir, store.FileName))
	if err := db.Open(ctx); err != nil {
		return nil, err
	}
	return db, nil
}
