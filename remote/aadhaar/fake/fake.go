// Package fake is the Aadhaar eSign API of seed 001 running in-process for
// tests and demos. It enforces the three credential headers, stores
// uploads, signing configs and templates, issues request and signer ids
// with preview URLs, and lets a test act as each signer: open the link,
// sign (a real PAdES signature by a certificate of its test "ESP" CA,
// incremental, drawn where the request placed it), fail with any errCode,
// decline. The signed file is served from a short-lived link; webhook
// notifications go to a registered URL — duplicated and out of order on
// demand; any call answers any documented error on demand.
package fake

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/signet-sign/signet/internal/testpki"
	"github.com/signet-sign/signet/internal/testtsa"
	"github.com/signet-sign/signet/pdf"
	"github.com/signet-sign/signet/remote/aadhaar"
)

// Server is a running fake.
type Server struct {
	*httptest.Server
	ClientID, ClientSecret, ProductInstanceID string
	// PKI is the ESP's CA; TSA timestamps the signatures.
	PKI *testpki.PKI
	TSA *testtsa.TSA
	// LinkTTL is how long a download link works.
	LinkTTL time.Duration
	// Webhook receives notifications when set.
	Webhook string
	// Duplicates sends every notification twice; Stale sends, after
	// each notification, the one before it again (out of order).
	Duplicates, Stale bool
	// Tamper changes a byte of the signed document it serves.
	Tamper bool
	// ExpiredLinks is how many of the next download links are handed out
	// already expired (a client slow to use them).
	ExpiredLinks int
	// AutoSign signs for every signer in turn, this long after the
	// request is made (demos).
	AutoSign time.Duration

	mu         sync.Mutex
	docs       map[string]*document
	configs    map[string]aadhaar.SigningConfig
	templates  map[string]*template
	reqs       map[string]*request
	links      map[string]*link
	fails      map[string][]failure
	sent       []aadhaar.Notification
	lastConfig []byte
	calls      map[string]int
	wg         sync.WaitGroup
}

type document struct {
	name string
	data []byte
	used bool
}

type template struct {
	name   string
	data   []byte
	params json.RawMessage
}

type request struct {
	aadhaar.Request
	config *aadhaar.SigningConfig
	input  []aadhaar.SignerInput
	pdf    []byte // the document as signed so far
}

type link struct {
	data    []byte
	expires time.Time
}

type failure struct {
	status       int
	code, detail string
}

// Start starts a fake for the client's credentials, with its own ESP CA
// and TSA.
func Start(clientID, secret, instance string) (*Server, error) {
	pki, tsa, err := testtsa.StartPKI()
	if err != nil {
		return nil, err
	}
	s := &Server{ClientID: clientID, ClientSecret: secret, ProductInstanceID: instance, PKI: pki, TSA: tsa,
		LinkTTL: time.Minute, docs: map[string]*document{}, configs: map[string]aadhaar.SigningConfig{},
		templates: map[string]*template{}, reqs: map[string]*request{}, links: map[string]*link{},
		fails: map[string][]failure{}, calls: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/documents", s.auth(s.upload))
	mux.HandleFunc("GET /api/documents/{id}", s.auth(s.getDocument))
	mux.HandleFunc("POST /api/signature", s.auth(s.create))
	mux.HandleFunc("GET /api/signature/{id}", s.auth(s.get))
	mux.HandleFunc("GET /api/signature/{id}/download", s.auth(s.download))
	mux.HandleFunc("POST /api/signature/{id}/delete", s.auth(s.delete))
	mux.HandleFunc("GET /api/signature/{id}/audit", s.auth(s.audit))
	mux.HandleFunc("POST /api/signature/config", s.auth(s.config))
	mux.HandleFunc("POST /api/templates", s.auth(s.uploadTemplate))
	mux.HandleFunc("GET /api/templates/{id}", s.auth(s.getTemplate))
	mux.HandleFunc("POST /api/templates/{id}/render", s.auth(s.render))
	mux.HandleFunc("GET /files/{token}", s.file)
	mux.HandleFunc("GET /signature/preview", s.preview)
	s.Server = httptest.NewServer(mux)
	return s, nil
}

// Close stops the fake, its TSA and its notifications.
func (s *Server) Close() {
	s.Server.Close()
	s.wg.Wait()
	s.TSA.Close()
}

// FailNext makes the next call of route ("POST /api/signature", …) answer
// an error.
func (s *Server) FailNext(route string, status int, code, detail string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fails[route] = append(s.fails[route], failure{status, code, detail})
}

// Calls is how many times route was called.
func (s *Server) Calls(route string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[route]
}

// ExpireLinks makes every download link handed out stop working.
func (s *Server) ExpireLinks() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range s.links {
		l.expires = time.Now().Add(-time.Second)
	}
}

// Uploaded is the document of a request as it was uploaded.
func (s *Server) Uploaded(requestID string) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.reqs[requestID]; r != nil {
		return s.docs[r.DocumentID].data
	}
	return nil
}

// LastConfig is the last signing config body received, as sent.
func (s *Server) LastConfig() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastConfig
}

func newID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, status int, code, detail string) {
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "detail": detail, "traceId": newID()}})
}

// auth enforces the headers and plays the scripted failures.
func (s *Server) auth(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		route := r.Pattern
		s.mu.Lock()
		s.calls[route]++
		var f *failure
		if q := s.fails[route]; len(q) > 0 {
			f, s.fails[route] = &q[0], q[1:]
		}
		s.mu.Unlock()
		switch {
		case r.Header.Get("x-client-id") != s.ClientID || r.Header.Get("x-client-secret") != s.ClientSecret ||
			r.Header.Get("x-product-instance-id") != s.ProductInstanceID:
			fail(w, http.StatusUnauthorized, "unauthorized", "Invalid client credentials")
		case f != nil:
			fail(w, f.status, f.code, f.detail)
		default:
			h(w, r)
		}
	}
}

func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseMultipartForm(64 << 20); err != nil {
		fail(w, http.StatusBadRequest, "invalid_payload", "multipart/form-data with document and name expected")
		return
	}
	f, _, err := r.FormFile("document")
	if err != nil {
		fail(w, http.StatusBadRequest, "invalid_payload", "document not provided")
		return
	}
	data, _ := io.ReadAll(f)
	name := r.FormValue("name")
	if name == "" || !bytes.HasPrefix(data, []byte("%PDF-")) {
		fail(w, http.StatusBadRequest, "invalid_document", "a PDF document and a name are required")
		return
	}
	id := newID()
	s.mu.Lock()
	s.docs[id] = &document{name: name, data: data}
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, aadhaar.Document{ID: id, Name: name})
}

// serve hands out a short-lived link to data.
func (s *Server) serve(data []byte) (string, time.Time) {
	token := newID()
	exp := time.Now().Add(s.LinkTTL)
	s.mu.Lock()
	if s.ExpiredLinks > 0 {
		s.ExpiredLinks--
		exp = time.Now().Add(-time.Second)
	}
	s.links[token] = &link{data: data, expires: exp}
	s.mu.Unlock()
	return s.URL + "/files/" + token, exp
}

func (s *Server) getDocument(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	d := s.docs[r.PathValue("id")]
	s.mu.Unlock()
	if d == nil {
		fail(w, http.StatusNotFound, "document_not_found", "Document not found.")
		return
	}
	u, _ := s.serve(d.data)
	writeJSON(w, http.StatusOK, aadhaar.Document{ID: r.PathValue("id"), Name: d.name, DocumentType: "application/pdf", DownloadURL: u})
}

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	var in aadhaar.RequestInput
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		fail(w, http.StatusBadRequest, "invalid_payload", err.Error())
		return
	}
	u, err := url.Parse(in.RedirectURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		fail(w, http.StatusBadRequest, "invalid_redirect_url", "redirectUrl must be a valid URL")
		return
	}
	if n := len(in.Signers); n == 0 || n > aadhaar.MaxSigners {
		fail(w, http.StatusBadRequest, "invalid_payload", "1 to 6 signers")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.docs[in.DocumentID]
	switch {
	case d == nil:
		fail(w, http.StatusBadRequest, "invalid_document", "The document Id is not known")
		return
	case d.used:
		fail(w, http.StatusBadRequest, "invalid_document", "The document Id is already being used in a signature")
		return
	}
	var cfg *aadhaar.SigningConfig
	if in.ConfigID != "" {
		c, ok := s.configs[in.ConfigID]
		if !ok {
			fail(w, http.StatusNotFound, "config_id_not_found", "Unable to find the resource")
			return
		}
		cfg = &c
	}
	for _, sg := range in.Signers {
		if sg.Identifier == "" || sg.DisplayName == "" || (cfg == nil && sg.Signature == nil) ||
			(cfg != nil && (sg.SignerConfigNumber < 1 || sg.SignerConfigNumber > len(cfg.Signers))) {
			fail(w, http.StatusBadRequest, "invalid_payload", "each signer needs identifier, displayName and a signature or signerConfigNumber")
			return
		}
	}
	d.used = true
	req := &request{config: cfg, input: in.Signers, pdf: d.data}
	req.ID, req.DocumentID, req.RedirectURL, req.Status = newID(), in.DocumentID, in.RedirectURL, aadhaar.StatusInitiated
	for _, sg := range in.Signers {
		id := newID()
		req.Signers = append(req.Signers, aadhaar.Signer{ID: id, Identifier: sg.Identifier, DisplayName: sg.DisplayName,
			BirthYear: sg.BirthYear, Status: aadhaar.SignerPending,
			URL: s.URL + "/signature/preview?requestId=" + req.ID + "&signerId=" + id})
	}
	s.reqs[req.ID] = req
	writeJSON(w, http.StatusCreated, req.Request)
	if s.AutoSign > 0 {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			for i := range in.Signers {
				time.Sleep(s.AutoSign)
				if s.Sign(req.ID, i) != nil {
					return
				}
			}
		}()
	}
}

func (s *Server) lookup(w http.ResponseWriter, r *http.Request) *request {
	s.mu.Lock()
	req := s.reqs[r.PathValue("id")]
	s.mu.Unlock()
	if req == nil {
		fail(w, http.StatusNotFound, "signature_request_not_found", "Signature Request Not Found.")
	}
	return req
}

func (s *Server) get(w http.ResponseWriter, r *http.Request) {
	if req := s.lookup(w, r); req != nil {
		s.mu.Lock()
		out := clone(req.Request)
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, out)
	}
}

func clone(r aadhaar.Request) aadhaar.Request {
	r.Signers = slices.Clone(r.Signers)
	return r
}

func (s *Server) download(w http.ResponseWriter, r *http.Request) {
	req := s.lookup(w, r)
	if req == nil {
		return
	}
	s.mu.Lock()
	status, data := req.Status, bytes.Clone(req.pdf)
	s.mu.Unlock()
	if status != aadhaar.StatusComplete {
		fail(w, http.StatusBadRequest, "document_not_signed", "Only signed documents can be downloaded.")
		return
	}
	if s.Tamper {
		data[len(data)/3] ^= 0x01
	}
	u, exp := s.serve(data)
	writeJSON(w, http.StatusOK, map[string]string{"downloadUrl": u, "id": req.ID, "validUpto": exp.Format(time.RFC3339)})
}

func (s *Server) delete(w http.ResponseWriter, r *http.Request) {
	if req := s.lookup(w, r); req != nil {
		s.mu.Lock()
		delete(s.reqs, req.ID)
		delete(s.docs, req.DocumentID)
		s.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}
}

func (s *Server) audit(w http.ResponseWriter, r *http.Request) {
	req := s.lookup(w, r)
	if req == nil {
		return
	}
	if r.Header.Get("Accept") == "application/pdf" {
		w.Header().Set("Content-Type", "application/pdf")
		s.mu.Lock()
		w.Write(s.docs[req.DocumentID].data)
		s.mu.Unlock()
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	events := []map[string]any{{"createdAt": time.Now().Format("2006-01-02 15:04:05.000000"), "activity": "uploaded",
		"initator": map[string]string{"name": "Signet test client", "type": "apiClient"}, "metaData": map[string]any{}}}
	for _, sg := range req.Signers {
		if sg.Status == aadhaar.SignerSigned {
			events = append(events, map[string]any{"createdAt": time.Now().Format("2006-01-02 15:04:05.000000"), "activity": "signed",
				"initator": map[string]string{"name": sg.DisplayName, "type": "signer"}, "metaData": map[string]any{"signatureDetails": sg.SignatureDetails}})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": req.ID, "document": map[string]string{"id": req.DocumentID, "name": s.docs[req.DocumentID].name}, "events": events})
}

func (s *Server) config(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	s.mu.Lock()
	s.lastConfig = body
	s.mu.Unlock()
	// "The request body should be a continuos string."
	if bytes.ContainsAny(bytes.TrimSpace(body), "\r\n") {
		fail(w, http.StatusBadRequest, "invalid_payload", "remove line breaks from the config")
		return
	}
	var cfg aadhaar.SigningConfig
	if err := json.Unmarshal(body, &cfg); err != nil || len(cfg.Signers) == 0 {
		fail(w, http.StatusBadRequest, "invalid_payload", "signers array not provided please check config payload.")
		return
	}
	for _, sg := range cfg.Signers {
		for _, rect := range sg.SignRectangles {
			c := rect.Coordinate
			if c.LowerLeftX >= c.UpperRightX || c.LowerLeftY >= c.UpperRightY || len(rect.Pages) == 0 || slices.Min(rect.Pages) < 0 {
				fail(w, http.StatusBadRequest, "invalid_payload", "invalid signRectangle")
				return
			}
		}
	}
	if cfg.ConfigID == "" {
		cfg.ConfigID = newID()
	}
	s.mu.Lock()
	s.configs[cfg.ConfigID] = cfg
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, map[string]string{"configId": cfg.ConfigID, "traceId": newID()})
}

func (s *Server) uploadTemplate(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseMultipartForm(64 << 20); err != nil {
		fail(w, http.StatusBadRequest, "invalid_payload", "multipart/form-data expected")
		return
	}
	f, hdr, err := r.FormFile("template")
	params := r.FormValue("parameters")
	if err != nil || !json.Valid([]byte(params)) {
		fail(w, http.StatusBadRequest, "invalid_payload", "template and parameters are required")
		return
	}
	data, _ := io.ReadAll(f)
	id := newID()
	s.mu.Lock()
	s.templates[id] = &template{name: hdr.Filename, data: data, params: json.RawMessage(params)}
	s.mu.Unlock()
	u, _ := s.serve(data)
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "downloadUrl": u, "parameters": json.RawMessage(params)})
}

func (s *Server) getTemplate(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	t := s.templates[r.PathValue("id")]
	s.mu.Unlock()
	if t == nil {
		fail(w, http.StatusNotFound, "template_not_found", "Template not found")
		return
	}
	u, _ := s.serve(t.data)
	writeJSON(w, http.StatusOK, map[string]any{"id": r.PathValue("id"), "downloadUrl": u, "parameters": t.params})
}

// render makes a document of the template (the parameters are not drawn:
// the fake only keeps the protocol).
func (s *Server) render(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name       string            `json:"name"`
		Parameters map[string]string `json:"parameters"`
	}
	s.mu.Lock()
	t := s.templates[r.PathValue("id")]
	s.mu.Unlock()
	if t == nil {
		fail(w, http.StatusNotFound, "template_not_found", "Template not found")
		return
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Name == "" {
		fail(w, http.StatusBadRequest, "invalid_payload", "name and parameters are required")
		return
	}
	id := newID()
	s.mu.Lock()
	s.docs[id] = &document{name: in.Name, data: t.data}
	s.mu.Unlock()
	u, _ := s.serve(t.data)
	writeJSON(w, http.StatusOK, aadhaar.Document{ID: id, Name: in.Name, DocumentType: "application/pdf", DownloadURL: u})
}

func (s *Server) file(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	l := s.links[r.PathValue("token")]
	s.mu.Unlock()
	if l == nil || time.Now().After(l.expires) {
		http.Error(w, "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>", http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Length", strconv.Itoa(len(l.data)))
	w.Write(l.data)
}

func (s *Server) preview(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, "<!doctype html><title>eSign</title><p>Signing request %s, signer %s: enter your Aadhaar number and the OTP.</p>",
		url.QueryEscape(r.URL.Query().Get("requestId")), url.QueryEscape(r.URL.Query().Get("signerId")))
}

// Open starts signer i's session: the request is in progress.
func (s *Server) Open(requestID string, i int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	req := s.reqs[requestID]
	if req == nil || i < 0 || i >= len(req.Signers) {
		return fmt.Errorf("no signer %d in request %s", i, requestID)
	}
	req.Signers[i].Status, req.Status = aadhaar.SignerInProgress, aadhaar.StatusInProgress
	return nil
}

// Fail records a failed attempt of signer i with errCode and notifies.
func (s *Server) Fail(requestID string, i int, errCode string) error {
	s.mu.Lock()
	req := s.reqs[requestID]
	if req == nil || i < 0 || i >= len(req.Signers) {
		s.mu.Unlock()
		return fmt.Errorf("no signer %d in request %s", i, requestID)
	}
	req.Signers[i].Status, req.Signers[i].ErrCode = aadhaar.SignerPending, errCode
	req.Status = overall(req.Signers)
	snap := clone(req.Request)
	s.mu.Unlock()
	s.notify(snap)
	return nil
}

// overall is the request status the signers' make.
func overall(signers []aadhaar.Signer) string {
	signed := 0
	for _, sg := range signers {
		if sg.Status == aadhaar.SignerInProgress {
			return aadhaar.StatusInProgress
		}
		if sg.Status == aadhaar.SignerSigned {
			signed++
		}
	}
	switch signed {
	case 0:
		return aadhaar.StatusInitiated
	case len(signers):
		return aadhaar.StatusComplete
	}
	return aadhaar.StatusPending
}

// Sign has signer i sign: the ESP certifies a key for the signer's name
// and a PAdES signature is appended where the request placed it.
func (s *Server) Sign(requestID string, i int) error {
	s.mu.Lock()
	req := s.reqs[requestID]
	if req == nil || i < 0 || i >= len(req.Signers) || req.Signers[i].Status == aadhaar.SignerSigned {
		s.mu.Unlock()
		return fmt.Errorf("no unsigned signer %d in request %s", i, requestID)
	}
	in, cfg, doc := req.input[i], req.config, req.pdf
	s.mu.Unlock()

	ent, err := s.PKI.NewEntity(testpki.RSA2048, testpki.Signing, in.DisplayName, testpki.IssueOptions{})
	if err != nil {
		return err
	}
	opts := pdf.Options{Timestamper: &pdf.TSAClient{URL: s.TSA.URL}, Reason: "Aadhaar eSign", Location: "India"}
	if cfg != nil {
		if rects := cfg.Signers[in.SignerConfigNumber-1].SignRectangles; len(rects) > 0 && len(rects[0].Pages) > 0 {
			c := rects[0].Coordinate
			opts.Appearance = &pdf.Appearance{Page: rects[0].Pages[0] + 1, Rect: [4]float64{c.LowerLeftX, c.LowerLeftY, c.UpperRightX, c.UpperRightY}}
		}
	}
	var out bytes.Buffer
	if err := pdf.Sign(context.Background(), bytes.NewReader(doc), int64(len(doc)), &out, ent.Key, s.PKI.Chain(ent.Cert), opts); err != nil {
		return err
	}
	s.mu.Lock()
	req.pdf = out.Bytes()
	sg := &req.Signers[i]
	sg.Status, sg.ErrCode = aadhaar.SignerSigned, ""
	suffix := in.Identifier
	if len(suffix) > 4 {
		suffix = suffix[len(suffix)-4:]
	}
	sg.SignatureDetails = &aadhaar.SignatureDetails{AadhaarName: in.DisplayName, AadhaarSuffix: suffix, BirthYear: in.BirthYear, Gender: "F", PostalCode: "560001"}
	req.Status = overall(req.Signers)
	snap := clone(req.Request)
	s.mu.Unlock()
	s.notify(snap)
	return nil
}

// notify posts a notification to the webhook (twice with Duplicates;
// followed by the previous one with Stale).
func (s *Server) notify(r aadhaar.Request) {
	if s.Webhook == "" {
		return
	}
	var n aadhaar.Notification
	n.Data.Esign = r
	n.Event, n.TimeStamp = "ESIGN_WEBHOOK_NOTIFICATION", time.Now().Format(time.RFC3339Nano)
	s.mu.Lock()
	queue := []aadhaar.Notification{n}
	if s.Duplicates {
		queue = append(queue, n)
	}
	if s.Stale && len(s.sent) > 0 {
		queue = append(queue, s.sent[len(s.sent)-1])
	}
	s.sent = append(s.sent, n)
	hook := s.Webhook
	s.mu.Unlock()
	for _, q := range queue {
		body, _ := json.Marshal(q)
		resp, err := http.Post(hook, "application/json", bytes.NewReader(body))
		if err == nil {
			resp.Body.Close()
		}
	}
}

// Requests lists the ids of the requests made so far.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for id := range s.reqs {
		ids = append(ids, id)
	}
	return ids
}
