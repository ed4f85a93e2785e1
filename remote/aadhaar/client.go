// Package aadhaar is a client for the Aadhaar eSign API of seed 001 (Setu's
// Data Gateway eSign): a PDF is uploaded, up to six signers each sign it
// with their Aadhaar OTP on the service's own screens, and the signed PDF
// is fetched from a short-lived URL. The service holds the signing; Signet
// drives it and proves locally what it did (package flow).
//
// Every endpoint of the seed is here: documents (upload, get), signature
// requests (create, get, download, delete, audit), signing configs
// (flexible placement) and templates (upload, get, render).
package aadhaar

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"time"

	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/remote"
)

// Deployments (quickstart: "Sandbox—https://dg-sandbox.setu.co",
// "Production—https://dg.setu.co").
const (
	SandboxURL    = "https://dg-sandbox.setu.co"
	ProductionURL = "https://dg.setu.co"
)

// MaxSigners is the seed's limit of signers per document ("for upto 6
// signers"). Setu's quickstart says 25 in one place; the seed describes
// the deployment Signet targets.
const MaxSigners = 6

// DefaultDownloadLimit bounds a signed document fetched from its
// download URL.
const DefaultDownloadLimit = 256 << 20

// maxAnswer bounds the JSON answers.
const maxAnswer = 16 << 20

// Config configures a Client.
type Config struct {
	URL string // default ProductionURL
	// ClientID, ClientSecret and ProductInstanceID are the headers
	// x-client-id, x-client-secret and x-product-instance-id; never
	// logged.
	ClientID, ClientSecret, ProductInstanceID string
	// HTTPClient carries timeouts and TLS. Default: remote.DefaultTimeout.
	HTTPClient *http.Client
	// DownloadLimit bounds a signed document; 0 means
	// DefaultDownloadLimit.
	DownloadLimit int64
}

// Client talks to one deployment.
type Client struct {
	base *url.URL
	cfg  Config
	http *http.Client
}

var (
	// ErrNoCredentials reports missing credentials.
	ErrNoCredentials = i18n.Errorf("aadhaar.no_credentials", nil)
	// ErrUnreachable reports a network failure or timeout.
	ErrUnreachable = i18n.Errorf("aadhaar.unreachable", nil)
	// ErrBadResponse reports an answer that is not the documented one.
	ErrBadResponse = i18n.Errorf("aadhaar.bad_response", nil)
	// ErrTooLarge reports a signed document over the download limit.
	ErrTooLarge = i18n.Errorf("aadhaar.too_large", nil)
)

// New checks cfg.
func New(cfg Config) (*Client, error) {
	if cfg.URL == "" {
		cfg.URL = ProductionURL
	}
	u, err := remote.ParseURL("Aadhaar eSign", cfg.URL)
	if err != nil {
		return nil, err
	}
	if cfg.ClientID == "" || cfg.ClientSecret == "" || cfg.ProductInstanceID == "" {
		return nil, ErrNoCredentials
	}
	if cfg.DownloadLimit <= 0 {
		cfg.DownloadLimit = DefaultDownloadLimit
	}
	return &Client{base: u, cfg: cfg, http: remote.HTTPClient(cfg.HTTPClient)}, nil
}

// URL is the deployment's base URL.
func (c *Client) URL() string { return c.base.String() }

// Document is an uploaded document.
type Document struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	DocumentType string `json:"documentType,omitempty"`
	DownloadURL  string `json:"downloadUrl,omitempty"`
}

// Placement is a signer's signature in a request without a signing
// config: the seed's "signature" object.
type Placement struct {
	// OnPages are page numbers as strings.
	//
	// ASSUMPTION: the seed's example is ["1"] for a one-page document
	// and, unlike the signing config, does not say where numbering
	// starts; Signet takes them 1-based. Signing configs are 0-based, as
	// the seed says.
	OnPages  []string `json:"onPages"`
	Position string   `json:"position"` // e.g. "bottom-left"
	Height   int      `json:"height,omitempty"`
	Width    int      `json:"width,omitempty"`
}

// SignerInput is a signer of a new request.
type SignerInput struct {
	Identifier  string `json:"identifier"`
	DisplayName string `json:"displayName"`
	BirthYear   string `json:"birthYear,omitempty"`
	// Signature places the signature without a config; with a config,
	// SignerConfigNumber (1-based) picks the config's signer.
	Signature          *Placement `json:"signature,omitempty"`
	SignerConfigNumber int        `json:"signerConfigNumber,omitempty"`
}

// RequestInput creates a signature request.
type RequestInput struct {
	DocumentID  string        `json:"documentId"`
	RedirectURL string        `json:"redirectUrl"`
	ConfigID    string        `json:"configId,omitempty"`
	Signers     []SignerInput `json:"signers"`
}

// SignatureDetails are what Aadhaar says of a signer who signed.
type SignatureDetails struct {
	AadhaarName   string `json:"aadhaarName"`
	AadhaarSuffix string `json:"aadhaarSuffix"`
	BirthYear     string `json:"birthYear"`
	Gender        string `json:"gender"`
	PostalCode    string `json:"postalCode"`
}

// Signer is a signer of a request as the service reports it.
type Signer struct {
	ID               string            `json:"id"`
	Identifier       string            `json:"identifier"`
	DisplayName      string            `json:"displayName"`
	BirthYear        string            `json:"birthYear,omitempty"`
	Status           string            `json:"status"` // pending | in_progress | signed
	ErrCode          string            `json:"errCode,omitempty"`
	URL              string            `json:"url,omitempty"`
	SignatureDetails *SignatureDetails `json:"signatureDetails,omitempty"`
}

// Request is a signature request.
type Request struct {
	ID          string   `json:"id"`
	DocumentID  string   `json:"documentId"`
	RedirectURL string   `json:"redirectUrl,omitempty"`
	Status      string   `json:"status"`
	Signers     []Signer `json:"signers"`
}

// Request statuses (the seed's table).
const (
	StatusInitiated  = "sign_initiated"
	StatusPending    = "sign_pending"
	StatusInProgress = "sign_in_progress"
	StatusComplete   = "sign_complete"
)

// Signer statuses.
const (
	SignerPending    = "pending"
	SignerInProgress = "in_progress"
	SignerSigned     = "signed"
)

// Download is where the signed document can be fetched, until ValidUpto.
type Download struct {
	URL       string    `json:"downloadUrl"`
	ID        string    `json:"id"`
	ValidUpto time.Time `json:"validUpto"`
}

// Coordinate is a signature rectangle in points, origin lower left.
type Coordinate struct {
	LowerLeftX  float64 `json:"lowerLeftX"`
	LowerLeftY  float64 `json:"lowerLeftY"`
	UpperRightX float64 `json:"upperRightX"`
	UpperRightY float64 `json:"upperRightY"`
}

// SignRectangle places a signature on pages (0-based).
type SignRectangle struct {
	Coordinate Coordinate `json:"coordinate"`
	Pages      []int      `json:"pages"`
}

// ConfigSigner is one signer of a signing config.
type ConfigSigner struct {
	Optional       bool            `json:"optional"`
	SignRectangles []SignRectangle `json:"signRectangles"`
}

// SigningConfig is a flexible placement of every signer's signatures.
type SigningConfig struct {
	ConfigID string         `json:"configId,omitempty"`
	Signers  []ConfigSigner `json:"signers"`
}

// do sends one call. body is JSON (any), multipart (*multipartBody) or
// nil; out, when not nil, receives the JSON answer. A status outside
// 2xx is an *Error.
func (c *Client) do(ctx context.Context, method, path string, body any, accept string, out any) ([]byte, error) {
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case *multipartBody:
		rd, ctype = bytes.NewReader(b.buf.Bytes()), b.contentType
	default:
		// json.Marshal writes one line: the seed insists the signing
		// config's body be "a continuous string".
		data, err := json.Marshal(b)
		if err != nil {
			return nil, err
		}
		rd, ctype = bytes.NewReader(data), "application/json"
	}
	u := *c.base
	u.Path = strings.TrimRight(u.Path, "/") + path
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, err
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if accept == "" {
		accept = "application/json"
	}
	req.Header.Set("Accept", accept)
	req.Header.Set("x-client-id", c.cfg.ClientID)
	req.Header.Set("x-client-secret", c.cfg.ClientSecret)
	req.Header.Set("x-product-instance-id", c.cfg.ProductInstanceID)
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
	if len(data) > maxAnswer {
		return nil, fmt.Errorf("%w: the answer to %s is larger than %d MB", ErrBadResponse, path, maxAnswer>>20)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, errorFrom(method+" "+path, resp.StatusCode, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return nil, fmt.Errorf("%w: the answer to %s %s is not the documented JSON: %v", ErrBadResponse, method, path, err)
		}
	}
	return data, nil
}

// multipartBody is a multipart/form-data body.
type multipartBody struct {
	buf         bytes.Buffer
	contentType string
}

// multipartOf builds a form with text fields and one PDF file.
func multipartOf(fileField, fileName string, file []byte, fields ...string) (*multipartBody, error) {
	b := &multipartBody{}
	w := multipart.NewWriter(&b.buf)
	for i := 0; i+1 < len(fields); i += 2 {
		if fields[i+1] == "" {
			continue
		}
		if err := w.WriteField(fields[i], fields[i+1]); err != nil {
			return nil, err
		}
	}
	h := make(textproto.MIMEHeader)
	h.Set("Content-Disposition", multipart.FileContentDisposition(fileField, fileName))
	h.Set("Content-Type", "application/pdf")
	part, err := w.CreatePart(h)
	if err != nil {
		return nil, err
	}
	if _, err := part.Write(file); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	b.contentType = w.FormDataContentType()
	return b, nil
}

func escape(id string) string { return url.PathEscape(id) }

// UploadDocument uploads a PDF (POST /api/documents: multipart with the
// file as "document", and "name"; "password" when the PDF has one).
func (c *Client) UploadDocument(ctx context.Context, name string, pdf []byte, password string) (*Document, error) {
	body, err := multipartOf("document", name, pdf, "name", name, "password", password)
	if err != nil {
		return nil, err
	}
	var d Document
	if _, err := c.do(ctx, http.MethodPost, "/api/documents", body, "", &d); err != nil {
		return nil, err
	}
	if d.ID == "" {
		return nil, fmt.Errorf("%w: the upload's answer has no id", ErrBadResponse)
	}
	return &d, nil
}

// GetDocument describes an uploaded document, with a URL to fetch it.
func (c *Client) GetDocument(ctx context.Context, id string) (*Document, error) {
	var d Document
	_, err := c.do(ctx, http.MethodGet, "/api/documents/"+escape(id), nil, "", &d)
	return &d, err
}

// CreateRequest creates a signature request (POST /api/signature).
func (c *Client) CreateRequest(ctx context.Context, in RequestInput) (*Request, error) {
	if n := len(in.Signers); n == 0 || n > MaxSigners {
		return nil, fmt.Errorf("a signature request takes 1 to %d signers, not %d", MaxSigners, n)
	}
	var r Request
	if _, err := c.do(ctx, http.MethodPost, "/api/signature", in, "", &r); err != nil {
		return nil, err
	}
	if r.ID == "" || len(r.Signers) != len(in.Signers) {
		return nil, fmt.Errorf("%w: the new request has no id or %d signers for %d", ErrBadResponse, len(r.Signers), len(in.Signers))
	}
	return &r, nil
}

// GetRequest reports a signature request and its signers.
func (c *Client) GetRequest(ctx context.Context, id string) (*Request, error) {
	var r Request
	if _, err := c.do(ctx, http.MethodGet, "/api/signature/"+escape(id), nil, "", &r); err != nil {
		return nil, err
	}
	if r.ID != id {
		return nil, fmt.Errorf("%w: asked for request %s, got %q", ErrBadResponse, id, r.ID)
	}
	return &r, nil
}

// DownloadURL asks where the signed document of a complete request can
// be fetched (GET /api/signature/:id/download).
func (c *Client) DownloadURL(ctx context.Context, id string) (*Download, error) {
	var d Download
	if _, err := c.do(ctx, http.MethodGet, "/api/signature/"+escape(id)+"/download", nil, "", &d); err != nil {
		return nil, err
	}
	if d.URL == "" {
		return nil, fmt.Errorf("%w: the download answer has no downloadUrl", ErrBadResponse)
	}
	return &d, nil
}

// ErrLinkExpired reports a download URL that no longer serves the file.
var ErrLinkExpired = i18n.Errorf("aadhaar.link_expired", nil)

// Fetch gets a file from a download URL (a storage link: no credentials
// are sent to it), up to the download limit. A refusal (403, 404, 410) is
// ErrLinkExpired: ask for a new URL.
func (c *Client) Fetch(ctx context.Context, link string) ([]byte, error) {
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname()))) {
		return nil, fmt.Errorf("%w: the download URL %q is not https", ErrBadResponse, link)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, link, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusForbidden, http.StatusNotFound, http.StatusGone:
		return nil, fmt.Errorf("%w (HTTP %d)", ErrLinkExpired, resp.StatusCode)
	default:
		return nil, fmt.Errorf("%w: the download link answered HTTP %d", ErrUnreachable, resp.StatusCode)
	}
	if resp.ContentLength > c.cfg.DownloadLimit {
		return nil, fmt.Errorf("%w (%d MB, the limit is %d MB)", ErrTooLarge, resp.ContentLength>>20, c.cfg.DownloadLimit>>20)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, c.cfg.DownloadLimit+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	if int64(len(data)) > c.cfg.DownloadLimit {
		return nil, fmt.Errorf("%w (%d MB)", ErrTooLarge, c.cfg.DownloadLimit>>20)
	}
	return data, nil
}

func isLoopback(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// Delete deletes a request and its document (POST /api/signature/:id/delete, 204).
func (c *Client) Delete(ctx context.Context, id string) error {
	_, err := c.do(ctx, http.MethodPost, "/api/signature/"+escape(id)+"/delete", nil, "", nil)
	return err
}

// AuditEvent is one event of an audit report.
type AuditEvent struct {
	CreatedAt string `json:"createdAt"`
	Activity  string `json:"activity"`
	Initiator struct {
		Name      string `json:"name"`
		Type      string `json:"type"`
		UserAgent string `json:"userAgent"`
		IP        string `json:"IP"`
	} `json:"initator"` // sic: the seed's spelling
	MetaData json.RawMessage `json:"metaData"`
}

// Audit is a request's audit report.
type Audit struct {
	ID       string       `json:"id"`
	Document Document     `json:"document"`
	Events   []AuditEvent `json:"events"`
}

// Audit fetches the audit report as JSON.
func (c *Client) Audit(ctx context.Context, id string) (*Audit, error) {
	var a Audit
	_, err := c.do(ctx, http.MethodGet, "/api/signature/"+escape(id)+"/audit", nil, "application/json", &a)
	return &a, err
}

// AuditPDF fetches the audit report as a PDF ("in pdf/json format").
func (c *Client) AuditPDF(ctx context.Context, id string) ([]byte, error) {
	return c.do(ctx, http.MethodGet, "/api/signature/"+escape(id)+"/audit", nil, "application/pdf", nil)
}

// UploadConfig uploads a signing config (POST /api/signature/config) and
// returns its id and the trace id.
func (c *Client) UploadConfig(ctx context.Context, cfg SigningConfig) (configID, traceID string, err error) {
	var out struct {
		ConfigID string `json:"configId"`
		TraceID  string `json:"traceId"`
	}
	if _, err := c.do(ctx, http.MethodPost, "/api/signature/config", cfg, "", &out); err != nil {
		return "", "", err
	}
	if out.ConfigID == "" {
		return "", "", fmt.Errorf("%w: the config's answer has no configId", ErrBadResponse)
	}
	return out.ConfigID, out.TraceID, nil
}

// Template is an uploaded document template.
type Template struct {
	ID          string                     `json:"id"`
	DownloadURL string                     `json:"downloadUrl"`
	Parameters  map[string]json.RawMessage `json:"parameters"`
}

// UploadTemplate uploads a template PDF with the positions of its
// parameters (POST /api/templates).
//
// ASSUMPTION: the seed lists the body as "template" (string) and
// "parameters" (object) without a content type; like the document upload
// it is sent as multipart/form-data, the PDF as the "template" file and
// the parameters as JSON text. (Setu's OpenAPI has another, older shape:
// POST /templates with "template_doc".)
func (c *Client) UploadTemplate(ctx context.Context, name string, pdf []byte, parameters map[string][2]float64) (*Template, error) {
	params, err := json.Marshal(parameters)
	if err != nil {
		return nil, err
	}
	body, err := multipartOf("template", name, pdf, "parameters", string(params))
	if err != nil {
		return nil, err
	}
	var t Template
	_, err = c.do(ctx, http.MethodPost, "/api/templates", body, "", &t)
	return &t, err
}

// GetTemplate describes a template.
func (c *Client) GetTemplate(ctx context.Context, id string) (*Template, error) {
	var t Template
	_, err := c.do(ctx, http.MethodGet, "/api/templates/"+escape(id), nil, "", &t)
	return &t, err
}

// RenderTemplate fills a template's parameters into a new document
// (POST /api/templates/:id/render), ready for a signature request.
func (c *Client) RenderTemplate(ctx context.Context, id, name string, parameters map[string]string) (*Document, error) {
	var d Document
	_, err := c.do(ctx, http.MethodPost, "/api/templates/"+escape(id)+"/render",
		map[string]any{"name": name, "parameters": parameters}, "", &d)
	return &d, err
}
