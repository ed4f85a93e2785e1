// Package cmd is a client for AMA's Chave Móvel Digital signature service
// (SCMDService, Portugal): a remote digest flow. Signet computes the
// PAdES hash of each document on the person's computer, the service signs
// it with the citizen's qualified key once the citizen confirms with the
// signature PIN and the security code it sends by SMS, and Signet embeds
// the signature. Documents never leave the computer.
//
// The protocol is the service's WSDL (SOAP 1.1, document/literal, HTTPS
// with Basic authentication) and its specification (v1.9+): see wire.go
// for the messages, codes.go for the status codes, cipher.go for the
// encryption of the phone number, PIN and security code.
package cmd

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/remote"
)

// Endpoints (specification §2). The specification writes production as
// "https:// cmd.autenticacao.gov.pt/…" (a stray space).
const (
	PreProductionURL = "https://preprod.cmd.autenticacao.gov.pt/Ama.Authentication.Frontend/SCMDService.svc"
	ProductionURL    = "https://cmd.autenticacao.gov.pt/Ama.Authentication.Frontend/SCMDService.svc"
)

// MaxDocuments is the service's limit of documents per SCMDMultipleSign
// (specification §1: more are refused with code 900).
const MaxDocuments = 100

// maxAnswer bounds an answer: a hundred signatures and a certificate
// chain are well under 1 MB.
const maxAnswer = 8 << 20

// Config configures a Client.
type Config struct {
	URL string // default ProductionURL
	// ApplicationID is the identifier AMA gives the application.
	//
	// ASSUMPTION: the WSDL types applicationId as base64Binary (byte[])
	// and the specification does not say which bytes: Signet sends the
	// identifier's UTF-8 bytes. An identifier written "base64:…" is
	// taken as those bytes instead.
	ApplicationID string
	// Username and Password are the Basic-auth credentials AMA gives the
	// application; never logged.
	Username, Password string
	// Cipher encrypts the phone number, PIN and security code; default
	// AMA's published certificate with [DefaultPadding].
	Cipher *Cipher
	// HTTPClient carries timeouts and TLS. Default: remote.DefaultTimeout.
	HTTPClient *http.Client
}

// Client talks to one deployment.
type Client struct {
	url    *url.URL
	cfg    Config
	appID  []byte
	cipher *Cipher
	http   *http.Client
}

// New checks cfg.
func New(cfg Config) (*Client, error) {
	if cfg.URL == "" {
		cfg.URL = ProductionURL
	}
	u, err := remote.ParseURL("Chave Móvel Digital service", cfg.URL)
	if err != nil {
		return nil, err
	}
	if cfg.ApplicationID == "" || cfg.Username == "" || cfg.Password == "" {
		return nil, ErrNoCredentials
	}
	appID := []byte(cfg.ApplicationID)
	if b64, ok := strings.CutPrefix(cfg.ApplicationID, "base64:"); ok {
		if appID, err = base64.StdEncoding.DecodeString(b64); err != nil {
			return nil, fmt.Errorf("the application id %q is not base64 after \"base64:\"", cfg.ApplicationID)
		}
	}
	ci := cfg.Cipher
	if ci == nil {
		if ci, err = AMACipher(DefaultPadding); err != nil {
			return nil, err
		}
	}
	return &Client{url: u, cfg: cfg, appID: appID, cipher: ci, http: remote.HTTPClient(cfg.HTTPClient)}, nil
}

// Cipher is the encryption the client uses.
func (c *Client) Cipher() *Cipher { return c.cipher }

// call sends one operation and decodes its answer into a T.
func call[T any](ctx context.Context, c *Client, op string, in any) (*T, error) {
	var env requestEnvelope
	env.Body.Content = in
	body, err := xml.Marshal(env)
	if err != nil {
		return nil, err
	}
	// The body holds encrypted secrets: gone once sent.
	defer clear(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url.String(), io.MultiReader(strings.NewReader(xml.Header), bytes.NewReader(body)))
	if err != nil {
		return nil, err
	}
	req.ContentLength = int64(len(xml.Header) + len(body))
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	req.Header.Set("SOAPAction", `"`+actionBase+op+`"`)
	req.SetBasicAuth(c.cfg.Username, c.cfg.Password)
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%w (%s): %v", ErrUnreachable, op, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return nil, fmt.Errorf("%w (%s): %v", ErrUnreachable, op, err)
	}
	return decode[T](op, resp.StatusCode, data)
}

// decode reads a SOAP answer: the operation's response element, a fault,
// or an HTTP error.
func decode[T any](op string, status int, data []byte) (*T, error) {
	if len(data) > maxAnswer {
		return nil, fmt.Errorf("%w: the %s answer is larger than %d MB", ErrBadResponse, op, maxAnswer>>20)
	}
	var env responseEnvelope[T]
	xmlErr := xml.Unmarshal(data, &env)
	if xmlErr == nil && env.Body.Fault != nil {
		return nil, &FaultError{Op: op, HTTPStatus: status, Fault: *env.Body.Fault}
	}
	if status != http.StatusOK {
		return nil, &HTTPError{Op: op, Status: status}
	}
	if xmlErr != nil {
		return nil, fmt.Errorf("%w: the %s answer is not the WSDL's: %v", ErrBadResponse, op, xmlErr)
	}
	if env.Body.Content == nil {
		return nil, fmt.Errorf("%w: the %s answer is empty", ErrBadResponse, op)
	}
	return env.Body.Content, nil
}

// checkStatus turns a status other than 200 into a *StatusError.
func checkStatus(op string, s *Status) (*Status, error) {
	if s == nil {
		return nil, fmt.Errorf("%w: the %s answer has no status", ErrBadResponse, op)
	}
	if s.Code != CodeOK {
		return s, &StatusError{Op: op, Status: *s}
	}
	return s, nil
}

// GetCertificate returns the citizen's certificate chain, signing
// certificate first, as the service sends it (PEM blocks, leaf then
// issuers). userID is a [UserID].
func (c *Client) GetCertificate(ctx context.Context, userID string) ([]*x509.Certificate, error) {
	uid, err := c.cipher.Encrypt([]byte(userID))
	if err != nil {
		return nil, err
	}
	out, err := call[getCertificateResponse](ctx, c, "GetCertificate", getCertificate{ApplicationID: c.appID, UserID: uid})
	if err != nil {
		return nil, err
	}
	return ParseChain(out.Result)
}

// ErrNoCertificate reports an empty GetCertificate answer: the service
// knows no signing certificate for that phone number.
var ErrNoCertificate = i18n.Errorf("err.cmd_no_certificate", nil)

// ParseChain reads the PEM certificates of a GetCertificate answer,
// signing certificate first.
func ParseChain(text string) ([]*x509.Certificate, error) {
	rest := []byte(text)
	var chain []*x509.Certificate
	for len(chain) < 16 {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		cert, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: a certificate of the chain cannot be read: %v", ErrBadResponse, err)
		}
		chain = append(chain, cert)
	}
	if len(chain) == 0 {
		if strings.TrimSpace(text) != "" {
			return nil, fmt.Errorf("%w: the certificate is not PEM", ErrBadResponse)
		}
		return nil, ErrNoCertificate
	}
	return chain, nil
}

// Document is one hash to sign: Hash is the DigestInfo (see [DigestInfo]),
// Name what the citizen sees, ID the key of its signature in the answer.
type Document struct {
	ID, Name string
	Hash     []byte
}

// encryptSecrets encrypts the user id and the PIN.
func (c *Client) encryptSecrets(userID string, pin []byte) (uid, p string, err error) {
	if uid, err = c.cipher.Encrypt([]byte(userID)); err != nil {
		return "", "", err
	}
	p, err = c.cipher.Encrypt(pin)
	return uid, p, err
}

// Sign asks the service to sign one hash (SCMDSign); the service sends
// the citizen a security code, which [Client.ValidateOtp] takes with the
// returned process id.
func (c *Client) Sign(ctx context.Context, userID string, pin []byte, doc Document) (string, error) {
	uid, p, err := c.encryptSecrets(userID, pin)
	if err != nil {
		return "", err
	}
	out, err := call[scmdSignResponse](ctx, c, "SCMDSign", scmdSign{Request: &signRequest{
		ApplicationID: c.appID, DocName: doc.Name, Hash: doc.Hash, Pin: p, UserID: uid}})
	if err != nil {
		return "", err
	}
	return processID("SCMDSign", out.Result)
}

// SignMultiple asks the service to sign up to MaxDocuments hashes in one
// process (SCMDMultipleSign): one security code for them all.
func (c *Client) SignMultiple(ctx context.Context, userID string, pin []byte, docs []Document) (string, error) {
	if len(docs) > MaxDocuments {
		return "", fmt.Errorf("%w: %d documents, the service takes at most %d", ErrTooManyItems, len(docs), MaxDocuments)
	}
	uid, p, err := c.encryptSecrets(userID, pin)
	if err != nil {
		return "", err
	}
	arr := &arrayOfHashStructure{}
	for _, d := range docs {
		arr.Items = append(arr.Items, hashStructure{Hash: d.Hash, Name: d.Name, ID: d.ID})
	}
	out, err := call[scmdMultipleSignResponse](ctx, c, "SCMDMultipleSign", scmdMultipleSign{
		Request: &multipleSignRequest{ApplicationID: c.appID, Pin: p, UserID: uid}, Documents: arr})
	if err != nil {
		return "", err
	}
	return processID("SCMDMultipleSign", out.Result)
}

// GetCertificateWithPin starts a process that returns the citizen's
// certificate after the security code (ValidateOtp's certificate): it
// proves the citizen holds the PIN and the phone.
func (c *Client) GetCertificateWithPin(ctx context.Context, userID string, pin []byte) (string, error) {
	uid, p, err := c.encryptSecrets(userID, pin)
	if err != nil {
		return "", err
	}
	out, err := call[getCertificateWithPinResponse](ctx, c, "GetCertificateWithPin", getCertificateWithPin{
		ApplicationID: c.appID, UserID: uid, Pin: p})
	if err != nil {
		return "", err
	}
	return processID("GetCertificateWithPin", out.Result)
}

func processID(op string, s *Status) (string, error) {
	s, err := checkStatus(op, s)
	if err != nil {
		return "", err
	}
	if s.ProcessID == "" {
		return "", fmt.Errorf("%w: the %s answer has no process id", ErrBadResponse, op)
	}
	return s.ProcessID, nil
}

// ForceSMS has the service send a new security code for the process.
func (c *Client) ForceSMS(ctx context.Context, processID, userID string) error {
	uid, err := c.cipher.Encrypt([]byte(userID))
	if err != nil {
		return err
	}
	out, err := call[forceSMSResponse](ctx, c, "ForceSMS", forceSMS{ProcessID: processID, CitizenID: uid, ApplicationID: c.appID})
	if err != nil {
		return err
	}
	_, err = checkStatus("ForceSMS", out.Result)
	return err
}

// Signed is what a good security code releases.
type Signed struct {
	// Signature answers SCMDSign.
	Signature []byte
	// Signatures answer SCMDMultipleSign, by document id.
	Signatures map[string][]byte
	// Certificate answers GetCertificateWithPin (PEM).
	Certificate string
}

// ValidateOtp sends the security code of a process and returns what it
// releases. A wrong code is an error that is [ErrWrongOTP].
func (c *Client) ValidateOtp(ctx context.Context, processID string, otp []byte) (*Signed, error) {
	code, err := c.cipher.Encrypt(otp)
	if err != nil {
		return nil, err
	}
	out, err := call[validateOtpResponse](ctx, c, "ValidateOtp", validateOtp{Code: code, ProcessID: processID, ApplicationID: c.appID})
	if err != nil {
		return nil, err
	}
	r := out.Result
	if r == nil {
		return nil, fmt.Errorf("%w: the ValidateOtp answer is empty", ErrBadResponse)
	}
	if _, err := checkStatus("ValidateOtp", r.Status); err != nil {
		return nil, err
	}
	s := &Signed{Signature: r.Signature, Certificate: r.Certificate}
	if r.Hashes != nil {
		s.Signatures = make(map[string][]byte, len(r.Hashes.Items))
		for _, h := range r.Hashes.Items {
			if _, dup := s.Signatures[h.ID]; dup {
				return nil, fmt.Errorf("%w: document id %q is signed twice", ErrBadResponse, h.ID)
			}
			s.Signatures[h.ID] = h.Hash
		}
	}
	return s, nil
}
