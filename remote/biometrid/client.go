// Package biometrid is a client for biometrid's wrapper over Portugal's
// Chave Móvel Digital (seed 000): the whole document is sent with the
// citizen's identifier and signature PIN (POST /api/1.1/document/sign/cmd),
// the service answers a process id, and the security code the citizen
// receives by SMS releases the signed document. Unlike AMA's own service
// (package remote/cmd) the document leaves the computer.
package biometrid

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/remote"
)

// DefaultURL is the documented deployment.
const DefaultURL = "https://api.biometrid.com"

// SignPath is the documented signing call.
const SignPath = "/api/1.1/document/sign/cmd"

// OTPStep is the call that takes the security code ("Next step: invoke
// ValidateOTP"), which the seed names but does not describe.
//
// ASSUMPTION: it is modelled on AMA's ValidateOtp, which biometrid wraps:
// POST Path with {ProcessIDField: the process id, CodeField: the code},
// the same headers as the signing call, answered
// {"status": true, "message": …, DocumentField: base64 of the signed PDF}
// and errors as the signing call's ({"status": false, "data":
// {"message": CODE}}). Every name is here and nowhere else; the CLI's
// --otp-path and --otp-fields change them.
type OTPStep struct {
	Path                                     string
	ProcessIDField, CodeField, DocumentField string
}

// DefaultOTPStep is the assumed shape; see [OTPStep].
var DefaultOTPStep = OTPStep{Path: "/api/1.1/document/validateOTP", ProcessIDField: "processId", CodeField: "code", DocumentField: "document"}

// maxAnswer bounds an answer: the signed document in base64, and more.
const maxAnswer = 512 << 20

// Config configures a Client.
type Config struct {
	URL string // default DefaultURL
	// Key and Secret are the application's x-biometrid-key and
	// x-biometrid-secret; never logged.
	Key, Secret string
	OTP         OTPStep // default DefaultOTPStep
	HTTPClient  *http.Client
}

// Client talks to one deployment.
type Client struct {
	base *url.URL
	cfg  Config
	http *http.Client
}

var (
	// ErrNoCredentials reports a missing key or secret.
	ErrNoCredentials = i18n.Errorf("err.biometrid_no_credentials", nil)
	// ErrUnreachable reports a network failure or timeout.
	ErrUnreachable = i18n.Errorf("err.biometrid_unreachable", nil)
	// ErrBadResponse reports an answer that is not the documented one.
	ErrBadResponse = i18n.Errorf("err.biometrid_bad_response", nil)
)

// New checks cfg.
func New(cfg Config) (*Client, error) {
	if cfg.URL == "" {
		cfg.URL = DefaultURL
	}
	u, err := remote.ParseURL("biometrid", cfg.URL)
	if err != nil {
		return nil, err
	}
	if cfg.Key == "" || cfg.Secret == "" {
		return nil, ErrNoCredentials
	}
	if cfg.OTP == (OTPStep{}) {
		cfg.OTP = DefaultOTPStep
	}
	o := cfg.OTP
	if !strings.HasPrefix(o.Path, "/") || o.ProcessIDField == "" || o.CodeField == "" || o.DocumentField == "" {
		return nil, fmt.Errorf("the security-code step needs a path starting with / and three field names (got %+v)", o)
	}
	return &Client{base: u, cfg: cfg, http: remote.HTTPClient(cfg.HTTPClient)}, nil
}

// URL is the deployment's base URL.
func (c *Client) URL() string { return c.base.String() }

// Messages of the documented errors (data.message).
var messages = map[string]string{
	"MISSING_CODE":                                  "the signature PIN was not sent",
	"NO_FILES_OR_INVALID_FORMATS":                   "biometrid got no document, or one in a format it does not take",
	"INVALID_IDENTIFIER":                            "biometrid does not take this phone number as a Chave Móvel Digital identifier",
	"AUTHENTICATION_HEADERS_MISSING":                "the application's biometrid key and secret were not sent",
	"INVALID_AUTHENTICATION_HEADERS":                "biometrid refused the application's key or secret",
	"CLIENT_NOT_FOUND/CHECK_AUTHENTICATION_HEADERS": "biometrid knows no client with this key: check the key and secret",
}

// Error is an answer with "status": false.
type Error struct {
	Path       string
	HTTPStatus int
	Code       string // data.message, e.g. "INVALID_IDENTIFIER"
}

func (e *Error) Error() string {
	if m, ok := messages[e.Code]; ok {
		return fmt.Sprintf("%s (biometrid: %s)", m, e.Code)
	}
	if e.Code != "" {
		return fmt.Sprintf("biometrid refused %s: %s", e.Path, e.Code)
	}
	return fmt.Sprintf("biometrid refused %s (HTTP %d)", e.Path, e.HTTPStatus)
}

// answer is the common shape of the answers.
type answer struct {
	Status    *bool           `json:"status"`
	Message   string          `json:"message"`
	ProcessID string          `json:"processId"`
	Data      json.RawMessage `json:"data"`
}

// member is one member of a request body, its value already JSON.
type member struct {
	name   string
	value  []byte
	secret bool
}

func text(name, v string) member {
	b, _ := json.Marshal(v)
	return member{name: name, value: b}
}

// secret makes a member of a PIN or code without copying it into a
// string (which could not be cleared): both are digits, so the JSON
// string is the digits in quotes.
func secret(name, what string, digits []byte) (member, error) {
	if len(digits) == 0 {
		return member{}, fmt.Errorf("no %s", what)
	}
	for _, d := range digits {
		if d < '0' || d > '9' {
			return member{}, fmt.Errorf("the %s must be digits only", what)
		}
	}
	b := make([]byte, 0, len(digits)+2)
	b = append(append(append(b, '"'), digits...), '"')
	return member{name: name, value: b, secret: true}, nil
}

// post sends the members as a JSON object to path and returns the
// answer's fields; a "status": false answer (whatever its HTTP status) is
// an *Error.
func (c *Client) post(ctx context.Context, path string, members ...member) (map[string]json.RawMessage, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, m := range members {
		if i > 0 {
			buf.WriteByte(',')
		}
		name, _ := json.Marshal(m.name)
		buf.Write(name)
		buf.WriteByte(':')
		buf.Write(m.value)
		if m.secret {
			clear(m.value)
		}
	}
	buf.WriteByte('}')
	payload := buf.Bytes()
	// The payload holds the PIN or the code.
	defer clear(payload)
	u := *c.base
	u.Path = strings.TrimRight(u.Path, "/") + path
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(payload))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("x-biometrid-key", c.cfg.Key)
	req.Header.Set("x-biometrid-secret", c.cfg.Secret)
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	return decode(path, resp.StatusCode, data)
}

// decode reads an answer.
func decode(path string, status int, data []byte) (map[string]json.RawMessage, error) {
	if len(data) > maxAnswer {
		return nil, fmt.Errorf("%w: the answer to %s is larger than %d MB", ErrBadResponse, path, maxAnswer>>20)
	}
	var fields map[string]json.RawMessage
	var a answer
	if json.Unmarshal(data, &fields) != nil || json.Unmarshal(data, &a) != nil || a.Status == nil {
		if status != http.StatusOK {
			return nil, &Error{Path: path, HTTPStatus: status}
		}
		return nil, fmt.Errorf("%w: the answer to %s is not the documented JSON", ErrBadResponse, path)
	}
	if !*a.Status {
		e := &Error{Path: path, HTTPStatus: status}
		var d struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(a.Data, &d) == nil {
			e.Code = d.Message
		}
		if e.Code == "" {
			e.Code = a.Message
		}
		return nil, e
	}
	if status < 200 || status > 299 {
		return nil, &Error{Path: path, HTTPStatus: status}
	}
	return fields, nil
}

// Identifier is what biometrid takes for a UserId ("+351 912345678"):
// the seed's example is the bare national number ("917777777"), so a
// Portuguese number loses its country code; a foreign one is sent as it
// is, with its code.
func Identifier(userID string) string {
	if n, ok := strings.CutPrefix(userID, "+351 "); ok {
		return n
	}
	return userID
}

// Sign sends the document with the citizen's identifier and PIN and
// returns the process id the security code goes with. The seed's table
// types code as a string; its example's bare 0000 is not even JSON (a
// number cannot have leading zeros, and a PIN can): Signet sends a
// string.
func (c *Client) Sign(ctx context.Context, userID string, pin []byte, document []byte) (string, error) {
	code, err := secret("code", "PIN", pin)
	if err != nil {
		return "", err
	}
	fields, err := c.post(ctx, SignPath, code, text("identifier", Identifier(userID)),
		text("document", base64.StdEncoding.EncodeToString(document)))
	if err != nil {
		return "", err
	}
	var pid string
	if json.Unmarshal(fields["processId"], &pid) != nil || pid == "" {
		return "", fmt.Errorf("%w: the answer to %s has no processId", ErrBadResponse, SignPath)
	}
	return pid, nil
}

// ValidateOTP sends the security code of a process and returns the
// signed document (see [OTPStep] for the assumed shape).
func (c *Client) ValidateOTP(ctx context.Context, processID string, otp []byte) ([]byte, error) {
	o := c.cfg.OTP
	code, err := secret(o.CodeField, "security code", otp)
	if err != nil {
		return nil, err
	}
	fields, err := c.post(ctx, o.Path, text(o.ProcessIDField, processID), code)
	if err != nil {
		return nil, err
	}
	var b64 string
	if json.Unmarshal(fields[o.DocumentField], &b64) != nil || b64 == "" {
		return nil, fmt.Errorf("%w: the answer to %s has no %q (the signed document); if this deployment names it otherwise, say so with --otp-fields", ErrBadResponse, o.Path, o.DocumentField)
	}
	doc, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, fmt.Errorf("%w: the signed document is not base64", ErrBadResponse)
	}
	return doc, nil
}
