package agent

import (
	"bytes"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"

	jsonv2 "github.com/go-json-experiment/json"

	"github.com/signet-sign/signet/flow"
	"github.com/signet-sign/signet/internal/redact"
	"github.com/signet-sign/signet/keys"
	"github.com/signet-sign/signet/pkcs11"
	"github.com/signet-sign/signet/prompt"
)

// Error codes, stable for clients (openapi.yaml lists them).
const (
	CodeBadHost            = "bad_host"
	CodeOtherUser          = "other_user"
	CodeOriginRequired     = "origin_required"
	CodeOriginDenied       = "origin_denied"
	CodeDigestsNotAllowed  = "digests_not_allowed"
	CodeOriginNotSecure    = "origin_not_secure"
	CodeUnsupportedMedia   = "unsupported_media_type"
	CodeBodyTooLarge       = "body_too_large"
	CodeBusy               = "busy"
	CodeBadRequest         = "bad_request"
	CodeUnknownCertificate = "unknown_certificate"
	CodeUserDeclined       = "user_declined"
	CodeWrongPIN           = "wrong_pin"
	CodePINLocked          = "pin_locked"
	CodeTokenRemoved       = "token_removed"
	CodeBadDocument        = "bad_document"
	CodeTimestampFailed    = "timestamp_failed"
	CodeIncompleteChain    = "incomplete_chain"
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
// may name a service's URL: a page learns its scheme and host, never its
// path, query or credentials (redact.Hosts).
func fail(w http.ResponseWriter, status int, code, format string, args ...any) {
	writeJSON(w, status, apiError{Code: code, Message: redact.Hosts(fmt.Sprintf(format, args...))})
}

// Body limits: a digest request is small; a PDF one holds the document
// in base64 (4/3 of its size).
const maxDigestBody = 256 << 10

// pdfBodyLimit is the largest body of a PDF request for PDFs of maxPDF
// bytes.
func pdfBodyLimit(maxPDF int64) int64 { return maxPDF*4/3 + (64 << 10) }

func (s *Server) routes() http.Handler {
	pdfLimit := pdfBodyLimit(s.cfg.MaxPDF)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/info", s.info)
	mux.HandleFunc("GET /v1/certificates", s.page(0, s.certificates))
	mux.HandleFunc("POST /v1/sign/digest", s.page(maxDigestBody, s.signDigest))
	mux.HandleFunc("POST /v1/authenticate", s.page(maxDigestBody, s.authenticate))
	mux.HandleFunc("POST /v1/sign/digest/batch", s.page(maxDigestBody*8, s.signDigestBatch))
	mux.HandleFunc("POST /v1/sign/pdf", s.page(pdfLimit, s.signPDF))
	mux.HandleFunc("POST /v1/sign/pdf/batch", s.page(pdfLimit, s.signPDFBatch))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fail(w, http.StatusNotFound, CodeNotFound, "no such endpoint: %s %s", r.Method, r.URL.Path)
	})
	return s.activity(s.recoverPanics(s.checkPeer(s.checkHost(s.cors(mux)))))
}

// activity tells Config.Activity of each request, from its arrival until
// it has been answered.
func (s *Server) activity(next http.Handler) http.Handler {
	if s.cfg.Activity == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.cfg.Activity(1)
		defer s.cfg.Activity(-1)
		next.ServeHTTP(w, r)
	})
}

// peerKey holds a connection's [peer] in its requests' contexts.
type peerKey struct{}

// peer is who opened a connection: this user's program or another's.
type peer struct{ same, known bool }

// checkPeer refuses connections from programs of other users of this
// machine, where the system tells (Linux): a loopback port is open to
// every local user, and a program need not be a browser to write any
// Origin it likes. Programs of the person's own user can do that too:
// an Origin header proves a page's site only when a browser sent it.
func (s *Server) checkPeer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p, ok := r.Context().Value(peerKey{}).(peer); ok && p.known && !p.same {
			fail(w, http.StatusForbidden, CodeOtherUser, "the agent answers programs of the user it runs for only")
			return
		}
		next.ServeHTTP(w, r)
	})
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

// cors answers CORS for allowed origins only. It asks nothing: a
// preflight, /v1/info or an unknown path never raises a question (a page
// could otherwise flood the person); the endpoints that need an origin
// ask (page), and a page's first request, GET /v1/certificates, is a
// simple request that needs no preflight.
func (s *Server) cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Add("Vary", "Origin")
		canonical, ok := CanonicalOrigin(origin)
		if !ok || !browserForm(origin, canonical) {
			fail(w, http.StatusForbidden, CodeOriginDenied, "origin %q is not a web origin as browsers send one", origin)
			return
		}
		allowed := s.allowedNow(PermissionUse, canonical)
		if r.Method == http.MethodOptions {
			if !allowed {
				fail(w, http.StatusForbidden, CodeOriginDenied, "%s is not allowed to use Signet (yet): a page asks first with GET /v1/certificates", canonical)
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

// pageRequest is a request from a web page, read and allowed.
type pageRequest struct {
	// Origin as the browser sent it (what the CORS answer echoes and a
	// login token signs), and canonical, what decisions are made on.
	origin, canonical string
	// body is the request's JSON (POST), read whole before the person is
	// asked anything.
	body []byte
}

type pageHandler func(w http.ResponseWriter, r *http.Request, pr *pageRequest)

// page serves an endpoint for web pages. In this order, cheap and
// refusable things first: the request must carry an Origin (the API is
// for web pages; a local program uses the CLI); a POST must be JSON no
// larger than limit, within the bytes the agent holds at once, and is
// read whole; then the person is asked about an origin they have not
// answered for. Reading the body first matters twice: a text/plain POST
// (which browsers send from any page without a preflight) is refused
// without a question, and Go's server notices a page that closes its
// connection only once the body is read — a question must go away with
// the page that asked it.
func (s *Server) page(limit int64, next pageHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		pr := &pageRequest{origin: r.Header.Get("Origin")}
		if pr.origin == "" {
			fail(w, http.StatusForbidden, CodeOriginRequired, "requests must come from a web page (an Origin header)")
			return
		}
		canonical, ok := CanonicalOrigin(pr.origin)
		if !ok || !browserForm(pr.origin, canonical) {
			fail(w, http.StatusForbidden, CodeOriginDenied, "origin %q is not a web origin as browsers send one", pr.origin)
			return
		}
		pr.canonical = canonical
		if limit > 0 {
			release, ok := s.readBody(w, r, limit, pr)
			if !ok {
				return
			}
			defer release()
		}
		if err := s.ask(r.Context(), PermissionUse, canonical); err != nil {
			fail(w, http.StatusForbidden, CodeOriginDenied, "%v", err)
			return
		}
		w.Header().Set("Access-Control-Allow-Origin", pr.origin)
		next(w, r, pr)
	}
}

// readBody reads a JSON body of at most limit bytes into pr.body. The
// bytes count against MaxInFlight until release is called (when the
// answer is written: the decoded document lives as long as the body).
func (s *Server) readBody(w http.ResponseWriter, r *http.Request, limit int64, pr *pageRequest) (release func(), ok bool) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		fail(w, http.StatusUnsupportedMediaType, CodeUnsupportedMedia, "send Content-Type: application/json")
		return nil, false
	}
	if r.ContentLength > limit {
		fail(w, http.StatusRequestEntityTooLarge, CodeBodyTooLarge, "the request is larger than %d bytes", limit)
		return nil, false
	}
	weight := r.ContentLength
	if weight < 0 { // chunked: it may grow to the limit
		weight = limit
	}
	if !s.inflight.TryAcquire(weight) {
		w.Header().Set("Retry-After", "5")
		fail(w, http.StatusServiceUnavailable, CodeBusy, "Signet is busy with other large requests; try again in a few seconds")
		return nil, false
	}
	release = func() { s.inflight.Release(weight) }
	var buf bytes.Buffer
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength) + bytes.MinRead) // one allocation, no doubling
	}
	// Read to the end (EOF): from then on Go's server watches the
	// connection, and the request's context ends when the page leaves.
	if _, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, limit)); err != nil {
		release()
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			fail(w, http.StatusRequestEntityTooLarge, CodeBodyTooLarge, "the request is larger than %d bytes", tooBig.Limit)
			return nil, false
		}
		fail(w, http.StatusBadRequest, CodeBadRequest, "the request could not be read: %v", err)
		return nil, false
	}
	pr.body = buf.Bytes()
	return release, true
}

// decode reads the JSON body into v, strictly: member names match the
// documented ones exactly (case included), a name given twice, an unknown
// name or anything after the object is refused. encoding/json accepts all
// three; its successor, github.com/go-json-experiment/json (encoding/json/v2
// behind a GOEXPERIMENT in Go 1.26), refuses them by default. The body is
// let go once decoded: a PDF request's document lives on decoded only.
func decode(w http.ResponseWriter, pr *pageRequest, v any) bool {
	body := pr.body
	pr.body = nil
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
	// without being asked; DigestsAllowed whether it may also ask for
	// signatures over bare digests without being asked.
	Allowed        bool `json:"allowed"`
	DigestsAllowed bool `json:"digestsAllowed"`
}

func (s *Server) info(w http.ResponseWriter, r *http.Request) {
	var out infoResponse
	if canonical, ok := CanonicalOrigin(r.Header.Get("Origin")); ok {
		out.Allowed = s.allowedNow(PermissionUse, canonical)
		out.DigestsAllowed = out.Allowed && s.allowedNow(PermissionDigests, canonical)
	}
	out.Name, out.Version = "Signet", s.cfg.Version
	out.Capabilities = []string{"certificates", "sign/digest", "sign/digest/batch", "sign/pdf", "sign/pdf/batch", "authenticate:" + WebEIDFormat}
	writeJSON(w, http.StatusOK, out)
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

func (s *Server) certificates(w http.ResponseWriter, _ *http.Request, _ *pageRequest) {
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

func (s *Server) signDigest(w http.ResponseWriter, r *http.Request, pr *pageRequest) {
	var req signDigestRequest
	if !decode(w, pr, &req) {
		return
	}
	s.digests(w, r, pr, req.CertificateID, []digestItem{req.digestItem}, false)
}

func (s *Server) signDigestBatch(w http.ResponseWriter, r *http.Request, pr *pageRequest) {
	var req signDigestBatchRequest
	if !decode(w, pr, &req) {
		return
	}
	if len(req.Items) == 0 || len(req.Items) > 100 {
		fail(w, http.StatusBadRequest, CodeBadRequest, "a batch holds 1 to 100 items")
		return
	}
	s.digests(w, r, pr, req.CertificateID, req.Items, true)
}

// digests signs bare digests with a signing key. A digest can be the hash
// of any document's signed attributes, and the person cannot see which:
// a page needs the separate PermissionDigests for it, asked once after
// the request is known to be one Signet could serve.
func (s *Server) digests(w http.ResponseWriter, r *http.Request, pr *pageRequest, certID string, items []digestItem, batch bool) {
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
	if err := keys.CheckDigestSigning(c.Cert); err != nil {
		fail(w, http.StatusForbidden, CodeNotForSigning, "%v: choose the signing certificate", err)
		return
	}
	if err := s.ask(r.Context(), PermissionDigests, pr.canonical); err != nil {
		fail(w, http.StatusForbidden, CodeDigestsNotAllowed, "%v", err)
		return
	}
	names := make([]string, len(hs))
	for i, h := range hs {
		names[i] = h.String()
	}
	signer, release, ok := s.openApproved(w, r, c, approval(pr, c, Request{Digests: ds, Hashes: names}))
	if !ok {
		return
	}
	defer release()
	if !s.completeChain(w, r, signer) {
		return
	}
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

// openApproved takes the key's token (one signing at a time per token),
// asks the person to approve req, and opens the key, checking that it is
// the key of the certificate approved (a card swapped meanwhile, a URI
// that found another object). It answers the page itself when a step
// fails; release closes the key and gives the token back.
func (s *Server) openApproved(w http.ResponseWriter, r *http.Request, c flow.KeyChoice, req Request) (_ keys.Signer, release func(), ok bool) {
	unlock, err := s.lockToken(r.Context(), c)
	if err != nil {
		fail(w, http.StatusServiceUnavailable, CodeBusy, "the page left while the token was busy")
		return nil, nil, false
	}
	if err := s.approve(r.Context(), req); err != nil {
		unlock()
		what := "signing"
		if req.Login {
			what = "login"
		}
		fail(w, http.StatusForbidden, CodeUserDeclined, "the person declined the %s", what)
		return nil, nil, false
	}
	signer, err := s.cfg.Keys.Open(r.Context(), c)
	if err != nil {
		unlock()
		s.forgetChoices()
		signError(w, err)
		return nil, nil, false
	}
	if !signer.Certificate().Equal(c.Cert) {
		signer.Close()
		unlock()
		s.forgetChoices()
		fail(w, http.StatusConflict, CodeTokenRemoved, "the key opened is not the one of the certificate approved (%q): was the card changed? Ask again", c.Name)
		return nil, nil, false
	}
	return signer, func() { signer.Close(); unlock() }, true
}

// completeChain completes the chain the signer's signatures carry (and a
// digest's answer gives the page), before the PIN: token keys log in at
// their first signature. It answers the page itself when the settings
// require a complete chain that cannot be had.
func (s *Server) completeChain(w http.ResponseWriter, r *http.Request, signer keys.Signer) bool {
	if err := flow.CompleteChain(r.Context(), signer, s.cfg.Chain); err != nil {
		fail(w, http.StatusBadGateway, CodeIncompleteChain, "%v, so nothing was signed", err)
		return false
	}
	return true
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
func approval(pr *pageRequest, c flow.KeyChoice, req Request) Request {
	req.Origin = pr.origin
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
