package sandbox

import (
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	// The test binary is its own sandbox helper.
	RunHelperIfRequested()
	os.Exit(m.Run())
}
