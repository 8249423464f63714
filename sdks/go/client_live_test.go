package sigil_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	sigil "sigil.example.com/sdk/go"
	"sigil.example.com/sdk/go/sigilapi"
)

// serveInfo is what test/sdk/serve.ts prints: a live Sigil-DNA (the build, production mode, a JWKS
// on loopback) and tokens for every role.
type serveInfo struct {
	URL             string            `json:"url"`
	LimitedURL      string            `json:"limitedUrl"`
	LimitedRequests int               `json:"limitedRequests"`
	MaxDataBytes    int               `json:"maxDataBytes"`
	Tokens          map[string]string `json:"tokens"`
}

var live serveInfo

func TestMain(m *testing.M) {
	repo, _ := filepath.Abs(filepath.Join("..", ".."))
	node := os.Getenv("SIGIL_NODE")
	if node == "" {
		node = filepath.Join(repo, "node_modules", ".bin", "node")
		if _, err := os.Stat(node); err != nil {
			node = "node"
		}
	}
	cmd := exec.Command(node, filepath.Join(repo, "test", "sdk", "serve.ts"))
	cmd.Dir = repo
	cmd.Stderr = os.Stderr
	stdin, _ := cmd.StdinPipe() // serve.ts stops when this closes
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "cannot start test/sdk/serve.ts:", err)
		os.Exit(1)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err == nil {
		err = json.Unmarshal([]byte(line), &live)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "test/sdk/serve.ts did not report:", err)
		_ = cmd.Process.Kill()
		os.Exit(1)
	}
	code := m.Run()
	_ = stdin.Close()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
	}
	os.Exit(code)
}

func client(t *testing.T, token string, options ...sigil.Option) *sigil.Client {
	t.Helper()
	c, err := sigil.New(live.URL, append([]sigil.Option{sigil.WithToken(token), sigil.WithRetry(sigil.RetryPolicy{})}, options...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func admin(t *testing.T) *sigil.Client { return client(t, live.Tokens["admin"]) }

// uniqueTag is a tag no other test uses (tags are at most 50 characters), so lists can be checked exactly.
func uniqueTag(t *testing.T) string {
	tag := fmt.Sprintf("go-%d-%s", time.Now().UnixNano(), strings.ReplaceAll(t.Name(), "/", "-"))
	return tag[:min(len(tag), 50)]
}

func data(values map[string]interface{}) sigil.EncodeSigilRequest {
	return sigil.EncodeSigilRequest{Data: values}
}

func tagged(values map[string]interface{}, tag string) sigil.EncodeSigilRequest {
	tags := []string{tag}
	return sigil.EncodeSigilRequest{Data: values, Metadata: &sigilapi.SigilMetadataInput{Tags: &tags}}
}

// apiError asserts err is an *APIError with this status and code.
func apiError(t *testing.T, err error, status int, code sigilapi.ProblemCode) *sigil.APIError {
	t.Helper()
	var problem *sigil.APIError
	if !errors.As(err, &problem) {
		t.Fatalf("want an *APIError %d %s, got %v", status, code, err)
	}
	if problem.Status != status || problem.Code != code || problem.RequestID == "" {
		t.Fatalf("want %d %s with a request id, got %+v", status, code, problem)
	}
	return problem
}

func noError(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestEncodeWithoutAKeyMintsEachTimeAndGetReturnsTheData(t *testing.T) {
	ctx := context.Background()
	c := admin(t)
	body := data(map[string]interface{}{"invoice": "INV-1001", "amount": 42.5})
	first, err := c.Encode(ctx, body)
	noError(t, err)
	second, err := c.Encode(ctx, body)
	noError(t, err)
	if !strings.HasPrefix(first.Id, "sigil_") || first.Id == second.Id {
		t.Fatalf("want two new sigils, got %s and %s", first.Id, second.Id)
	}
	got, err := c.Get(ctx, first.Id)
	noError(t, err)
	if got.Data["invoice"] != "INV-1001" || got.Data["amount"] != 42.5 || got.Signature != first.Signature {
		t.Fatalf("decoded %+v", got)
	}
	if got.ConsciousnessState.Phi != 1.618033988749895 {
		t.Fatalf("phi lost precision: %v", got.ConsciousnessState.Phi)
	}
}

func TestEncodeWithAKeyTwiceReturnsTheSameSigil(t *testing.T) {
	ctx := context.Background()
	c := admin(t)
	key := fmt.Sprintf("go-key-%d", time.Now().UnixNano())
	body := data(map[string]interface{}{"order": 7})
	first, err := c.Encode(ctx, body, sigil.WithIdempotencyKey(key))
	noError(t, err)
	again, err := c.Encode(ctx, body, sigil.WithIdempotencyKey(key))
	noError(t, err)
	if again.Id != first.Id || !again.CreatedAt.Equal(first.CreatedAt) {
		t.Fatalf("want the same sigil, got %s then %s", first.Id, again.Id)
	}
}

func TestVerifyOkDataMismatchSignatureMismatch(t *testing.T) {
	ctx := context.Background()
	c := admin(t)
	s, err := c.Encode(ctx, data(map[string]interface{}{"invoice": "INV-2", "amount": 1}))
	noError(t, err)
	same := map[string]interface{}{"amount": 1, "invoice": "INV-2"}
	other := map[string]interface{}{"amount": 2, "invoice": "INV-2"}
	wrong := strings.Repeat("0", 64)
	cases := []struct {
		request sigil.VerifySigilRequest
		valid   bool
		reason  sigilapi.VerifyResultReason
	}{
		{sigil.VerifySigilRequest{Id: s.Id, Data: &same, Signature: &s.Signature}, true, sigilapi.VerifyResultReasonOk},
		{sigil.VerifySigilRequest{Id: s.Id, Data: &other}, false, sigilapi.VerifyResultReasonDataMismatch},
		{sigil.VerifySigilRequest{Id: s.Id, Signature: &wrong}, false, sigilapi.VerifyResultReasonSignatureMismatch},
	}
	for _, tc := range cases {
		result, err := c.Verify(ctx, tc.request)
		noError(t, err)
		if result.Valid != tc.valid || result.Reason != tc.reason {
			t.Errorf("want %v %s, got %v %s", tc.valid, tc.reason, result.Valid, result.Reason)
		}
	}
}

func TestAllReadsEveryPageOf250WithoutRepeatsOrGaps(t *testing.T) {
	ctx := context.Background()
	c := admin(t)
	tag := uniqueTag(t)
	minted := map[string]bool{}
	for n := 0; n < 250; n++ {
		s, err := c.Encode(ctx, tagged(map[string]interface{}{"n": n}, tag))
		noError(t, err)
		minted[s.Id] = true
	}
	limit := int32(40)
	var seen []string
	for item, err := range c.All(ctx, sigil.ListSigilsParams{Tag: &tag, Limit: &limit}) {
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, item.Id)
	}
	if len(seen) != 250 {
		t.Fatalf("want 250 sigils, got %d", len(seen))
	}
	for _, id := range seen {
		if !minted[id] {
			t.Fatalf("listed %s, which this test did not mint", id)
		}
		delete(minted, id) // a repeat would now be missing
	}
	if !sort.SliceIsSorted(seen, func(i, j int) bool { return seen[i] > seen[j] }) {
		t.Fatal("want newest first")
	}
}

func TestMatchBySigilAndByPattern(t *testing.T) {
	ctx := context.Background()
	c := admin(t)
	tag := uniqueTag(t)
	base, err := c.Encode(ctx, data(map[string]interface{}{"twin": tag}))
	noError(t, err)
	twin, err := c.Encode(ctx, data(map[string]interface{}{"twin": tag}))
	noError(t, err)
	threshold, topN := 0.999, int32(100)
	bySigil, err := c.MatchBySigil(ctx, sigil.MatchBySigilRequest{SigilId: base.Id, Threshold: &threshold, TopN: &topN})
	noError(t, err)
	ids := map[string]bool{}
	for _, m := range bySigil.Matches {
		ids[m.SigilId] = true
	}
	if !ids[twin.Id] || ids[base.Id] {
		t.Fatalf("want the twin and not the query sigil, got %v", ids)
	}
	byPattern, err := c.MatchByPattern(ctx, sigil.MatchByPatternRequest{DnaPattern: base.Dna.ResonancePattern, Threshold: &threshold, TopN: &topN})
	noError(t, err)
	found := false
	for _, m := range byPattern.Matches {
		found = found || m.SigilId == base.Id
	}
	if !found {
		t.Fatal("a pattern match should find the sigil it came from")
	}
}

func TestRevokeVerifyRevokedDelete(t *testing.T) {
	ctx := context.Background()
	c := admin(t)
	s, err := c.Encode(ctx, data(map[string]interface{}{"retire": true}))
	noError(t, err)
	revoked, err := c.Revoke(ctx, s.Id, "key compromise")
	noError(t, err)
	if revoked.RevocationReason == nil || *revoked.RevocationReason != "key compromise" {
		t.Fatalf("revoked %+v", revoked)
	}
	again, err := c.Revoke(ctx, s.Id, "")
	noError(t, err)
	if !again.RevokedAt.Equal(*revoked.RevokedAt) {
		t.Fatal("revoking again should change nothing")
	}
	result, err := c.Verify(ctx, sigil.VerifySigilRequest{Id: s.Id})
	noError(t, err)
	if result.Reason != sigilapi.VerifyResultReasonRevoked {
		t.Fatalf("want revoked, got %s", result.Reason)
	}
	noError(t, c.Delete(ctx, s.Id))
	_, err = c.Get(ctx, s.Id)
	apiError(t, err, 404, sigilapi.NOTFOUND)
}

func TestErrors(t *testing.T) {
	ctx := context.Background()
	t.Run("400 names the field", func(t *testing.T) {
		tags := make([]string, 11)
		for i := range tags {
			tags[i] = fmt.Sprintf("t%d", i)
		}
		body := sigil.EncodeSigilRequest{Data: map[string]interface{}{"a": 1}, Metadata: &sigilapi.SigilMetadataInput{Tags: &tags}}
		_, err := admin(t).Encode(ctx, body)
		if apiError(t, err, 400, sigilapi.VALIDATIONFAILED).FieldError("metadata.tags") == nil {
			t.Fatal("want an error for metadata.tags")
		}
	})
	t.Run("401 for an expired token", func(t *testing.T) {
		_, err := client(t, live.Tokens["expired"]).Keys(ctx)
		apiError(t, err, 401, sigilapi.UNAUTHORIZED)
	})
	t.Run("403 for a missing scope", func(t *testing.T) {
		_, err := client(t, live.Tokens["readOnly"]).Encode(ctx, data(map[string]interface{}{"a": 1}))
		apiError(t, err, 403, sigilapi.FORBIDDEN)
	})
	t.Run("404 for another tenant's sigil", func(t *testing.T) {
		s, err := admin(t).Encode(ctx, data(map[string]interface{}{"mine": true}))
		noError(t, err)
		_, err = client(t, live.Tokens["otherTenant"]).Get(ctx, s.Id)
		apiError(t, err, 404, sigilapi.NOTFOUND)
	})
	t.Run("409 for a key reused with another body", func(t *testing.T) {
		key := fmt.Sprintf("go-conflict-%d", time.Now().UnixNano())
		_, err := admin(t).Encode(ctx, data(map[string]interface{}{"v": 1}), sigil.WithIdempotencyKey(key))
		noError(t, err)
		_, err = admin(t).Encode(ctx, data(map[string]interface{}{"v": 2}), sigil.WithIdempotencyKey(key))
		apiError(t, err, 409, sigilapi.CONFLICT)
	})
	t.Run("413 names data", func(t *testing.T) {
		_, err := admin(t).Encode(ctx, data(map[string]interface{}{"blob": strings.Repeat("x", live.MaxDataBytes+1)}))
		if apiError(t, err, 413, sigilapi.PAYLOADTOOLARGE).FieldError("data") == nil {
			t.Fatal("want an error for data")
		}
	})
	t.Run("429 without retries", func(t *testing.T) {
		c, err := sigil.New(live.LimitedURL, sigil.WithToken(live.Tokens["writer"]), sigil.WithRetry(sigil.RetryPolicy{}))
		if err != nil {
			t.Fatal(err)
		}
		limit := int32(1)
		for i := 0; i < live.LimitedRequests+5; i++ {
			if _, err = c.List(ctx, sigil.ListSigilsParams{Limit: &limit}); err != nil {
				break
			}
		}
		if apiError(t, err, 429, sigilapi.RATELIMITED).RetryAfter <= 0 {
			t.Fatal("want a Retry-After")
		}
	})
}

// countingTransport records every status the server answered, retries included.
type countingTransport struct {
	mu       sync.Mutex
	statuses []int
}

func (c *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err == nil {
		c.mu.Lock()
		c.statuses = append(c.statuses, resp.StatusCode)
		c.mu.Unlock()
	}
	return resp, err
}

func TestRetriesA429AfterRetryAfterAndARetriedEncodeMintsOnce(t *testing.T) {
	ctx := context.Background()
	counting := &countingTransport{}
	c, err := sigil.New(live.LimitedURL,
		sigil.WithToken(live.Tokens["admin"]),
		sigil.WithHTTPClient(&http.Client{Transport: counting, Timeout: 30 * time.Second}),
		sigil.WithRetry(sigil.RetryPolicy{MaxRetries: 5, MaxDelay: 3 * time.Second, BaseDelay: 200 * time.Millisecond}),
	)
	if err != nil {
		t.Fatal(err)
	}
	tag := uniqueTag(t)
	minted := map[string]bool{}
	for n := 0; n < live.LimitedRequests+3; n++ {
		s, err := c.Encode(ctx, tagged(map[string]interface{}{"n": n}, tag))
		noError(t, err)
		minted[s.Id] = true
	}
	throttled := false
	for _, status := range counting.statuses {
		throttled = throttled || status == 429
	}
	if !throttled {
		t.Fatal("want some attempts throttled (and retried)")
	}
	limit := int32(100)
	listed := 0
	for item, err := range c.All(ctx, sigil.ListSigilsParams{Tag: &tag, Limit: &limit}) {
		if err != nil {
			t.Fatal(err)
		}
		if !minted[item.Id] {
			t.Fatalf("%s was minted by a retry", item.Id)
		}
		listed++
	}
	if listed != len(minted) {
		t.Fatalf("want %d sigils, got %d", len(minted), listed)
	}
}

func TestATokenSourceIsAskedBeforeEveryRequest(t *testing.T) {
	asked := 0
	c := client(t, "", sigil.WithTokenSource(func(context.Context) (string, error) {
		asked++
		return live.Tokens["admin"], nil
	}))
	_, err := c.Keys(context.Background())
	noError(t, err)
	_, err = c.Keys(context.Background())
	noError(t, err)
	if asked != 2 {
		t.Fatalf("want the source asked twice, got %d", asked)
	}
}
