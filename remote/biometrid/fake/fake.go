// Package fake is biometrid's Chave Móvel Digital wrapper (seed 000)
// running in-process for tests and demos: POST /api/1.1/document/sign/cmd
// with the documented headers, body and errors, and the security-code
// step in the shape Signet assumes (biometrid.DefaultOTPStep, or another
// one a test sets). Behind it are the accounts of a Chave Móvel Digital
// fake: the citizen's real key signs the document (PAdES with a
// timestamp) once the right code comes back.
package fake

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/signet-sign/signet/pdf"
	cmdfake "github.com/signet-sign/signet/remote/cmd/fake"
)

// OTPStep is the shape of the security-code call (a copy of the
// client's assumption, kept apart so that a test can make them differ).
type OTPStep struct {
	Path                                     string
	ProcessIDField, CodeField, DocumentField string
}

// Server is a running fake.
type Server struct {
	*httptest.Server
	Key, Secret string
	OTP         OTPStep
	// Tamper changes a byte of the signed document after signing, so
	// that its signature no longer verifies.
	Tamper bool
	// Rewrite signs a different document than the one sent.
	Rewrite bool
	// Notify hears each security code "sent".
	Notify func(phone, otp string)

	cmd     *cmdfake.Env
	mu      sync.Mutex
	procs   map[string]*process
	errs    []string
	lastOTP string
	uploads int
}

type process struct {
	citizen *cmdfake.Citizen
	doc     []byte
	otp     string
	expires time.Time
}

// Env is a fake with the Chave Móvel Digital fake (PKI, TSA, accounts)
// behind it.
type Env struct {
	*Server
	CMD *cmdfake.Env
}

// StartEnv starts a fake for the application's key and secret.
func StartEnv(key, secret string) (*Env, error) {
	c, err := cmdfake.StartEnv("biometrid", "biometrid", "biometrid")
	if err != nil {
		return nil, err
	}
	s := &Server{Key: key, Secret: secret, cmd: c, procs: map[string]*process{},
		OTP: OTPStep{Path: "/api/1.1/document/validateOTP", ProcessIDField: "processId", CodeField: "code", DocumentField: "document"}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/1.1/document/sign/cmd", s.sign)
	mux.HandleFunc("POST /", s.validate)
	s.Server = httptest.NewServer(mux)
	return &Env{Server: s, CMD: c}, nil
}

// Close stops the fake and the one behind it.
func (e *Env) Close() {
	e.Server.Close()
	e.CMD.Close()
}

// Fail makes the next calls answer these data.message codes, in order.
func (s *Server) Fail(codes ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.errs = append(s.errs, codes...)
}

// LastOTP is the last security code "sent".
func (s *Server) LastOTP() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastOTP
}

// Uploads counts the documents received.
func (s *Server) Uploads() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.uploads
}

func answer(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func refuse(w http.ResponseWriter, status int, code string) {
	answer(w, status, map[string]any{"status": false, "data": map[string]string{"message": code}})
}

// authorized checks the headers and the scripted failures.
func (s *Server) authorized(w http.ResponseWriter, r *http.Request) bool {
	s.mu.Lock()
	var scripted string
	if len(s.errs) > 0 {
		scripted, s.errs = s.errs[0], s.errs[1:]
	}
	s.mu.Unlock()
	key, secret := r.Header.Get("x-biometrid-key"), r.Header.Get("x-biometrid-secret")
	switch {
	case scripted != "":
		refuse(w, http.StatusBadRequest, scripted)
	case key == "" || secret == "":
		refuse(w, http.StatusUnauthorized, "AUTHENTICATION_HEADERS_MISSING")
	case key != s.Key:
		refuse(w, http.StatusUnauthorized, "CLIENT_NOT_FOUND/CHECK_AUTHENTICATION_HEADERS")
	case secret != s.Secret:
		refuse(w, http.StatusUnauthorized, "INVALID_AUTHENTICATION_HEADERS")
	case r.Header.Get("Content-Type") != "application/json":
		refuse(w, http.StatusBadRequest, "NO_FILES_OR_INVALID_FORMATS")
	default:
		return true
	}
	return false
}

func (s *Server) sign(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(w, r) {
		return
	}
	var body map[string]any
	if err := json.NewDecoder(io.LimitReader(r.Body, 256<<20)).Decode(&body); err != nil {
		refuse(w, http.StatusBadRequest, "NO_FILES_OR_INVALID_FORMATS")
		return
	}
	code, _ := body["code"].(string)
	id, _ := body["identifier"].(string)
	docText, _ := body["document"].(string)
	doc, err := base64.StdEncoding.DecodeString(docText)
	switch {
	case code == "":
		refuse(w, http.StatusBadRequest, "MISSING_CODE")
		return
	case err != nil || !bytes.HasPrefix(doc, []byte("%PDF-")):
		refuse(w, http.StatusBadRequest, "NO_FILES_OR_INVALID_FORMATS")
		return
	}
	phone := id
	if len(id) == 9 {
		phone = "+351 " + id
	}
	c := s.cmd.Citizen(phone)
	if c == nil {
		refuse(w, http.StatusBadRequest, "INVALID_IDENTIFIER")
		return
	}
	if code != c.PIN {
		// Not in the seed: AMA's words for it, passed on.
		refuse(w, http.StatusBadRequest, "Pins não correspondem")
		return
	}
	b := make([]byte, 16)
	rand.Read(b)
	pid := fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
	otp := fmt.Sprintf("%06d", (int(b[0])<<16|int(b[1])<<8|int(b[2]))%1000000)
	s.mu.Lock()
	s.procs[pid] = &process{citizen: c, doc: doc, otp: otp, expires: time.Now().Add(5 * time.Minute)}
	s.lastOTP = otp
	s.uploads++
	notify := s.Notify
	s.mu.Unlock()
	if notify != nil {
		notify(phone, otp)
	}
	answer(w, http.StatusOK, map[string]any{"status": true, "message": "Success! Next step: invoke ValidateOTP", "processId": pid})
}

func (s *Server) validate(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != s.OTP.Path {
		http.NotFound(w, r)
		return
	}
	if !s.authorized(w, r) {
		return
	}
	var body map[string]any
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body); err != nil {
		refuse(w, http.StatusBadRequest, "INVALID_BODY")
		return
	}
	pid, _ := body[s.OTP.ProcessIDField].(string)
	code, _ := body[s.OTP.CodeField].(string)
	s.mu.Lock()
	p := s.procs[pid]
	if p != nil && (time.Now().After(p.expires) || code == p.otp) {
		delete(s.procs, pid)
	}
	s.mu.Unlock()
	switch {
	case p == nil || time.Now().After(p.expires):
		refuse(w, http.StatusNotFound, "PROCESS_NOT_FOUND")
		return
	case code != p.otp:
		refuse(w, http.StatusBadRequest, "OTP inválido")
		return
	}
	doc := p.doc
	if s.Rewrite {
		// Another document of the same structure: the header's
		// version differs.
		doc = bytes.Clone(doc)
		doc[7] ^= 0x01
	}
	var out bytes.Buffer
	chain := p.citizen.Chain
	err := pdf.Sign(context.WithoutCancel(r.Context()), bytes.NewReader(doc), int64(len(doc)), &out, p.citizen.Key, chain,
		pdf.Options{Timestamper: &pdf.TSAClient{URL: s.cmd.TSA.URL}, Reason: "Assinatura com Chave Móvel Digital"})
	if err != nil {
		refuse(w, http.StatusInternalServerError, "SIGNING_FAILED")
		return
	}
	signed := out.Bytes()
	if s.Tamper {
		signed[len(doc)/2] ^= 0x01
	}
	answer(w, http.StatusOK, map[string]any{"status": true, "message": "Success", s.OTP.DocumentField: base64.StdEncoding.EncodeToString(signed)})
}
