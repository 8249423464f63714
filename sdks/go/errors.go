package sigil

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"sigil.example.com/sdk/go/sigilapi"
)

// APIError is any answer that is not a success, as the API describes it (RFC 9457
// problem+json). Branch on Code, which is stable; use errors.As to get at it.
type APIError struct {
	// Status is the HTTP status (405, 414 and 415 carry the nearest code: NOT_FOUND, VALIDATION_FAILED).
	Status int
	Code   sigilapi.ProblemCode
	Title  string
	Detail string
	// RequestID is the request id: quote it when reporting a problem (it is in the service's logs too).
	RequestID string
	// FieldErrors has one entry per offending field (metadata.tags, Idempotency-Key, cursor...).
	FieldErrors []sigilapi.FieldError
	// RetryAfter is how long the server asked to wait (429, 503), or 0 when it did not say.
	RetryAfter time.Duration
	// Problem is the raw problem body.
	Problem sigilapi.Problem
}

func (e *APIError) Error() string {
	return fmt.Sprintf("sigil: %d %s: %s (request %s)", e.Status, e.Code, e.Detail, e.RequestID)
}

// FieldError returns the first error for the named field, or nil.
func (e *APIError) FieldError(field string) *sigilapi.FieldError {
	for i := range e.FieldErrors {
		if e.FieldErrors[i].Field == field {
			return &e.FieldErrors[i]
		}
	}
	return nil
}

// newAPIError reads a problem body, or describes what the server sent instead (a proxy's HTML 502).
func newAPIError(resp *http.Response, body []byte) *APIError {
	var problem sigilapi.Problem
	if err := json.Unmarshal(body, &problem); err != nil || problem.Code == "" {
		detail := strings.TrimSpace(string(body))
		if len(detail) > 500 {
			detail = detail[:500]
		}
		if detail == "" {
			detail = fmt.Sprintf("HTTP %d without a problem body", resp.StatusCode)
		}
		code := sigilapi.VALIDATIONFAILED
		if resp.StatusCode >= 500 {
			code = sigilapi.INTERNAL
		}
		problem = sigilapi.Problem{
			Type: "about:blank", Title: fmt.Sprintf("HTTP %d", resp.StatusCode), Status: int32(resp.StatusCode),
			Detail: detail, Code: code, RequestId: resp.Header.Get("X-Request-Id"),
		}
	}
	e := &APIError{
		Status:     resp.StatusCode,
		Code:       problem.Code,
		Title:      problem.Title,
		Detail:     problem.Detail,
		RequestID:  problem.RequestId,
		RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()),
		Problem:    problem,
	}
	if problem.Errors != nil {
		e.FieldErrors = *problem.Errors
	}
	return e
}

// parseRetryAfter reads delta-seconds or an HTTP date; 0 when absent or unreadable.
func parseRetryAfter(value string, now time.Time) time.Duration {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0
	}
	if seconds, err := strconv.Atoi(value); err == nil && seconds >= 0 {
		return time.Duration(seconds) * time.Second
	}
	if at, err := http.ParseTime(value); err == nil && at.After(now) {
		return at.Sub(now).Round(time.Second)
	}
	return 0
}
