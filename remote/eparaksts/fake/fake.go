// Package fake is an eParaksts Signing API that runs in-process for tests
// and demos. It speaks the documented protocol with real cryptography:
// client-credentials tokens, sessions holding uploaded PDFs, the real PAdES
// data to be signed for the certificate it is given, and on finalize a
// check of the signature value against that certificate before embedding
// it with a timestamp, so that the downloaded file verifies.
//
// ASiC-E containers (signAsPdf=false) are not produced: such sessions get
// a session error, as the real service gives for what it cannot do.
package fake

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"github.com/signet-sign/signet/asice"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/signet-sign/signet/keys"
	"github.com/signet-sign/signet/pdf"
)

// Server is a running fake.
type Server struct {
	*httptest.Server
	ClientID, ClientSecret string
	// CAs are added to signatures after the signing certificate, as the
	// real service completes chains it knows.
	CAs []*x509.Certificate
	// TSA timestamps signatures and archives.
	TSA pdf.Timestamper
	// TokenLifetime is the access tokens' expires_in.
	TokenLifetime time.Duration

	sealKey *rsa.PrivateKey

	mu       sync.Mutex
	tokens   map[string]time.Time
	sessions map[string]*session
	faults   []fault
	// Requests counts API requests by path pattern, for tests.
	Requests map[string]int
}

type session struct {
	docs     []*document
	prepared *pdf.Prepared  // signAsPdf
	xades    *asice.Pending // ASiC-E
}

type document struct {
	id, name string
	data     []byte
}

// fault is an injected failure for the next matching request.
type fault struct {
	path      string // substring of the path; "" for any API call
	status    int
	malformed bool
	code      string
	// sessionError makes CalculateDigest report an error for that
	// session index instead.
	sessionError int
	shortDigest  bool
}

// Start starts a fake with the given credentials.
func Start(clientID, secret string, cas []*x509.Certificate, tsa pdf.Timestamper) (*Server, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	s := &Server{
		ClientID: clientID, ClientSecret: secret, CAs: cas, TSA: tsa, TokenLifetime: time.Hour,
		sealKey: key, tokens: map[string]time.Time{}, sessions: map[string]*session{}, Requests: map[string]int{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /trustedx-authserver/oauth/lvrtc-eipsign-as/token", s.token)
	api := map[string]http.HandlerFunc{
		"GET /api-session/v1.0/start":          s.start,
		"GET /api-session/v1.0/{sid}/close":    s.close,
		"PUT /api-storage/v1.0/{sid}/upload":   s.upload,
		"GET /api-storage/v1.0/{sid}/list":     s.list,
		"GET /api-storage/v1.0/{sid}/{doc}":    s.download,
		"DELETE /api-storage/v1.0/{sid}/{doc}": s.delete,
		"POST /api-sign/v1.0/CalculateDigest":  s.calculateDigest,
		"POST /api-sign/v1.0/finalizeSigning":  s.finalize,
		"POST /api-sign/v1.0/addArchive":       s.addArchive,
		"POST /api-sign/v1.0/eSealCreate":      s.eSeal,
		"GET /api-config/v1.0/":                s.config,
		"GET /api-config/v1.0/public/key":      s.publicKey,
	}
	for pattern, h := range api {
		mux.Handle(pattern, s.authorized(pattern, h))
	}
	s.Server = httptest.NewServer(mux)
	return s, nil
}

// FailNext makes the next API request whose path contains path answer
// status with an error code (path "" matches any).
func (s *Server) FailNext(path string, status int, code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, fault{path: path, status: status, code: code, sessionError: -1})
}

// MalformedNext makes the next API request matching path answer 200 with
// a body that is not JSON.
func (s *Server) MalformedNext(path string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, fault{path: path, malformed: true, sessionError: -1})
}

// SessionErrorNext makes the next CalculateDigest report an error for the
// session at index i of the request.
func (s *Server) SessionErrorNext(i int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, fault{path: "CalculateDigest", sessionError: i})
}

// ShortDigestNext makes the next CalculateDigest return digests one byte
// short.
func (s *Server) ShortDigestNext() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, fault{path: "CalculateDigest", shortDigest: true, sessionError: -1})
}

// ExpireTokens invalidates every access token handed out, as the platform
// does when they expire server-side before the client thinks they do.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens = map[string]time.Time{}
}

// SealPublicKey is the key eSeal passwords are encrypted with.
func (s *Server) SealPublicKey() *rsa.PublicKey { return &s.sealKey.PublicKey }

// takeFault removes and returns the first fault matching path.
func (s *Server) takeFault(path string) *fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.path == "" || strings.Contains(path, f.path) {
			s.faults = append(s.faults[:i], s.faults[i+1:]...)
			return &f
		}
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"code": code, "message": message}})
}

func writeData(w http.ResponseWriter, data any) {
	writeJSON(w, http.StatusOK, map[string]any{"data": data})
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := r.BasicAuth()
	if !ok || id != s.ClientID || secret != s.ClientSecret {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}
	if r.FormValue("grant_type") != "client_credentials" || r.FormValue("scope") != "urn:safelayer:eidas:oauth:token:introspect" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	tok := randomID()
	s.mu.Lock()
	s.tokens[tok] = time.Now().Add(s.TokenLifetime)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": tok, "token_type": "Bearer",
		"expires_in": int(s.TokenLifetime.Seconds()), "scope": "urn:safelayer:eidas:oauth:token:introspect",
	})
}

func (s *Server) authorized(pattern string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		s.mu.Lock()
		exp, known := s.tokens[tok]
		s.Requests[pattern]++
		s.mu.Unlock()
		if !ok || !known || time.Now().After(exp) {
			writeError(w, http.StatusUnauthorized, "invalid_token", "the access token is invalid or expired")
			return
		}
		if f := s.takeFault(r.URL.Path); f != nil {
			switch {
			case f.malformed:
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, `{"data": {"sessionDigests": [`)
				return
			case f.status != 0:
				writeError(w, f.status, f.code, "injected failure")
				return
			default:
				r = r.WithContext(context.WithValue(r.Context(), faultKey{}, f))
			}
		}
		h(w, r)
	})
}

type faultKey struct{}

func randomID() string {
	b := make([]byte, 32)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func (s *Server) session(w http.ResponseWriter, id string) *session {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.sessions[id]
	if !ok {
		writeError(w, http.StatusNotFound, "SESSION_NOT_FOUND", "no such session")
		return nil
	}
	return sess
}

func (s *Server) start(w http.ResponseWriter, r *http.Request) {
	id := randomID()
	s.mu.Lock()
	s.sessions[id] = &session{}
	s.mu.Unlock()
	writeData(w, map[string]string{"sessionId": id})
}

func (s *Server) close(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	_, ok := s.sessions[r.PathValue("sid")]
	delete(s.sessions, r.PathValue("sid"))
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "SESSION_NOT_FOUND", "no such session")
		return
	}
	writeData(w, map[string]string{"sessionId": r.PathValue("sid")})
}

func docInfo(d *document) map[string]any {
	return map[string]any{"id": d.id, "name": d.name, "size": len(d.data), "type": "application/pdf", "includedDocuments": []string{}}
}

func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	sess := s.session(w, r.PathValue("sid"))
	if sess == nil {
		return
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		writeError(w, http.StatusBadRequest, "FILE_MISSING", "multipart field file is required")
		return
	}
	data, err := io.ReadAll(io.LimitReader(f, 64<<20))
	if err != nil {
		writeError(w, http.StatusBadRequest, "FILE_UNREADABLE", err.Error())
		return
	}
	d := &document{id: randomID()[:16], name: hdr.Filename, data: data}
	s.mu.Lock()
	sess.docs = append(sess.docs, d)
	s.mu.Unlock()
	writeData(w, docInfo(d))
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	sess := s.session(w, r.PathValue("sid"))
	if sess == nil {
		return
	}
	s.mu.Lock()
	out := []map[string]any{}
	for _, d := range sess.docs {
		out = append(out, docInfo(d))
	}
	s.mu.Unlock()
	writeData(w, out)
}

func (s *Server) findDoc(w http.ResponseWriter, r *http.Request) (*session, int) {
	sess := s.session(w, r.PathValue("sid"))
	if sess == nil {
		return nil, -1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, d := range sess.docs {
		if d.id == r.PathValue("doc") {
			return sess, i
		}
	}
	writeError(w, http.StatusNotFound, "DOCUMENT_NOT_FOUND", "no such document in the session")
	return nil, -1
}

func (s *Server) download(w http.ResponseWriter, r *http.Request) {
	sess, i := s.findDoc(w, r)
	if sess == nil {
		return
	}
	s.mu.Lock()
	data := sess.docs[i].data
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/pdf")
	w.Write(data)
}

func (s *Server) delete(w http.ResponseWriter, r *http.Request) {
	sess, i := s.findDoc(w, r)
	if sess == nil {
		return
	}
	s.mu.Lock()
	sess.docs = append(sess.docs[:i], sess.docs[i+1:]...)
	s.mu.Unlock()
	writeData(w, map[string]string{"id": r.PathValue("doc")})
}

type sessionsBody struct {
	Sessions []struct {
		SessionID string `json:"sessionId"`
	} `json:"sessions"`
	Certificate     string `json:"certificate"`
	SignAsPdf       bool   `json:"signAsPdf"`
	CreateNewEdoc   bool   `json:"createNewEdoc"`
	AuthCertificate string `json:"authCertificate"`
	SignKey         string `json:"signKey"`
	SignKeyPassword string `json:"signKeyPassword"`
}

func parseCert(b64 string) (*x509.Certificate, error) {
	der, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		if block, _ := pem.Decode([]byte(b64)); block != nil {
			der = block.Bytes
		} else {
			return nil, err
		}
	}
	return x509.ParseCertificate(der)
}

func sessionErr(id, code, message string) map[string]any {
	return map[string]any{"sessionId": id, "error": map[string]string{"code": code, "message": message}}
}

func (s *Server) calculateDigest(w http.ResponseWriter, r *http.Request) {
	var body sessionsBody
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || len(body.Sessions) == 0 {
		writeError(w, http.StatusBadRequest, "INVALID_REQUEST", "sessions and certificate are required")
		return
	}
	cert, err := parseCert(body.Certificate)
	if err != nil {
		writeError(w, http.StatusBadRequest, "INVALID_CERTIFICATE", "the signing certificate cannot be read")
		return
	}
	f, _ := r.Context().Value(faultKey{}).(*fault)
	var out []map[string]any
	for i, ref := range body.Sessions {
		id := ref.SessionID
		s.mu.Lock()
		sess := s.sessions[id]
		s.mu.Unlock()
		switch {
		case f != nil && f.sessionError == i:
			out = append(out, sessionErr(id, "FILE_NOT_SIGNABLE", "injected session error"))
			continue
		case sess == nil:
			out = append(out, sessionErr(id, "SESSION_NOT_FOUND", "no such session"))
			continue
		case !body.SignAsPdf:
			// An ASiC-E container of the session's files, always a new
			// one (this test service does not add to containers).
			if len(sess.docs) == 0 {
				out = append(out, sessionErr(id, "NO_FILES", "the session holds no files"))
				continue
			}
			var files []asice.File
			for _, d := range sess.docs {
				files = append(files, asice.File{Name: d.name, Data: d.data})
			}
			x, err := asice.Prepare(files, cert, time.Now(), asice.PrepareOptions{})
			if err != nil {
				out = append(out, sessionErr(id, "FILE_NOT_SIGNABLE", err.Error()))
				continue
			}
			s.mu.Lock()
			sess.xades, sess.prepared = x, nil
			s.mu.Unlock()
			digest := x.Digest()
			if f != nil && f.shortDigest {
				digest = digest[1:]
			}
			out = append(out, map[string]any{"sessionId": id, "digest": base64.StdEncoding.EncodeToString(digest)})
			continue
		case len(sess.docs) != 1:
			out = append(out, sessionErr(id, "ONE_PDF_PER_SESSION", "signAsPdf needs exactly one PDF in the session"))
			continue
		}
		doc := sess.docs[0]
		chain := append([]*x509.Certificate{cert}, s.CAs...)
		p, err := pdf.Prepare(r.Context(), bytes.NewReader(doc.data), int64(len(doc.data)), chain, pdf.Options{Timestamper: s.TSA})
		if err != nil {
			out = append(out, sessionErr(id, "FILE_NOT_SIGNABLE", err.Error()))
			continue
		}
		s.mu.Lock()
		sess.prepared = p
		s.mu.Unlock()
		digest := p.Digest()
		if f != nil && f.shortDigest {
			digest = digest[1:]
		}
		out = append(out, map[string]any{"sessionId": id, "digest": base64.StdEncoding.EncodeToString(digest)})
	}
	writeData(w, map[string]any{"sessionDigests": out, "digests_summary": base64.StdEncoding.EncodeToString([]byte("summary")), "algorithm": "SHA256"})
}

func (s *Server) finalize(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Values []struct {
			SessionID      string `json:"sessionId"`
			SignatureValue string `json:"signatureValue"`
		} `json:"sessionSignatureValues"`
		AuthCertificate string `json:"authCertificate"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || len(body.Values) == 0 {
		writeError(w, http.StatusBadRequest, "INVALID_REQUEST", "sessionSignatureValues are required")
		return
	}
	if _, err := parseCert(body.AuthCertificate); err != nil {
		writeError(w, http.StatusBadRequest, "INVALID_AUTH_CERTIFICATE", "the authentication certificate cannot be read")
		return
	}
	var results []map[string]any
	for _, v := range body.Values {
		s.mu.Lock()
		sess := s.sessions[v.SessionID]
		s.mu.Unlock()
		if sess == nil || (sess.prepared == nil && sess.xades == nil) {
			results = append(results, sessionErr(v.SessionID, "NO_DIGEST", "CalculateDigest was not called for this session"))
			continue
		}
		sig, err := base64.StdEncoding.DecodeString(v.SignatureValue)
		if err != nil {
			results = append(results, sessionErr(v.SessionID, "INVALID_SIGNATURE", "signatureValue is not base64"))
			continue
		}
		if sess.xades != nil {
			container, err := sess.xades.Finish(sig)
			if err != nil {
				results = append(results, sessionErr(v.SessionID, "INVALID_SIGNATURE", err.Error()))
				continue
			}
			first := sess.docs[0]
			name := strings.TrimSuffix(first.name, filepath.Ext(first.name)) + ".edoc"
			s.mu.Lock()
			sess.docs = []*document{{id: first.id, name: name, data: container}}
			sess.xades = nil
			s.mu.Unlock()
			results = append(results, map[string]any{"sessionId": v.SessionID})
			continue
		}
		if err := sess.prepared.Finish(r.Context(), sig); err != nil {
			code := "FINALIZE_FAILED"
			if errors.Is(err, pdf.ErrBadSignatureValue) {
				code = "INVALID_SIGNATURE"
			}
			results = append(results, sessionErr(v.SessionID, code, err.Error()))
			continue
		}
		var out bytes.Buffer
		if _, err := sess.prepared.WriteTo(&out); err != nil {
			results = append(results, sessionErr(v.SessionID, "FINALIZE_FAILED", err.Error()))
			continue
		}
		s.mu.Lock()
		sess.docs[0].data = out.Bytes()
		sess.prepared = nil
		s.mu.Unlock()
		results = append(results, map[string]any{"sessionId": v.SessionID})
	}
	writeData(w, map[string]any{"results": results})
}

// eachDocument replaces the one document of each named session with what
// change makes of it, and answers the per-session results.
func (s *Server) eachDocument(w http.ResponseWriter, sessions []string, failCode string, change func([]byte) ([]byte, error)) {
	var results []map[string]any
	for _, id := range sessions {
		s.mu.Lock()
		sess := s.sessions[id]
		s.mu.Unlock()
		if sess == nil || len(sess.docs) != 1 {
			results = append(results, sessionErr(id, "FILE_NOT_SIGNABLE", "one PDF per session is needed"))
			continue
		}
		doc := sess.docs[0]
		data, err := change(doc.data)
		if err != nil {
			results = append(results, sessionErr(id, failCode, err.Error()))
			continue
		}
		s.mu.Lock()
		doc.data = data
		s.mu.Unlock()
		results = append(results, map[string]any{"sessionId": id})
	}
	writeData(w, map[string]any{"results": results})
}

func (b sessionsBody) ids() []string {
	var ids []string
	for _, ref := range b.Sessions {
		ids = append(ids, ref.SessionID)
	}
	return ids
}

func (s *Server) addArchive(w http.ResponseWriter, r *http.Request) {
	var body sessionsBody
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || len(body.Sessions) == 0 {
		writeError(w, http.StatusBadRequest, "INVALID_REQUEST", "sessions are required")
		return
	}
	s.eachDocument(w, body.ids(), "ARCHIVE_FAILED", func(data []byte) ([]byte, error) {
		var out bytes.Buffer
		err := pdf.TimestampDocument(r.Context(), bytes.NewReader(data), int64(len(data)), &out, s.TSA, 0)
		return out.Bytes(), err
	})
}

func (s *Server) eSeal(w http.ResponseWriter, r *http.Request) {
	var body sessionsBody
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || len(body.Sessions) == 0 {
		writeError(w, http.StatusBadRequest, "INVALID_REQUEST", "sessions are required")
		return
	}
	pfx, err1 := base64.StdEncoding.DecodeString(body.SignKey)
	encPw, err2 := base64.StdEncoding.DecodeString(body.SignKeyPassword)
	if err1 != nil || err2 != nil {
		writeError(w, http.StatusBadRequest, "INVALID_REQUEST", "signKey and signKeyPassword must be base64")
		return
	}
	//lint:ignore SA1019 the fake mirrors the service, which decrypts PKCS#1 v1.5 as documented
	password, err := rsa.DecryptPKCS1v15(rand.Reader, s.sealKey, encPw)
	if err != nil {
		writeError(w, http.StatusBadRequest, "INVALID_PASSWORD_ENCRYPTION", "signKeyPassword is not encrypted with the service key")
		return
	}
	seal, err := keys.LoadPKCS12(pfx, password)
	if err != nil {
		writeError(w, http.StatusBadRequest, "INVALID_SIGN_KEY", "the seal key cannot be opened: "+err.Error())
		return
	}
	if !body.SignAsPdf {
		writeError(w, http.StatusBadRequest, "EDOC_NOT_SUPPORTED", "this test service seals PDFs only")
		return
	}
	chain := append(seal.Chain(), s.CAs...)
	s.eachDocument(w, body.ids(), "SEAL_FAILED", func(data []byte) ([]byte, error) {
		var out bytes.Buffer
		err := pdf.Sign(r.Context(), bytes.NewReader(data), int64(len(data)), &out, seal, chain, pdf.Options{Timestamper: s.TSA})
		return out.Bytes(), err
	})
}

func (s *Server) config(w http.ResponseWriter, r *http.Request) {
	writeData(w, map[string]any{"sessionTimeout": 1800, "maxFileSize": 50 << 20})
}

func (s *Server) publicKey(w http.ResponseWriter, r *http.Request) {
	der, err := x509.MarshalPKIXPublicKey(&s.sealKey.PublicKey)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "INTERNAL", err.Error())
		return
	}
	writeData(w, string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})))
}
