// Package remotesigning is a client for the Remote Signing API
// (remotesigning.vn): keys held in the provider's cloud, signing hashes or
// whole files after the person authorizes with a passcode or a one-time
// code. Signet uses hash signing so that documents never leave the
// person's machine: the PAdES hash is computed locally, the service returns
// a PKCS#1 signature, Signet embeds it.
package remotesigning

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/remote"
)

// DefaultURL is the documented deployment.
const DefaultURL = "https://api.remotesigning.vn"

// Authorization modes (the document's AuthMode table).
const (
	AuthPIN      = "EXPLICIT/PIN"
	AuthOTPSMS   = "EXPLICIT/OTP-SMS"
	AuthOTPEmail = "EXPLICIT/OTP-EMAIL"
)

// Config configures a Client.
type Config struct {
	URL string // default DefaultURL
	// Username, Password and RPCode are the relying party's credentials;
	// they are sent to clients/login only and never logged.
	Username, Password, RPCode string
	// HTTPClient carries timeouts and TLS (an extra CA). Default: 60 s.
	HTTPClient *http.Client
}

// Client talks to one deployment. It logs in on first use and again once
// when the service says the token or credentials expired.
type Client struct {
	base *url.URL
	cfg  Config
	http *http.Client

	mu    sync.Mutex
	token string
}

// ErrNoCredentials reports missing relying-party credentials.
var ErrNoCredentials = i18n.Errorf("err.rs_no_credentials", nil)

// New checks cfg. Plain http:// is accepted for loopback hosts only.
func New(cfg Config) (*Client, error) {
	if cfg.URL == "" {
		cfg.URL = DefaultURL
	}
	u, err := remote.ParseURL("remote signing", cfg.URL)
	if err != nil {
		return nil, err
	}
	if cfg.Username == "" || cfg.Password == "" || cfg.RPCode == "" {
		return nil, ErrNoCredentials
	}
	return &Client{base: u, cfg: cfg, http: remote.HTTPClient(cfg.HTTPClient)}, nil
}

// Response is the common answer of the API; fields a call does not use
// stay empty.
type Response struct {
	ResponseCode     int      `json:"responseCode"`
	ResponseMessage  string   `json:"responseMessage"`
	BillCode         string   `json:"billCode"`
	Timestamp        string   `json:"timestamp"`
	Status           bool     `json:"status"`
	RemainingCounter *int     `json:"remainingCounter"`
	SignatureValue   string   `json:"signatureValue"`
	SignatureValues  []string `json:"signatureValues"`
	// get-detail
	CertificateDN           string   `json:"certificateDN"`
	CertificateSerialNumber string   `json:"certificateSerialNumber"`
	CertificateThumbprint   string   `json:"certificateThumbprint"`
	ValidFrom               string   `json:"validFrom"`
	ValidTo                 string   `json:"validTo"`
	IssuerDN                string   `json:"issuerDN"`
	Certificate             string   `json:"certificate"`
	SharedMode              int      `json:"sharedMode"`
	AuthModeSupported       []string `json:"authModeSupported"`
	// register / change
	CSR           string `json:"csr"`
	OwnerUUID     string `json:"ownerUUID"`
	AgreementUUID string `json:"agreementUUID"`
	// signing/file
	SignedFileData         string       `json:"signedFileData"`
	MultipleSignedFileData []SignedFile `json:"multipleSignedFileData"`
	// signing/download
	SignedFiles []SignedFile `json:"signedFiles"`
}

// SignedFile is a file the service signed.
type SignedFile struct {
	FileName       string `json:"fileName"`
	SignedFileName string `json:"signedFileName"`
	Base64         string `json:"base64"`
	SignedFileData string `json:"signedFileData"`
	MimeType       string `json:"mimeType"`
}

// loginError is the 401 body of clients/login.
type loginError struct {
	Error *struct {
		StatusCode string `json:"statusCode"`
		Name       string `json:"name"`
		Message    string `json:"message"`
	} `json:"error"`
}

// login gets a bearer token.
func (c *Client) login(ctx context.Context) (string, error) {
	body, status, err := c.send(ctx, http.MethodPost, "/clients/login", map[string]string{
		"username": c.cfg.Username, "password": c.cfg.Password, "rpCode": c.cfg.RPCode,
	}, "")
	if err != nil {
		return "", err
	}
	if status != http.StatusOK {
		var le loginError
		msg := fmt.Sprintf("HTTP %d", status)
		if json.Unmarshal(body, &le) == nil && le.Error != nil && le.Error.Message != "" {
			msg = le.Error.Message
		}
		return "", fmt.Errorf("%w: the service refused the relying party's login (%s)", ErrAuth, msg)
	}
	var out struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(body, &out); err != nil || out.Token == "" {
		return "", fmt.Errorf("%w from /clients/login: no token", ErrBadResponse)
	}
	c.mu.Lock()
	c.token = out.Token
	c.mu.Unlock()
	return out.Token, nil
}

// Login logs in now (the other calls log in when they need to).
func (c *Client) Login(ctx context.Context) error {
	_, err := c.login(ctx)
	return err
}

func (c *Client) send(ctx context.Context, method, path string, payload any, token string) ([]byte, int, error) {
	var body io.Reader
	if payload != nil {
		b, err := json.Marshal(payload)
		if err != nil {
			return nil, 0, err
		}
		body = bytes.NewReader(b)
	}
	u := *c.base
	u.Path = strings.TrimRight(u.Path, "/") + path
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Accept", "application/json")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 512<<20))
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	return data, resp.StatusCode, nil
}

// call sends an authorized request and decodes the common answer. An
// expired token (HTTP 401) or expired credentials (1029) lead to one new
// login and one more try: the service did not act on the first request.
func (c *Client) call(ctx context.Context, method, path string, payload any) (*Response, error) {
	for attempt := 0; ; attempt++ {
		c.mu.Lock()
		tok := c.token
		c.mu.Unlock()
		if tok == "" {
			var err error
			if tok, err = c.login(ctx); err != nil {
				return nil, err
			}
		}
		body, status, err := c.send(ctx, method, path, payload, tok)
		if err != nil {
			return nil, err
		}
		if status == http.StatusUnauthorized && attempt == 0 {
			c.dropToken()
			continue
		}
		if status != http.StatusOK {
			return nil, &Error{Path: path, HTTPStatus: status}
		}
		resp, err := decode(path, body)
		if err != nil {
			return nil, err
		}
		if resp.ResponseCode == CodeCredentialsExpired && attempt == 0 {
			c.dropToken()
			continue
		}
		return resp, nil
	}
}

func (c *Client) dropToken() {
	c.mu.Lock()
	c.token = ""
	c.mu.Unlock()
}

func decode(path string, body []byte) (*Response, error) {
	var r Response
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("%w from %s: %v", ErrBadResponse, path, err)
	}
	return &r, nil
}
