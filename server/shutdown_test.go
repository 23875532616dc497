package server_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/onsite-dev/onsite"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCloseFinishesInFlightRequests: a request still uploading when the
// server is asked to stop gets its answer, and Close waits for it.
func TestCloseFinishesInFlightRequests(t *testing.T) {
	ts := newTestServer(t)
	ada, token := ts.createUser(t, "ada@example.com", false)
	body := strings.Replace(privateSet, "ada-", "slow-", -1)

	conn, err := net.Dial("tcp", strings.TrimPrefix(ts.URL, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	half := len(body) / 2
	_, err = fmt.Fprintf(conn, "POST /api/v1/sets HTTP/1.1\r\nHost: onsite\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/yaml\r\nContent-Length: %d\r\n\r\n%s", token, len(body), body[:half])
	require.NoError(t, err)
	time.Sleep(100 * time.Millisecond) // the server is now reading the body

	closed := make(chan error, 1)
	go func() { closed <- ts.Close() }()
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) while a request was still in flight", err)
	case <-time.After(300 * time.Millisecond):
	}

	_, err = conn.Write([]byte(body[half:]))
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the in-flight import finished")
	select {
	case err := <-closed:
		assert.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return after the last request finished")
	}
	_, err = ts.QS.FindQuestionBySlug(onsite.NewContextWithUser(t.Context(), ada), "slow-secret-question")
	assert.NoError(t, err, "the import was committed before the server stopped")
}
