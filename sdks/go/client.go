// Package sigil is a client for the Sigil-DNA API: the code oapi-codegen generates from the API
// document (package sigilapi) behind a small client with the API's conventions: a bearer token
// (static, or a source that refreshes it), typed problem+json errors (*APIError), retries of 429
// and 503 that honour Retry-After, an Idempotency-Key on every encode, and an iterator over all
// pages of a list.
package sigil

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"strings"
	"time"

	"sigil.example.com/sdk/go/sigilapi"
)

// The API's types, under shorter names.
type (
	Sigil                 = sigilapi.Sigil
	SigilSummary          = sigilapi.SigilSummary
	SigilList             = sigilapi.SigilList
	EncodeSigilRequest    = sigilapi.EncodeSigilRequest
	VerifySigilRequest    = sigilapi.VerifySigilRequest
	VerifyResult          = sigilapi.VerifyResult
	MatchByPatternRequest = sigilapi.MatchByPatternRequest
	MatchBySigilRequest   = sigilapi.MatchBySigilRequest
	MatchResult           = sigilapi.MatchResult
	ListSigilsParams      = sigilapi.ListSigilsParams
	KeyStatus             = sigilapi.KeyStatus
	Backup                = sigilapi.Backup
)

// TokenSource returns a current bearer token; it is called before every request.
type TokenSource func(ctx context.Context) (string, error)

type config struct {
	token      TokenSource
	httpClient *http.Client
	retry      RetryPolicy
}

// Option configures New.
type Option func(*config)

// WithToken authenticates every request with one bearer token.
func WithToken(token string) Option {
	return func(c *config) { c.token = func(context.Context) (string, error) { return token, nil } }
}

// WithTokenSource authenticates every request with the token the source returns then.
func WithTokenSource(source TokenSource) Option { return func(c *config) { c.token = source } }

// WithHTTPClient sends requests through this client (its transport is wrapped for retries).
func WithHTTPClient(client *http.Client) Option { return func(c *config) { c.httpClient = client } }

// WithRetry replaces DefaultRetryPolicy; RetryPolicy{} turns retrying off.
func WithRetry(policy RetryPolicy) Option { return func(c *config) { c.retry = policy } }

// Client is the Sigil-DNA API. Methods return the response body or an *APIError.
type Client struct {
	api *sigilapi.ClientWithResponses
}

// New returns a client for the API at baseURL (e.g. https://sigil.example.com, without /api/v1).
func New(baseURL string, options ...Option) (*Client, error) {
	cfg := config{httpClient: &http.Client{Timeout: 30 * time.Second}, retry: DefaultRetryPolicy}
	for _, option := range options {
		option(&cfg)
	}
	if cfg.token == nil {
		return nil, errors.New("sigil: a token is required (WithToken or WithTokenSource)")
	}
	transport := cfg.httpClient.Transport
	if transport == nil {
		transport = http.DefaultTransport
	}
	httpClient := *cfg.httpClient
	httpClient.Transport = &retryTransport{next: transport, policy: cfg.retry}
	token := cfg.token
	authenticate := func(ctx context.Context, req *http.Request) error {
		value, err := token(ctx)
		if err != nil {
			return fmt.Errorf("sigil: token: %w", err)
		}
		req.Header.Set("Authorization", "Bearer "+value)
		req.Header.Set("User-Agent", "sigil-dna-go/"+APIVersion)
		return nil
	}
	api, err := sigilapi.NewClientWithResponses(
		strings.TrimRight(baseURL, "/"),
		sigilapi.WithHTTPClient(&httpClient),
		sigilapi.WithRequestEditorFn(authenticate),
	)
	if err != nil {
		return nil, err
	}
	return &Client{api: api}, nil
}

// API is the generated client, for what the methods here do not cover (response headers, legacy paths).
func (c *Client) API() *sigilapi.ClientWithResponses { return c.api }

// EncodeOption configures one Encode.
type EncodeOption func(*sigilapi.EncodeSigilParams)

// WithIdempotencyKey sends this Idempotency-Key instead of a generated one: use it to make your own
// retries of an encode (after a crash, say) return the sigil the first attempt minted.
func WithIdempotencyKey(key string) EncodeOption {
	return func(p *sigilapi.EncodeSigilParams) { p.IdempotencyKey = &key }
}

// Encode mints a sigil. Every call carries an Idempotency-Key (generated unless given), so the
// client's retries never mint twice.
func (c *Client) Encode(ctx context.Context, body EncodeSigilRequest, options ...EncodeOption) (*Sigil, error) {
	key := newKey()
	params := sigilapi.EncodeSigilParams{IdempotencyKey: &key}
	for _, option := range options {
		option(&params)
	}
	resp, err := c.api.EncodeSigilWithResponse(ctx, &params, body)
	if err != nil {
		return nil, err
	}
	return ok(resp.HTTPResponse, resp.Body, resp.JSON201)
}

// Get returns the sigil with its data; an *APIError with Code NOT_FOUND when it is not in the caller's tenant.
func (c *Client) Get(ctx context.Context, id string) (*Sigil, error) {
	resp, err := c.api.GetSigilWithResponse(ctx, id)
	if err != nil {
		return nil, err
	}
	return ok(resp.HTTPResponse, resp.Body, resp.JSON200)
}

// List returns one page, newest first; pass NextCursor back as Cursor.
func (c *Client) List(ctx context.Context, params ListSigilsParams) (*SigilList, error) {
	resp, err := c.api.ListSigilsWithResponse(ctx, &params)
	if err != nil {
		return nil, err
	}
	return ok(resp.HTTPResponse, resp.Body, resp.JSON200)
}

// All yields every sigil matching params (its Cursor is ignored), page after page, until the last;
// it stops at the first error, which it yields.
func (c *Client) All(ctx context.Context, params ListSigilsParams) iter.Seq2[SigilSummary, error] {
	return func(yield func(SigilSummary, error) bool) {
		params.Cursor = nil
		for {
			page, err := c.List(ctx, params)
			if err != nil {
				yield(SigilSummary{}, err)
				return
			}
			for _, item := range page.Items {
				if !yield(item, nil) {
					return
				}
			}
			if page.NextCursor == nil {
				return
			}
			params.Cursor = page.NextCursor
		}
	}
}

// Verify always answers a well-formed request: Valid, and the first failing check in Reason.
func (c *Client) Verify(ctx context.Context, body VerifySigilRequest) (*VerifyResult, error) {
	resp, err := c.api.VerifySigilWithResponse(ctx, body)
	if err != nil {
		return nil, err
	}
	return ok(resp.HTTPResponse, resp.Body, resp.JSON200)
}

// MatchByPattern finds sigils whose resonance pattern is like body.DnaPattern.
func (c *Client) MatchByPattern(ctx context.Context, body MatchByPatternRequest) (*MatchResult, error) {
	var request sigilapi.MatchSigilsJSONBody
	if err := request.FromMatchByPatternRequest(body); err != nil {
		return nil, err
	}
	return c.match(ctx, request)
}

// MatchBySigil finds sigils whose resonance pattern is like that of the sigil body.SigilId.
func (c *Client) MatchBySigil(ctx context.Context, body MatchBySigilRequest) (*MatchResult, error) {
	var request sigilapi.MatchSigilsJSONBody
	if err := request.FromMatchBySigilRequest(body); err != nil {
		return nil, err
	}
	return c.match(ctx, request)
}

// match sends the oneOf body itself: the generated MatchSigilsJSONRequestBody is a defined type
// over MatchSigilsJSONBody, so it would lose the union's MarshalJSON and encode as {}.
func (c *Client) match(ctx context.Context, body sigilapi.MatchSigilsJSONBody) (*MatchResult, error) {
	encoded, err := body.MarshalJSON()
	if err != nil {
		return nil, err
	}
	resp, err := c.api.MatchSigilsWithBodyWithResponse(ctx, "application/json", bytes.NewReader(encoded))
	if err != nil {
		return nil, err
	}
	return ok(resp.HTTPResponse, resp.Body, resp.JSON200)
}

// Revoke revokes the sigil (idempotent: revoking again returns it as first revoked); reason may be "".
func (c *Client) Revoke(ctx context.Context, id, reason string) (*Sigil, error) {
	body := sigilapi.RevokeSigilRequest{}
	if reason != "" {
		body.Reason = &reason
	}
	resp, err := c.api.RevokeSigilWithResponse(ctx, id, body)
	if err != nil {
		return nil, err
	}
	return ok(resp.HTTPResponse, resp.Body, resp.JSON200)
}

// Delete erases the sigil for good (scope sigil:admin).
func (c *Client) Delete(ctx context.Context, id string) error {
	resp, err := c.api.DeleteSigilWithResponse(ctx, id)
	if err != nil {
		return err
	}
	if resp.StatusCode() != http.StatusNoContent {
		return newAPIError(resp.HTTPResponse, resp.Body)
	}
	return nil
}

// Keys returns the key ring by kid (scope sigil:admin).
func (c *Client) Keys(ctx context.Context) (*KeyStatus, error) {
	resp, err := c.api.GetKeysWithResponse(ctx)
	if err != nil {
		return nil, err
	}
	return ok(resp.HTTPResponse, resp.Body, resp.JSON200)
}

// CreateBackup takes an online backup of a LevelDB store (scope sigil:admin).
func (c *Client) CreateBackup(ctx context.Context) (*Backup, error) {
	resp, err := c.api.CreateBackupWithResponse(ctx)
	if err != nil {
		return nil, err
	}
	return ok(resp.HTTPResponse, resp.Body, resp.JSON201)
}

func ok[T any](resp *http.Response, body []byte, parsed *T) (*T, error) {
	if resp.StatusCode >= 200 && resp.StatusCode < 300 && parsed != nil {
		return parsed, nil
	}
	return nil, newAPIError(resp, body)
}

// newKey is a random UUID (version 4) for an Idempotency-Key.
func newKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
