package agent

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"

	jsonv2 "github.com/go-json-experiment/json"

	"github.com/signet-sign/signet/flow"
	"github.com/signet-sign/signet/internal/redact"
	"github.com/signet-sign/signet/keys"
	"github.com/signet-sign/signet/pdf"
	"github.com/signet-sign/signet/pkcs11"
	"github.com/signet-sign/signet/prompt"
)

// Error codes, stable for clients (openapi.yaml lists them).
const (
	CodeBadHost            = "bad_host"
	CodeOriginRequired     = "origin_required"
	CodeOriginDenied       = "origin_denied"
	CodeUnsupportedMedia   = "unsupported_media_type"
	CodeBodyTooLarge       = "body_too_large"
	CodeBadRequest         = "bad_request"
	CodeUnknownCertificate = "unknown_certificate"
	CodeUserDeclined       = "user_declined"
	CodeWrongPIN           = "wrong_pin"
	CodePINLocked          = "pin_locked"
	CodeTokenRemoved       = "token_removed"
	CodeBadDocument        = "bad_document"
	CodeNotForSigning      = "not_for_signing"
	CodeNotForLogin        = "not_for_login"
	CodeSigningFailed      = "signing_failed"
	CodeNotFound           = "not_found"
	CodeInternal           = "internal"
)

// apiError is every error's body.
type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// TriesLeft after a wrong PIN, when the token tells (-1 unknown).
	TriesLeft *int `json:"triesLeft,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// fail answers an error. Messages carry errors from lower layers, which
// may name a service's URL: credentials in it never reach the page.
func fail(w http.ResponseWriter, status int, code, format string, args ...any) {
	writeJSON(w, status, apiError{Code: code, Message: redact.Text(fmt.Sprintf(format, args...))})
}

// Body limits: a digest request is small; a PDF one holds the document
// in base64 (4/3 of its size).
const maxDigestBody = 256 << 10

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/info", s.info)
	mux.HandleFunc("GET /v1/certificates", s.originRequired(s.certificates))
	mux.HandleFunc("POST /v1/sign/digest", s.originRequired(s.jsonBody(maxDigestBody, s.signDigest)))
	mux.HandleFunc("POST /v1/authenticate", s.originRequired(s.jsonBody(maxDigestBody, s.authenticate)))
	mux.HandleFunc("POST /v1/sign/digest/batch", s.originRequired(s.jsonBody(maxDigestBody*8, s.signDigestBatch)))
	mux.HandleFunc("POST /v1/sign/pdf", s.originRequired(s.jsonBody(s.cfg.MaxPDF*4/3+(64<<10), s.signPDF)))
	mux.HandleFunc("POST /v1/sign/pdf/batch", s.originRequired(s.jsonBody(s.cfg.MaxPDF*4/3+(64<<10), s.signPDFBatch)))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fail(w, http.StatusNotFound, CodeNotFound, "no such endpoint: %s %s", r.Method, r.URL.Path)
	})
	return s.recoverPanics(s.checkHost(s.cors(mux)))
}

// recoverPanics keeps one bad request from stopping the agent: the one
// recover of the program, at the request boundary.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.cfg.Log.Printf("agent: panic serving %s %s: %v", r.Method, r.URL.Path, v)
				fail(w, http.StatusInternalServerError, CodeInternal, "the agent failed on this request; it keeps running")
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// checkHost accepts only requests addressed to the agent by loopback
// name: a page on evil.example whose name resolves to 127.0.0.1 (DNS
// rebinding) sends Host: evil.example and is refused.
func (s *Server) checkHost(next http.Handler) http.Handler {
	ok := map[string]bool{
		"127.0.0.1:" + strconv.Itoa(s.port): true,
		"[::1]:" + strconv.Itoa(s.port):     true,
		"localhost:" + strconv.Itoa(s.port): true,
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !ok[strings.ToLower(r.Host)] {
			fail(w, http.StatusForbidden, CodeBadHost, "the agent answers only to 127.0.0.1:%d, [::1]:%d or localhost:%d", s.port, s.port, s.port)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// ValidOrigin reports a web origin: http(s)://host[:port], nothing more.
func ValidOrigin(o string) bool {
	u, err := url.Parse(o)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" &&
		u.Path == "" && u.RawQuery == "" && u.User == nil && u.Fragment == ""
}

// cors answers CORS for allowed origins only. It asks nothing: a
// preflight, /v1/info or an unknown path never raises a question (a page
// could otherwise flood the person); the endpoints that need an origin
// ask (originRequired), and a page's first request, GET /v1/certificates,
// is a simple request that needs no preflight.
func (s *Server) cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Add("Vary", "Origin")
		if !ValidOrigin(origin) {
			fail(w, http.StatusForbidden, CodeOriginDenied, "origin %q is not a web origin", origin)
			return
		}
		allowed := s.allowedNow(origin)
		if r.Method == http.MethodOptions {
			if !allowed {
				fail(w, http.StatusForbidden, CodeOriginDenied, "%s is not allowed to use Signet (yet): a page asks first with GET /v1/certificates", origin)
				return
			}
			h := w.Header()
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Allow-Methods", "GET, POST")
			h.Set("Access-Control-Allow-Headers", "Content-Type")
			h.Set("Access-Control-Max-Age", "600")
			// Chrome's Private Network Access asks before a public page
			// may reach a loopback address; allowed origins only.
			if r.Header.Get("Access-Control-Request-Private-Network") == "true" {
				h.Set("Access-Control-Allow-Private-Network", "true")
			}
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if allowed {
			w.Header().Set("Access-Control-Allow-Origin", origin)
		}
		next.ServeHTTP(w, r)
	})
}

// originRequired refuses requests that carry no Origin (the API is for
// web pages; a local program uses the CLI) and asks the person about an
// origin they have not answered for.
func (s *Server) originRequired(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" {
			fail(w, http.StatusForbidden, CodeOriginRequired, "requests must come from a web page (an Origin header)")
			return
		}
		if err := s.askOrigin(r.Context(), origin); err != nil {
			fail(w, http.StatusForbidden, CodeOriginDenied, "%v", err)
			return
		}
		w.Header().Set("Access-Control-Allow-Origin", origin)
		next(w, r)
	}
}

// jsonBody requires a JSON body no larger than limit.
func (s *Server) jsonBody(limit int64, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mt != "application/json" {
			fail(w, http.StatusUnsupportedMediaType, CodeUnsupportedMedia, "send Content-Type: application/json")
			return
		}
		if r.ContentLength > limit {
			fail(w, http.StatusRequestEntityTooLarge, CodeBodyTooLarge, "the request is larger than %d bytes", limit)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next(w, r)
	}
}

// decode reads the JSON body into v, strictly: member names match the
// documented ones exactly (case included), a name given twice, an unknown
// name or anything after the object is refused. encoding/json accepts all
// three; its successor, github.com/go-json-experiment/json (encoding/json/v2
// behind a GOEXPERIMENT in Go 1.26), refuses them by default.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			fail(w, http.StatusRequestEntityTooLarge, CodeBodyTooLarge, "the request is larger than %d bytes", tooBig.Limit)
			return false
		}
		fail(w, http.StatusBadRequest, CodeBadRequest, "the request could not be read: %v", err)
		return false
	}
	if err := jsonv2.Unmarshal(body, v, jsonv2.RejectUnknownMembers(true)); err != nil {
		fail(w, http.StatusBadRequest, CodeBadRequest, "the request is not valid JSON for this endpoint: %v", err)
		return false
	}
	return true
}

type infoResponse struct {
	Name         string   `json:"name"`
	Version      string   `json:"version"`
	Capabilities []string `json:"capabilities"`
	// Allowed tells the calling origin whether it may use the agent
	// without being asked.
	Allowed bool `json:"allowed"`
}

func (s *Server) info(w http.ResponseWriter, r *http.Request) {
	allowed := s.allowedNow(r.Header.Get("Origin"))
	writeJSON(w, http.StatusOK, infoResponse{Name: "Signet", Version: s.cfg.Version, Allowed: allowed,
		Capabilities: []string{"certificates", "sign/digest", "sign/digest/batch", "sign/pdf", "sign/pdf/batch", "authenticate"}})
}

type certificateJSON struct {
	ID string `json:"id"`
	keys.CertificateSummary
	Token string `json:"token,omitempty"`
	// Certificate is the DER, base64.
	Certificate string `json:"certificate"`
	// PINPerSignature: the key asks its PIN before every signature.
	PINPerSignature bool `json:"pinPerSignature"`
}

func (s *Server) certificates(w http.ResponseWriter, _ *http.Request) {
	choices, err := s.listChoices(true)
	if err != nil {
		fail(w, http.StatusServiceUnavailable, CodeTokenRemoved, "no tokens: %v", err)
		return
	}
	out := []certificateJSON{}
	for _, c := range choices {
		if c.Cert == nil {
			continue // a key file: its certificate is known only once opened
		}
		out = append(out, certificateJSON{ID: certificateID(c.Cert), CertificateSummary: c.CertificateSummary, Token: c.Token,
			Certificate: base64.StdEncoding.EncodeToString(c.Cert.Raw), PINPerSignature: c.PINPerSignature})
	}
	writeJSON(w, http.StatusOK, map[string]any{"certificates": out})
}

// choice finds the certificate a request names.
func (s *Server) choice(w http.ResponseWriter, id string) (flow.KeyChoice, bool) {
	for _, fresh := range []bool{false, true} { // a card may just have come
		choices, err := s.listChoices(fresh)
		if err != nil {
			break
		}
		for _, c := range choices {
			if c.Cert != nil && certificateID(c.Cert) == strings.ToLower(id) {
				return c, true
			}
		}
	}
	fail(w, http.StatusNotFound, CodeUnknownCertificate, "no certificate %q on the tokens present (GET /v1/certificates lists them)", id)
	return flow.KeyChoice{}, false
}

var hashes = map[string]crypto.Hash{"SHA-256": crypto.SHA256, "SHA-384": crypto.SHA384, "SHA-512": crypto.SHA512}

type digestItem struct {
	// Digest is base64 of the hash.
	Digest    string `json:"digest"`
	Algorithm string `json:"algorithm"`
}

type signDigestRequest struct {
	CertificateID string `json:"certificateId"`
	digestItem
}

type signDigestBatchRequest struct {
	CertificateID string       `json:"certificateId"`
	Items         []digestItem `json:"items"`
}

type signatureJSON struct {
	// Signature is base64: PKCS#1 v1.5 for RSA, DER ECDSA-Sig-Value for EC.
	Signature string `json:"signature"`
	Algorithm string `json:"algorithm"`
}

type signedDigestsResponse struct {
	Signatures  []signatureJSON `json:"signatures"`
	Certificate string          `json:"certificate"`
	Chain       []string        `json:"chain"`
}

func (item digestItem) parse() (crypto.Hash, []byte, error) {
	h, ok := hashes[strings.ToUpper(item.Algorithm)]
	if !ok {
		return 0, nil, fmt.Errorf("algorithm %q: use SHA-256, SHA-384 or SHA-512", item.Algorithm)
	}
	d, err := base64.StdEncoding.DecodeString(item.Digest)
	if err != nil || len(d) != h.Size() {
		return 0, nil, fmt.Errorf("digest must be the base64 of %d bytes (%s)", h.Size(), item.Algorithm)
	}
	return h, d, nil
}

func (s *Server) signDigest(w http.ResponseWriter, r *http.Request) {
	var req signDigestRequest
	if !decode(w, r, &req) {
		return
	}
	s.digests(w, r, req.CertificateID, []digestItem{req.digestItem}, false, false)
}

// authenticate signs a digest with an authentication key, for a page
// that asks the person to prove who they are: its own endpoint, so that
// no signing request can ever reach an authentication key, and the
// person is asked in those words.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) {
	var req signDigestRequest
	if !decode(w, r, &req) {
		return
	}
	s.digests(w, r, req.CertificateID, []digestItem{req.digestItem}, false, true)
}

func (s *Server) signDigestBatch(w http.ResponseWriter, r *http.Request) {
	var req signDigestBatchRequest
	if !decode(w, r, &req) {
		return
	}
	if len(req.Items) == 0 || len(req.Items) > 100 {
		fail(w, http.StatusBadRequest, CodeBadRequest, "a batch holds 1 to 100 items")
		return
	}
	s.digests(w, r, req.CertificateID, req.Items, true, false)
}

func (s *Server) digests(w http.ResponseWriter, r *http.Request, certID string, items []digestItem, batch, login bool) {
	var hs []crypto.Hash
	var ds [][]byte
	for i, it := range items {
		h, d, err := it.parse()
		if err != nil {
			fail(w, http.StatusBadRequest, CodeBadRequest, "item %d: %v", i+1, err)
			return
		}
		hs, ds = append(hs, h), append(ds, d)
	}
	c, ok := s.choice(w, certID)
	if !ok {
		return
	}
	lock := s.tokenLock(c)
	lock.Lock()
	defer lock.Unlock()
	switch {
	case login && c.Purpose != keys.PurposeAuthentication:
		// A signing key proves no login: its signature means consent.
		fail(w, http.StatusForbidden, CodeNotForLogin, "%q is not an authentication certificate: choose the one for logging in", c.Name)
		return
	case !login && !notForSigning(w, c):
		return
	}
	names := make([]string, len(hs))
	for i, h := range hs {
		names[i] = h.String()
	}
	if err := s.approve(r.Context(), approval(r, c, Request{Digests: ds, Hashes: names, Login: login})); err != nil {
		fail(w, http.StatusForbidden, CodeUserDeclined, "the person declined the signing")
		return
	}
	signer, err := s.cfg.Keys.Open(r.Context(), c)
	if err != nil {
		s.forgetChoices()
		signError(w, err)
		return
	}
	defer signer.Close()
	resp := signedDigestsResponse{Certificate: base64.StdEncoding.EncodeToString(signer.Certificate().Raw), Chain: []string{}}
	for _, ch := range signer.Chain() {
		if !ch.Equal(signer.Certificate()) {
			resp.Chain = append(resp.Chain, base64.StdEncoding.EncodeToString(ch.Raw))
		}
	}
	for i, d := range ds {
		sig, err := signer.SignContext(r.Context(), d, hs[i])
		if err != nil {
			signError(w, err)
			return
		}
		// Checked before it is returned, as PDF signatures are: a token
		// that signed with another key is caught here, not by the page.
		if err := keys.VerifyDigest(signer.Certificate().PublicKey, hs[i], d, sig, false); err != nil {
			fail(w, http.StatusInternalServerError, CodeSigningFailed, "the token's signature does not verify with the certificate %q: %v", signer.Certificate().Subject.CommonName, err)
			return
		}
		resp.Signatures = append(resp.Signatures, signatureJSON{Signature: base64.StdEncoding.EncodeToString(sig), Algorithm: signatureAlgorithm(signer, hs[i])})
	}
	if !batch {
		writeJSON(w, http.StatusOK, struct {
			signatureJSON
			Certificate string   `json:"certificate"`
			Chain       []string `json:"chain"`
		}{resp.Signatures[0], resp.Certificate, resp.Chain})
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func signatureAlgorithm(s keys.Signer, h crypto.Hash) string {
	kt, _ := keys.KeyType(s.Certificate())
	if strings.HasPrefix(kt, "EC") {
		return "ECDSA-" + h.String()
	}
	return "RSA-PKCS1v15-" + h.String()
}

// notForSigning refuses, before anyone is asked, a key whose certificate
// is not for signing (keys.CheckSigning): an authentication key signing a
// page's digest could answer a TLS handshake as the person.
func notForSigning(w http.ResponseWriter, c flow.KeyChoice) bool {
	if err := keys.CheckSigning(c.Cert); err != nil {
		fail(w, http.StatusForbidden, CodeNotForSigning, "%v: choose the signing certificate", err)
		return false
	}
	return true
}

// approval completes what the person is shown: the page, and the key as
// a person tells keys apart.
func approval(r *http.Request, c flow.KeyChoice, req Request) Request {
	req.Origin = r.Header.Get("Origin")
	req.Certificate = c.Cert
	req.Purpose = c.Purpose
	req.Token = c.Token
	return req
}

// signError maps the core's errors to codes a page can act on.
func signError(w http.ResponseWriter, err error) {
	var pinErr *pkcs11.PINError
	switch {
	case errors.Is(err, prompt.ErrCancelled):
		fail(w, http.StatusForbidden, CodeUserDeclined, "the person cancelled the PIN entry")
	case errors.Is(err, pkcs11.ErrPINLocked):
		fail(w, http.StatusForbidden, CodePINLocked, "the PIN is blocked")
	case errors.As(err, &pinErr):
		tries := -1
		if pinErr.Status.FinalTry {
			tries = 1
		}
		writeJSON(w, http.StatusUnauthorized, apiError{Code: CodeWrongPIN, Message: err.Error() + "; Signet does not retry it", TriesLeft: &tries})
	case errors.Is(err, pkcs11.ErrTokenRemoved):
		fail(w, http.StatusServiceUnavailable, CodeTokenRemoved, "the token was removed")
	default:
		fail(w, http.StatusInternalServerError, CodeSigningFailed, "signing failed: %v", err)
	}
}

// pdfOptions are a PDF request's signature options.
type pdfOptions struct {
	Reason   string `json:"reason,omitempty"`
	Location string `json:"location,omitempty"`
	// Level "B-B" (default) or "B-T" (a timestamp, from Signet's TSA).
	Level   string          `json:"level,omitempty"`
	Visible *visibleOptions `json:"visible,omitempty"`
}

type visibleOptions struct {
	Page int        `json:"page"` // 1-based; -1 the last
	Rect [4]float64 `json:"rect"` // points from the lower-left corner
	// Lines of text; empty: signer, date, reason, location.
	Lines []string `json:"lines,omitempty"`
	Image string   `json:"image,omitempty"` // base64 PNG or JPEG
}

type pdfDocument struct {
	Name     string `json:"name"`
	Document string `json:"document"` // base64
}

type signPDFRequest struct {
	CertificateID string `json:"certificateId"`
	pdfDocument
	Options pdfOptions `json:"options"`
}

type signPDFBatchRequest struct {
	CertificateID string        `json:"certificateId"`
	Documents     []pdfDocument `json:"documents"`
	Options       pdfOptions    `json:"options"`
}

func (s *Server) signPDF(w http.ResponseWriter, r *http.Request) {
	var req signPDFRequest
	if !decode(w, r, &req) {
		return
	}
	out, ok := s.pdfs(w, r, req.CertificateID, []pdfDocument{req.pdfDocument}, req.Options)
	if ok {
		writeJSON(w, http.StatusOK, out[0])
	}
}

func (s *Server) signPDFBatch(w http.ResponseWriter, r *http.Request) {
	var req signPDFBatchRequest
	if !decode(w, r, &req) {
		return
	}
	if len(req.Documents) == 0 || len(req.Documents) > 50 {
		fail(w, http.StatusBadRequest, CodeBadRequest, "a batch holds 1 to 50 documents")
		return
	}
	out, ok := s.pdfs(w, r, req.CertificateID, req.Documents, req.Options)
	if ok {
		writeJSON(w, http.StatusOK, map[string]any{"documents": out})
	}
}

func (s *Server) pdfs(w http.ResponseWriter, r *http.Request, certID string, docs []pdfDocument, o pdfOptions) ([]pdfDocument, bool) {
	opts := pdf.Options{Reason: o.Reason, Location: o.Location}
	switch o.Level {
	case "", "B-B":
	case "B-T":
		if s.cfg.Timestamper == nil {
			fail(w, http.StatusBadRequest, CodeBadRequest, "level B-T needs a timestamp service: set one in Signet's settings")
			return nil, false
		}
		opts.Timestamper = s.cfg.Timestamper
	default:
		fail(w, http.StatusBadRequest, CodeBadRequest, "level %q: use B-B or B-T", o.Level)
		return nil, false
	}
	if v := o.Visible; v != nil {
		a := &pdf.Appearance{Page: v.Page, Rect: v.Rect, Lines: v.Lines}
		if v.Image != "" {
			img, err := base64.StdEncoding.DecodeString(v.Image)
			if err != nil {
				fail(w, http.StatusBadRequest, CodeBadRequest, "visible.image is not base64")
				return nil, false
			}
			a.Image = img
		}
		opts.Appearance = a
	}
	var inputs [][]byte
	var names []string
	for i, d := range docs {
		data, err := base64.StdEncoding.DecodeString(d.Document)
		if err != nil || len(data) == 0 {
			fail(w, http.StatusBadRequest, CodeBadRequest, "document %d is not base64", i+1)
			return nil, false
		}
		name := DisplayName(d.Name)
		if name == "" {
			name = fmt.Sprintf("document %d", i+1)
		}
		inputs, names = append(inputs, data), append(names, name)
	}
	c, ok := s.choice(w, certID)
	if !ok || !notForSigning(w, c) {
		return nil, false
	}
	// Each document is read and prepared as signing will do it before
	// the person is asked: a document Signet cannot sign (damaged,
	// hostile, a page or rectangle that does not exist) is refused
	// without raising a question.
	// (Without the timestamper: nothing leaves the computer before the
	// person has said yes.)
	check := opts
	check.Timestamper = nil
	shown := Request{Documents: names, Reason: o.Reason, Location: o.Location, Level: "B-B"}
	if opts.Timestamper != nil {
		shown.Level = "B-T"
	}
	if v := o.Visible; v != nil {
		shown.Visible = &Visible{Page: v.Page, Lines: v.Lines, Image: v.Image != ""}
	}
	for i, data := range inputs {
		if _, err := pdf.Prepare(r.Context(), bytes.NewReader(data), int64(len(data)), []*x509.Certificate{c.Cert}, check); err != nil {
			fail(w, http.StatusBadRequest, CodeBadDocument, "document %d (%s) is not a PDF Signet can sign: %v", i+1, names[i], err)
			return nil, false
		}
		info, err := pdf.PageInfo(bytes.NewReader(data), int64(len(data)), 1)
		if err != nil {
			fail(w, http.StatusBadRequest, CodeBadDocument, "document %d (%s) is not a PDF Signet can sign: %v", i+1, names[i], err)
			return nil, false
		}
		sum := sha256.Sum256(data)
		shown.PDFs = append(shown.PDFs, Document{Name: names[i], Pages: info.Pages, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]), Data: data})
	}
	lock := s.tokenLock(c)
	lock.Lock()
	defer lock.Unlock()
	if err := s.approve(r.Context(), approval(r, c, shown)); err != nil {
		fail(w, http.StatusForbidden, CodeUserDeclined, "the person declined the signing")
		return nil, false
	}
	signer, err := s.cfg.Keys.Open(r.Context(), c)
	if err != nil {
		s.forgetChoices()
		signError(w, err)
		return nil, false
	}
	defer signer.Close()
	// The batch engine of the app and the CLI: as many documents at once
	// as the key allows, in order.
	out := make([]pdfDocument, len(inputs))
	jobs := make([]flow.Job, len(inputs))
	for i := range jobs {
		jobs[i].Input = names[i]
	}
	results := flow.Batch(r.Context(), signer, jobs, flow.BatchOptions{Jobs: runtime.NumCPU()}, func(i int) error {
		var b bytes.Buffer
		if err := pdf.Sign(r.Context(), bytes.NewReader(inputs[i]), int64(len(inputs[i])), &b, signer, signer.Chain(), opts); err != nil {
			return err
		}
		out[i] = pdfDocument{Name: names[i], Document: base64.StdEncoding.EncodeToString(b.Bytes())}
		return nil
	})
	// The key's failure first (it stopped the others), then the first
	// document's.
	for _, res := range results {
		if flow.KeyFailure(res.Err) {
			signError(w, res.Err)
			return nil, false
		}
	}
	for i, res := range results {
		if res.Err != nil {
			fail(w, http.StatusBadRequest, CodeBadDocument, "%s: %v", names[i], res.Err)
			return nil, false
		}
	}
	return out, true
}
