// Package eparaksts is a client for LVRTC's eParaksts Signing API (Latvia):
// file sessions and storage, CalculateDigest, finalizeSigning, addArchive,
// eSealCreate and configuration, authorized with an OAuth 2.0 client
// credentials token from the eIDAS integration platform.
//
// The service computes the data to be signed for documents held in its
// sessions; the person's card signs it; the service finalizes (timestamp
// and revocation data). Package [github.com/signet-sign/signet/flow] drives
// the whole exchange; package fake is a test double that speaks the same
// protocol with real cryptography.
package eparaksts

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/signet-sign/signet/remote"
)

// Profiles are the documented deployments.
var Profiles = map[string]Endpoints{
	"prep": {API: "https://signapi-prep.eparaksts.lv", Auth: "https://eidas-demo.eparaksts.lv"},
	"prod": {API: "https://signapi.eparaksts.lv", Auth: "https://eidas.eparaksts.lv"},
}

// Endpoints are the base URLs of a deployment.
type Endpoints struct {
	API  string // Signing API
	Auth string // eIDAS integration platform (OAuth token)
}

// Config configures a Client.
type Config struct {
	Endpoints
	ClientID string
	// ClientSecret is sent only to the token endpoint, never logged.
	ClientSecret string
	// HTTPClient carries timeouts and TLS settings (an extra CA); TLS is
	// always verified. Defaults to a client with a 60 s timeout.
	HTTPClient *http.Client
}

// Client talks to one eParaksts deployment. It is safe for concurrent use.
type Client struct {
	api  *url.URL
	http *http.Client
	conf clientcredentials.Config

	mu     sync.Mutex
	tokens oauth2.TokenSource
}

// tokenPath is the integration platform's token endpoint.
const tokenPath = "/trustedx-authserver/oauth/lvrtc-eipsign-as/token"

// New checks the configuration and returns a client. Plain http:// is
// accepted for loopback addresses only (a local test service).
func New(cfg Config) (*Client, error) {
	api, err := remote.ParseURL("eParaksts API", cfg.API)
	if err != nil {
		return nil, err
	}
	auth, err := remote.ParseURL("eParaksts auth", cfg.Auth)
	if err != nil {
		return nil, err
	}
	if cfg.ClientID == "" || cfg.ClientSecret == "" {
		return nil, ErrNoCredentials
	}
	hc := remote.HTTPClient(cfg.HTTPClient)
	c := &Client{
		api:  api,
		http: hc,
		conf: clientcredentials.Config{
			ClientID:     cfg.ClientID,
			ClientSecret: cfg.ClientSecret,
			TokenURL:     strings.TrimRight(auth.String(), "/") + tokenPath,
			Scopes:       []string{"urn:safelayer:eidas:oauth:token:introspect"},
			AuthStyle:    oauth2.AuthStyleInHeader, // HTTP Basic, as documented
		},
	}
	c.resetToken()
	return c, nil
}

// resetToken drops the cached token; the next request fetches a new one.
func (c *Client) resetToken() {
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, c.http)
	c.mu.Lock()
	c.tokens = oauth2.ReuseTokenSource(nil, c.conf.TokenSource(ctx))
	c.mu.Unlock()
}

func (c *Client) token() (string, error) {
	c.mu.Lock()
	ts := c.tokens
	c.mu.Unlock()
	t, err := ts.Token()
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && (re.Response.StatusCode == http.StatusUnauthorized || re.Response.StatusCode == http.StatusBadRequest) {
			return "", fmt.Errorf("%w: the platform refused the client id or secret (%s)", ErrAuth, re.Response.Status)
		}
		return "", fmt.Errorf("%w: cannot get an access token: %v", ErrAuth, err)
	}
	return t.AccessToken, nil
}

// request is one API call.
type request struct {
	method, path string
	json         any // body as JSON
	file         *namedFile
	// idempotent requests may be repeated once after a server error.
	idempotent bool
}

type namedFile struct {
	name string
	data io.Reader
}

// envelope is the API's answer: {"data": …} or {"error": {…}}.
type envelope struct {
	Data  json.RawMessage `json:"data"`
	Error *apiError       `json:"error"`
}

type apiError struct {
	Code    string   `json:"code"`
	Message string   `json:"message"`
	Details []string `json:"details"`
}

// do sends r and returns the body of a successful answer. A 401 means the
// request was not executed: the token is fetched again and the request sent
// once more, whatever it is. A 5xx is repeated once for idempotent requests
// only; finalizeSigning, for one, is never sent twice by itself.
func (c *Client) do(ctx context.Context, r request) ([]byte, error) {
	for attempt := 0; ; attempt++ {
		body, status, err := c.send(ctx, r)
		if err != nil {
			return nil, err
		}
		switch {
		case status == http.StatusUnauthorized && attempt == 0:
			c.resetToken()
			continue
		case status >= 500 && r.idempotent && attempt == 0:
			continue
		case status >= 200 && status < 300:
			return body, nil
		}
		return nil, apiErrorFrom(r.path, status, body)
	}
}

func (c *Client) send(ctx context.Context, r request) ([]byte, int, error) {
	tok, err := c.token()
	if err != nil {
		return nil, 0, err
	}
	var body io.Reader
	contentType := ""
	switch {
	case r.json != nil:
		b, err := json.Marshal(r.json)
		if err != nil {
			return nil, 0, err
		}
		body, contentType = bytes.NewReader(b), "application/json"
	case r.file != nil:
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		part, err := mw.CreateFormFile("file", r.file.name)
		if err != nil {
			return nil, 0, err
		}
		if _, err := io.Copy(part, r.file.data); err != nil {
			return nil, 0, err
		}
		if err := mw.Close(); err != nil {
			return nil, 0, err
		}
		body, contentType = &buf, mw.FormDataContentType()
	}
	u := *c.api
	u.Path = strings.TrimRight(u.Path, "/") + r.path
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), body)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Accept", "application/json")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	if len(data) > maxResponse {
		return nil, 0, fmt.Errorf("%w: answer larger than %d bytes", ErrBadResponse, maxResponse)
	}
	return data, resp.StatusCode, nil
}

// maxResponse bounds what is read from the service (documents included).
const maxResponse = 512 << 20

// decode unwraps {"data": …} into out.
func decode(path string, body []byte, out any) error {
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return fmt.Errorf("%w from %s: %v", ErrBadResponse, path, err)
	}
	if env.Error != nil {
		return &Error{Path: path, HTTPStatus: http.StatusOK, Code: env.Error.Code, Message: env.Error.Message, Details: env.Error.Details}
	}
	if len(env.Data) == 0 || string(env.Data) == "null" {
		return fmt.Errorf("%w from %s: no data", ErrBadResponse, path)
	}
	if err := json.Unmarshal(env.Data, out); err != nil {
		return fmt.Errorf("%w from %s: %v", ErrBadResponse, path, err)
	}
	return nil
}
