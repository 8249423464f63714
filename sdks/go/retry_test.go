package sigil_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	sigil "sigil.example.com/sdk/go"
	"sigil.example.com/sdk/go/sigilapi"
)

// scripted answers from a list, on loopback, and records what it was sent. A wait past the 10 ms
// cap would hang a test, not fail an assertion on time.
type scripted struct {
	mu      sync.Mutex
	answers []func(http.ResponseWriter)
	keys    []string
	bodies  []string
}

func (s *scripted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys = append(s.keys, r.Header.Get("Idempotency-Key"))
	s.bodies = append(s.bodies, string(body))
	answer := s.answers[0]
	s.answers = s.answers[1:]
	answer(w)
}

func problem(status int, code, retryAfter string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/problem+json")
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.WriteHeader(status)
		_, _ = fmt.Fprintf(w, `{"type":"urn:x","title":"t","status":%d,"detail":"d","code":%q,"requestId":"r-1"}`, status, code)
	}
}

func jsonAnswer(status int, body string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

func scriptedClient(t *testing.T, answers ...func(http.ResponseWriter)) (*sigil.Client, *scripted) {
	t.Helper()
	script := &scripted{answers: answers}
	server := httptest.NewServer(script)
	t.Cleanup(server.Close)
	c, err := sigil.New(server.URL, sigil.WithToken("t"),
		sigil.WithRetry(sigil.RetryPolicy{MaxRetries: 3, MaxDelay: 10 * time.Millisecond, BaseDelay: time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	return c, script
}

func TestRetryA503CappingALongRetryAfter(t *testing.T) {
	c, script := scriptedClient(t,
		problem(503, "STORAGE_UNAVAILABLE", "3600"), problem(503, "STORAGE_UNAVAILABLE", ""),
		jsonAnswer(200, `{"activeKid":"3f9a1c2b","verifyOnlyKids":[]}`))
	keys, err := c.Keys(context.Background())
	if err != nil || keys.ActiveKid != "3f9a1c2b" || len(script.keys) != 3 {
		t.Fatalf("want the third attempt to succeed, got %v %v after %d", keys, err, len(script.keys))
	}
}

func TestRetryGivesUpAfterMaxRetries(t *testing.T) {
	c, script := scriptedClient(t,
		problem(429, "RATE_LIMITED", "1"), problem(429, "RATE_LIMITED", "1"),
		problem(429, "RATE_LIMITED", "1"), problem(429, "RATE_LIMITED", "1"))
	_, err := c.Keys(context.Background())
	var apiErr *sigil.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != sigilapi.RATELIMITED || apiErr.RetryAfter != time.Second {
		t.Fatalf("want a RATE_LIMITED APIError with its Retry-After, got %v", err)
	}
	if len(script.keys) != 4 {
		t.Fatalf("want the first attempt and 3 retries, got %d", len(script.keys))
	}
}

func TestRetryResendsAnEncodeWithTheSameKeyAndBody(t *testing.T) {
	c, script := scriptedClient(t, problem(503, "STORAGE_UNAVAILABLE", "0"), problem(403, "FORBIDDEN", ""))
	_, err := c.Encode(context.Background(), sigil.EncodeSigilRequest{Data: map[string]interface{}{"a": 1}})
	var apiErr *sigil.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 403 {
		t.Fatalf("want the 403 after one retry, got %v", err)
	}
	if len(script.keys) != 2 || script.keys[0] == "" || script.keys[0] != script.keys[1] || script.bodies[0] != script.bodies[1] {
		t.Fatalf("want the same key and body twice, got %q %q", script.keys, script.bodies)
	}
}

func TestNoRetryForOtherErrors(t *testing.T) {
	c, script := scriptedClient(t, problem(404, "NOT_FOUND", ""))
	_, err := c.Get(context.Background(), "sigil_x")
	var apiErr *sigil.APIError
	if !errors.As(err, &apiErr) || apiErr.RequestID != "r-1" || len(script.keys) != 1 {
		t.Fatalf("want one attempt and the NOT_FOUND, got %v after %d", err, len(script.keys))
	}
}
