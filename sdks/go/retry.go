package sigil

import (
	"io"
	"net/http"
	"time"
)

// RetryPolicy says how 429 (rate limited) and 503 (storage unavailable, draining) are retried:
// up to MaxRetries times after the first attempt (0 turns retrying off), waiting as Retry-After
// says, never longer than MaxDelay; without Retry-After, BaseDelay doubling each time.
type RetryPolicy struct {
	MaxRetries int
	MaxDelay   time.Duration
	BaseDelay  time.Duration
}

// DefaultRetryPolicy is what New uses unless WithRetry says otherwise.
var DefaultRetryPolicy = RetryPolicy{MaxRetries: 3, MaxDelay: 10 * time.Second, BaseDelay: 500 * time.Millisecond}

func retryable(status int) bool {
	return status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable
}

func (p RetryPolicy) delay(resp *http.Response, attempt int) time.Duration {
	wait := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	if wait == 0 && resp.Header.Get("Retry-After") == "" {
		wait = p.BaseDelay << attempt
	}
	if wait > p.MaxDelay {
		wait = p.MaxDelay
	}
	return wait
}

// retryTransport re-sends the same request (its headers, so an encode's Idempotency-Key, included),
// so a retried encode cannot mint a second sigil.
type retryTransport struct {
	next   http.RoundTripper
	policy RetryPolicy
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	for attempt := 0; ; attempt++ {
		attemptReq := req
		if attempt > 0 {
			attemptReq = req.Clone(req.Context())
			if req.GetBody != nil {
				body, err := req.GetBody()
				if err != nil {
					return nil, err
				}
				attemptReq.Body = body
			}
		}
		resp, err := t.next.RoundTrip(attemptReq)
		replayable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
		if err != nil || !retryable(resp.StatusCode) || attempt >= t.policy.MaxRetries || !replayable {
			return resp, err
		}
		wait := t.policy.delay(resp, attempt)
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		timer := time.NewTimer(wait)
		select {
		case <-req.Context().Done():
			timer.Stop()
			return nil, req.Context().Err()
		case <-timer.C:
		}
	}
}
