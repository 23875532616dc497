// Command onsite-load drives a real onsite server with simulated candidates
// on loopback: browsing, drilling, rating and submitting code, for a set
// time. Midway it kills the server with SIGKILL and starts it again, then
// checks that every review and submission the server acknowledged is in
// the database, that no grading is left running, and that the database
// passes its integrity check. It prints latency percentiles by kind of
// request and the targets they are held to; it exits 1 when one is missed.
//
//	make load   # go run ./cmd/onsite-load -bin bin/onsite
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/onsite-dev/onsite/questions"
	"github.com/onsite-dev/onsite/store"
)

func main() {
	bin := flag.String("bin", "bin/onsite", "the onsite binary to load")
	users := flag.Int("users", 200, "simulated candidates")
	duration := flag.Duration("duration", 60*time.Second, "how long the load runs")
	killAt := flag.Duration("kill-at", 30*time.Second, "when to SIGKILL the server and start it again (0: never)")
	dataDir := flag.String("data", "", "data directory (default: a new temporary one)")
	flag.IntVar(&submitShare, "submit", 6, "percent of actions that submit code")
	flag.DurationVar(&thinkMin, "think-min", time.Second, "shortest pause between a candidate's actions")
	flag.DurationVar(&thinkMax, "think-max", 5*time.Second, "longest pause between a candidate's actions")
	flag.Parse()
	if err := run(*bin, *users, *duration, *killAt, *dataDir); err != nil {
		fmt.Fprintln(os.Stderr, "onsite-load:", err)
		os.Exit(1)
	}
}

// The mix of actions: a candidate pauses between thinkMin and thinkMax
// (reading a question, answering it), and submitShare percent of actions
// submit code.
var (
	submitShare        int
	thinkMin, thinkMax time.Duration
)

// server is the onsite process under load.
type server struct {
	bin, data, addr string
	cmd             *exec.Cmd
	log             *os.File
}

func (s *server) start() error {
	s.cmd = exec.Command(s.bin, "serve", "--addr", s.addr, "--data", s.data, "--open-registration", "--trust-proxy",
		"--log-format", "json", "--log-level", "warn", "--no-reminders")
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		return err
	}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + s.addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return errors.New("the server did not start within 60 s; see " + s.log.Name())
}

func (s *server) kill() {
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	_ = s.cmd.Wait()
}

func (s *server) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	_ = s.cmd.Wait()
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// kinds of request the report holds to a target.
const (
	kindRead   = "read"
	kindReview = "review write"
	kindSubmit = "submission"
)

// stats collects what the candidates saw.
type stats struct {
	mu        sync.Mutex
	latencies map[string][]time.Duration
	endpoints map[string][]time.Duration
	statuses  map[int]int
	down      atomic.Int64 // requests refused while the server was down
	reviews   []int64
	submitted []string
	fiveXX    []string
}

func (st *stats) record(kind string, status int, d time.Duration, what string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.statuses[status]++
	if status >= 500 {
		st.fiveXX = append(st.fiveXX, fmt.Sprintf("%d %s", status, what))
	}
	if status < 500 && status != http.StatusTooManyRequests {
		st.latencies[kind] = append(st.latencies[kind], d)
		st.endpoints[endpoint(what)] = append(st.endpoints[endpoint(what)], d)
	}
}

// endpoint names a request by its route: "GET /questions/{slug}".
func endpoint(what string) string {
	what, _, _ = strings.Cut(what, "?")
	parts := strings.Split(what, "/")
	if len(parts) >= 3 && parts[1] == "questions" {
		parts[2] = "{slug}"
	}
	return strings.Join(parts, "/")
}

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

// candidate is one simulated person with a browser session.
type candidate struct {
	id     int
	base   string
	client *http.Client
	ip     string
	rng    *rand.Rand
	st     *stats
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func (c *candidate) do(kind, method, path string, body io.Reader, contentType string) (int, []byte, error) {
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("X-Forwarded-For", c.ip)
	req.Header.Set("Accept", "application/json")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if method != http.MethodGet {
		u, _ := url.Parse(c.base)
		for _, ck := range c.client.Jar.Cookies(u) {
			if ck.Name == "onsite_csrf" {
				req.Header.Set("X-CSRF-Token", ck.Value)
			}
		}
	}
	start := time.Now()
	resp, err := c.client.Do(req)
	if err != nil {
		c.st.down.Add(1)
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if kind != "" {
		c.st.record(kind, resp.StatusCode, time.Since(start), method+" "+path)
	}
	return resp.StatusCode, data, nil
}

// signUp creates the candidate's account and session.
func (c *candidate) signUp() error {
	_, page, err := c.do("", http.MethodGet, "/signup", nil, "")
	if err != nil {
		return err
	}
	m := csrfField.FindSubmatch(page)
	if m == nil {
		return errors.New("no CSRF field on /signup")
	}
	form := url.Values{"_csrf": {string(m[1])}, "email": {fmt.Sprintf("candidate%d@load.test", c.id)},
		"password": {"load-test-password"}, "password_confirm": {"load-test-password"}}
	status, _, err := c.do("", http.MethodPost, "/signup", strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
	if err != nil {
		return err
	}
	if status != http.StatusSeeOther && status != http.StatusOK {
		return fmt.Errorf("sign-up answered %d", status)
	}
	return nil
}

// act does one thing a candidate does, chosen at random.
func (c *candidate) act(slugs, coding []string, solutions map[string]string) {
	switch r := c.rng.IntN(100); {
	case r < 30:
		kinds := []string{"", "?kind=concept", "?kind=coding", "?difficulty=hard", "?q=precision"}
		c.do(kindRead, http.MethodGet, "/api/v1/questions"+kinds[c.rng.IntN(len(kinds))], nil, "")
	case r < 45:
		c.do(kindRead, http.MethodGet, "/questions/"+slugs[c.rng.IntN(len(slugs))], nil, "")
	case r < 55:
		c.do(kindRead, http.MethodGet, "/api/v1/stats", nil, "")
	case r < 100-submitShare:
		status, body, err := c.do(kindRead, http.MethodGet, "/api/v1/drill/today", nil, "")
		if err != nil || status != http.StatusOK {
			return
		}
		var today struct {
			Queue []struct {
				Question string `json:"question"`
			} `json:"queue"`
		}
		if json.Unmarshal(body, &today) != nil || len(today.Queue) == 0 {
			return
		}
		q := today.Queue[0].Question
		rating := []string{"again", "hard", "good", "good", "easy"}[c.rng.IntN(5)]
		status, body, err = c.do(kindReview, http.MethodPost, "/api/v1/reviews",
			strings.NewReader(fmt.Sprintf(`{"question": %q, "rating": %q, "duration_ms": 30000}`, q, rating)), "application/json")
		if err == nil && status == http.StatusCreated {
			var log struct {
				ID int64 `json:"id"`
			}
			if json.Unmarshal(body, &log) == nil {
				c.st.mu.Lock()
				c.st.reviews = append(c.st.reviews, log.ID)
				c.st.mu.Unlock()
			}
		}
	default:
		q := coding[c.rng.IntN(len(coding))]
		body, _ := json.Marshal(map[string]string{"question": q, "language": "python", "code": solutions[q], "mode": "submit"})
		status, resp, err := c.do(kindSubmit, http.MethodPost, "/api/v1/submissions?wait=true", strings.NewReader(string(body)), "application/json")
		if err == nil && status/100 == 2 {
			var sub struct {
				ID string `json:"id"`
			}
			if json.Unmarshal(resp, &sub) == nil {
				c.st.mu.Lock()
				c.st.submitted = append(c.st.submitted, sub.ID)
				c.st.mu.Unlock()
			}
		}
	}
}

func run(bin string, users int, duration, killAt time.Duration, dataDir string) error {
	if dataDir == "" {
		dir, err := os.MkdirTemp("", "onsite-load-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		dataDir = dir
	}
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	logFile, err := os.Create(filepath.Join(dataDir, "serve.log"))
	if err != nil {
		return err
	}
	defer logFile.Close()
	srv := &server{bin: bin, data: dataDir, addr: addr, log: logFile}
	if err := srv.start(); err != nil {
		return err
	}
	defer srv.stop()

	sets, err := questions.BuiltinSets()
	if err != nil {
		return err
	}
	var slugs, coding []string
	solutions := map[string]string{}
	for _, s := range sets {
		for _, q := range s.Questions {
			slugs = append(slugs, q.Slug)
			// Small problems only: the load is many candidates, not one
			// slow test.
			if q.Kind == questions.KindCoding && q.Solutions["python"] != "" && len(q.Tests) <= 14 && !hasGenerated(q) {
				coding = append(coding, q.Slug)
				solutions[q.Slug] = q.Solutions["python"]
			}
		}
	}

	st := &stats{latencies: map[string][]time.Duration{}, endpoints: map[string][]time.Duration{}, statuses: map[int]int{}}
	cands := make([]*candidate, users)
	fmt.Printf("signing up %d candidates...\n", users)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	var signupErr atomic.Value
	for i := range cands {
		jar, _ := cookiejar.New(nil)
		cands[i] = &candidate{id: i, base: "http://" + addr, ip: fmt.Sprintf("10.%d.%d.%d", i/65536, (i/256)%256, i%256+1),
			client: &http.Client{Jar: jar, Timeout: 90 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
			rng:    rand.New(rand.NewPCG(uint64(i), 7)), st: st}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := cands[i].signUp(); err != nil {
				signupErr.Store(err)
			}
		})
	}
	wg.Wait()
	if err, ok := signupErr.Load().(error); ok {
		return fmt.Errorf("sign-up: %w", err)
	}

	fmt.Printf("load: %d candidates for %s on %s", users, duration, addr)
	if killAt > 0 {
		fmt.Printf(", SIGKILL and restart at %s", killAt)
	}
	fmt.Println()
	ctx, cancel := context.WithTimeout(context.Background(), duration)
	defer cancel()
	start := time.Now()
	for _, c := range cands {
		wg.Go(func() {
			// People arrive over a while, not in the same millisecond.
			select {
			case <-ctx.Done():
			case <-time.After(time.Duration(c.rng.Int64N(int64(thinkMax) + 1))):
			}
			for ctx.Err() == nil {
				c.act(slugs, coding, solutions)
				select {
				case <-ctx.Done():
				case <-time.After(thinkMin + time.Duration(c.rng.Int64N(int64(thinkMax-thinkMin)+1))):
				}
			}
		})
	}
	var downFor time.Duration
	if killAt > 0 && killAt < duration {
		select {
		case <-time.After(killAt):
			kill := time.Now()
			srv.kill()
			if err := srv.start(); err != nil {
				cancel()
				wg.Wait()
				return fmt.Errorf("restart after SIGKILL: %w", err)
			}
			downFor = time.Since(kill)
			fmt.Printf("killed at %s, answering again after %s\n", kill.Sub(start).Round(time.Millisecond), downFor.Round(time.Millisecond))
		case <-ctx.Done():
		}
	}
	wg.Wait()
	elapsed := time.Since(start)

	// Gradings the kill interrupted are graded after the restart; give
	// the queue time to drain, then stop the server cleanly.
	pending := waitGraded(cands, st.submitted)
	srv.stop()
	return report(st, elapsed, downFor, pending, dataDir)
}

func hasGenerated(q questions.Question) bool {
	for _, t := range q.Tests {
		if t.Generate != nil {
			return true
		}
	}
	return false
}

// waitGraded polls the acknowledged submissions until none is queued or
// running, for at most two minutes, and returns those still unfinished.
func waitGraded(cands []*candidate, ids []string) []string {
	owner := map[string]*candidate{}
	// Any candidate's session can only see its own submissions; find
	// each one's owner by asking.
	deadline := time.Now().Add(2 * time.Minute)
	pending := slices.Clone(ids)
	for len(pending) > 0 && time.Now().Before(deadline) {
		var still []string
		for _, id := range pending {
			done := false
			for _, c := range candidatesFor(owner, id, cands) {
				status, body, err := c.do("", http.MethodGet, "/api/v1/submissions/"+id, nil, "")
				if err != nil || status != http.StatusOK {
					continue
				}
				owner[id] = c
				var sub struct {
					Status string `json:"status"`
				}
				done = json.Unmarshal(body, &sub) == nil && sub.Status == "done"
				break
			}
			if !done {
				still = append(still, id)
			}
		}
		pending = still
		if len(pending) > 0 {
			time.Sleep(time.Second)
		}
	}
	return pending
}

func candidatesFor(owner map[string]*candidate, id string, all []*candidate) []*candidate {
	if c, ok := owner[id]; ok {
		return []*candidate{c}
	}
	return all
}

// report prints the figures and checks the database; an error names the
// targets missed.
func report(st *stats, elapsed, downFor time.Duration, pending []string, dataDir string) error {
	var failed []string
	fmt.Printf("\nran %s; requests by status:", elapsed.Round(time.Second))
	codes := make([]int, 0, len(st.statuses))
	for code := range st.statuses {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	total := 0
	for _, code := range codes {
		fmt.Printf(" %d: %d", code, st.statuses[code])
		total += st.statuses[code]
	}
	fmt.Printf("; refused while down: %d\n", st.down.Load())
	fmt.Printf("throughput: %.0f requests/s\n", float64(total)/elapsed.Seconds())
	targets := map[string]time.Duration{kindRead: 50 * time.Millisecond, kindReview: 30 * time.Millisecond}
	for _, kind := range []string{kindRead, kindReview, kindSubmit} {
		l := st.latencies[kind]
		line := fmt.Sprintf("%-13s n=%-6d p50 %-8s p95 %-8s p99 %-8s", kind, len(l),
			percentile(l, .5).Round(100*time.Microsecond), percentile(l, .95).Round(100*time.Microsecond), percentile(l, .99).Round(100*time.Microsecond))
		if target, ok := targets[kind]; ok {
			p99 := percentile(l, .99)
			line += fmt.Sprintf(" target p99 <= %s: %.2fx", target, float64(p99)/float64(target))
			if p99 > target {
				failed = append(failed, fmt.Sprintf("%s p99 %s over %s", kind, p99.Round(time.Millisecond), target))
			}
		}
		fmt.Println(line)
	}
	names := make([]string, 0, len(st.endpoints))
	for name := range st.endpoints {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		l := st.endpoints[name]
		fmt.Printf("  %-40s n=%-6d p50 %-8s p99 %s\n", name, len(l), percentile(l, .5).Round(100*time.Microsecond), percentile(l, .99).Round(100*time.Microsecond))
	}
	if len(st.fiveXX) > 0 {
		failed = append(failed, fmt.Sprintf("%d 5xx responses, first: %s", len(st.fiveXX), st.fiveXX[0]))
	}
	if len(pending) > 0 {
		failed = append(failed, fmt.Sprintf("%d acknowledged submissions never finished grading, first %s", len(pending), pending[0]))
	}

	db := store.NewDB(filepath.Join(dataDir, store.FileName))
	if err := db.Open(context.Background()); err != nil {
		return err
	}
	defer db.Close()
	missing, err := db.MissingReviews(context.Background(), st.reviews)
	if err != nil {
		return err
	}
	fmt.Printf("after the kill: %d acknowledged reviews, %d missing; %d acknowledged submissions, %d not graded\n",
		len(st.reviews), len(missing), len(st.submitted), len(pending))
	if len(missing) > 0 {
		failed = append(failed, fmt.Sprintf("%d acknowledged reviews lost, first id %d", len(missing), missing[0]))
	}
	problems, err := db.Check(context.Background())
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		failed = append(failed, "integrity: "+strings.Join(problems, "; "))
	} else {
		fmt.Println("database: integrity_check ok, foreign keys ok")
	}
	if downFor > 0 {
		fmt.Printf("downtime after SIGKILL: %s\n", downFor.Round(time.Millisecond))
	}
	if len(failed) > 0 {
		return errors.New("missed: " + strings.Join(failed, "; "))
	}
	fmt.Println("every target met")
	return nil
}
