// Package fake is CertEurope's SignAPI running in-process for tests and
// demos, behind real mutual TLS: its test CA issues client certificates,
// and a connection without one, or with another CA's, fails the
// handshake. Orders get a one-time certificate from the test CA when
// they are signed; signatures are real PAdES made with Signet's engine at
// the requested level (a test TSA for B-T, an OCSP responder for B-LT
// and B-LTA); triggered orders send an OTP the test reads, with a try
// counter; SYNC and ASYNC; every status and error on demand; the
// centralized (seal) calls in the shape Signet assumes.
package fake

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/signet-sign/signet/internal/testocsp"
	"github.com/signet-sign/signet/internal/testpki"
	"github.com/signet-sign/signet/internal/testtsa"
	"github.com/signet-sign/signet/pdf"
	"github.com/signet-sign/signet/remote/certeurope"
)

// Server is a running fake.
type Server struct {
	*httptest.Server
	PKI  *testpki.PKI
	TSA  *testtsa.TSA
	OCSP *testocsp.Responder
	// Seal is the organisation's server seal (workflow 3).
	Seal testpki.Entity
	// OTPTries is how many wrong OTPs an order takes.
	OTPTries int
	// AsyncDelay is how long an ASYNC signing takes.
	AsyncDelay time.Duration
	// Tamper changes a byte of every signed document served.
	Tamper bool
	// Outcome, when set, decides the n-th document (0-based) of each
	// signing: "" signs it, certeurope.StatusFailed or StatusRefused ends
	// it so, with reason.
	Outcome func(n int) (status, reason string)
	// Notify hears each OTP "sent".
	Notify      func(contact, otp string)
	Centralized certeurope.Centralized

	mu      sync.Mutex
	orders  map[string]*order
	sigs    map[string]*sigReq
	fails   map[string][]failure
	lastOTP string
	calls   map[string]int
	next    int
	wg      sync.WaitGroup
}

type order struct {
	certeurope.Order
	id, status string
	triggered  bool
	otp        string
	tries      int
	validated  bool
}

type sigReq struct {
	certeurope.SignatureRequest
	status certeurope.Status
	doc    []byte
	signed []byte
	seal   bool
}

type failure struct {
	status     int
	label, msg string
}

// Start starts a fake behind mutual TLS.
func Start() (*Server, error) {
	pki, err := testpki.New()
	if err != nil {
		return nil, err
	}
	ltv, err := testtsa.StartLTV(pki)
	if err != nil {
		return nil, err
	}
	tsa, responder := ltv.TSA, ltv.OCSP
	seal, err := pki.NewEntity(testpki.P256, testpki.Signing, "Acme SAS (cachet serveur)", testpki.IssueOptions{OCSPServer: responder.URL})
	if err != nil {
		return nil, err
	}
	s := &Server{PKI: pki, TSA: tsa, OCSP: responder, Seal: seal, OTPTries: 3, AsyncDelay: 100 * time.Millisecond,
		Centralized: certeurope.DefaultCentralized, orders: map[string]*order{}, sigs: map[string]*sigReq{},
		fails: map[string][]failure{}, calls: map[string]int{}, next: 158774}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /ephemeral/orders", s.route(s.createOrder))
	mux.HandleFunc("GET /ephemeral/orders/", s.route(s.getOrder))
	mux.HandleFunc("GET /ephemeral/orders/search", s.route(s.searchOrders))
	mux.HandleFunc("DELETE /ephemeral/orders/", s.route(s.deleteOrder))
	mux.HandleFunc("POST /ephemeral/signatures", s.route(s.createSigs(false)))
	mux.HandleFunc("POST /ephemeral/trigger/signatures", s.route(s.createSigs(true)))
	mux.HandleFunc("POST /ephemeral/trigger/signatures/validate", s.route(s.validate))
	mux.HandleFunc("POST /ephemeral/signatures/sign", s.route(s.sign(false)))
	mux.HandleFunc("POST /ephemeral/trigger/signatures/sign", s.route(s.sign(true)))
	mux.HandleFunc("GET /ephemeral/signatures/", s.route(s.status))
	mux.HandleFunc("GET /ephemeral/signatures/search/", s.route(s.searchSigs))
	mux.HandleFunc("PATCH /ephemeral/signatures/", s.route(s.patch))
	mux.HandleFunc("POST "+s.Centralized.Create, s.route(s.createSeal))
	mux.HandleFunc("POST "+s.Centralized.Sign, s.route(s.signSeal(false)))
	mux.HandleFunc("POST "+s.Centralized.SignBatch, s.route(s.signSeal(true)))
	s.Server = httptest.NewUnstartedServer(mux)
	pool := x509.NewCertPool()
	pool.AddCert(pki.Root.Cert)
	pool.AddCert(pki.Intermediate.Cert)
	s.Server.TLS = &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool, MinVersion: tls.VersionTLS12}
	s.Server.StartTLS()
	return s, nil
}

// Close stops the fake and its helpers.
func (s *Server) Close() {
	s.Server.Close()
	s.wg.Wait()
	s.TSA.Close()
	s.OCSP.Close()
}

// ServerCA is the certificate clients must trust for the server.
func (s *Server) ServerCA() *x509.Certificate { return s.Server.Certificate() }

// NewClient issues a client-authentication certificate (as CertEurope's
// registration authority does), with its key.
func (s *Server) NewClient(cn string) (testpki.Entity, error) {
	return s.PKI.NewEntity(testpki.RSA2048, testpki.Authentication, cn, testpki.IssueOptions{})
}

// FailNext makes the next call of route ("POST /ephemeral/orders", …)
// answer an error.
func (s *Server) FailNext(route string, status int, label, msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fails[route] = append(s.fails[route], failure{status, label, msg})
}

// LastOTP is the last OTP sent.
func (s *Server) LastOTP() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastOTP
}

// Calls is how many times route was called.
func (s *Server) Calls(route string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[route]
}

func (s *Server) newID() string {
	s.next++
	return fmt.Sprint(s.next)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, status int, label, msg string) {
	writeJSON(w, status, map[string]string{"errorLabel": label, "errorMsg": msg})
}

func (s *Server) route(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.calls[r.Pattern]++
		var f *failure
		if q := s.fails[r.Pattern]; len(q) > 0 {
			f, s.fails[r.Pattern] = &q[0], q[1:]
		}
		s.mu.Unlock()
		if f != nil {
			fail(w, f.status, f.label, f.msg)
			return
		}
		h(w, r)
	}
}

func (s *Server) findOrder(q map[string][]string, idKey, extKey string) *order {
	id, ext := first(q[idKey]), first(q[extKey])
	for _, o := range s.orders {
		if (id != "" && o.id == id) || (id == "" && ext != "" && o.ExternalOrderRequestID == ext) {
			return o
		}
	}
	return nil
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

func (o *order) view() certeurope.OrderStatus {
	return certeurope.OrderStatus{OrderRequestID: o.id, ExternalOrderRequestID: o.ExternalOrderRequestID, Status: o.status}
}

func (s *Server) createOrder(w http.ResponseWriter, r *http.Request) {
	var o certeurope.Order
	if err := json.NewDecoder(io.LimitReader(r.Body, 64<<20)).Decode(&o); err != nil {
		fail(w, http.StatusBadRequest, "INVALID_REQUEST", err.Error())
		return
	}
	h := o.Holder
	if h.Firstname == "" || h.Lastname == "" || h.Email == "" || h.Mobile == "" || h.Country == "" {
		fail(w, http.StatusBadRequest, "INVALID_HOLDER", "firstname, lastname, email, mobile and country are required")
		return
	}
	if o.ProofFolder != nil {
		if _, err := base64.StdEncoding.DecodeString(o.ProofFolder.ZipFiles); err != nil {
			fail(w, http.StatusBadRequest, "INVALID_PROOF_FOLDER", "zipFiles is not base64")
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	od := &order{Order: o, id: s.newID(), status: "CREATED", triggered: o.EnableOTP != nil, tries: s.OTPTries}
	if od.ExternalOrderRequestID == "" {
		od.ExternalOrderRequestID = "ext-" + od.id
	}
	s.orders[od.id] = od
	writeJSON(w, http.StatusCreated, od.view())
}

func (s *Server) getOrder(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o := s.findOrder(r.URL.Query(), "id", "externalId"); o != nil {
		writeJSON(w, http.StatusOK, o.view())
		return
	}
	fail(w, http.StatusNotFound, "ORDER_NOT_FOUND", "order not found")
}

func (s *Server) searchOrders(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	email, mobile := r.URL.Query().Get("email"), r.URL.Query().Get("mobile")
	out := []certeurope.OrderStatus{}
	for _, o := range s.orders {
		if (email == "" || o.Holder.Email == email) && (mobile == "" || o.Holder.Mobile == mobile) {
			out = append(out, o.view())
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) deleteOrder(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.findOrder(r.URL.Query(), "id", "externalId")
	if o == nil {
		fail(w, http.StatusNotFound, "ORDER_NOT_FOUND", "order not found")
		return
	}
	delete(s.orders, o.id)
	w.WriteHeader(http.StatusNoContent)
}

// checkRequest validates one signature request.
func checkRequest(sr certeurope.SignatureRequest) ([]byte, string) {
	switch sr.SignatureOptions.SignatureType {
	case "PAdES_BASELINE_B", "PAdES_BASELINE_T", "PAdES_BASELINE_LT", "PAdES_BASELINE_LTA":
	default:
		return nil, "signatureType " + sr.SignatureOptions.SignatureType
	}
	if d := sr.SignatureOptions.DigestAlgorithmName; d != "SHA256" && d != "SHA224" {
		return nil, "digestAlgorithmName " + d
	}
	doc, err := base64.StdEncoding.DecodeString(sr.ToSignContent)
	if err != nil || !bytes.HasPrefix(doc, []byte("%PDF-")) {
		return nil, "toSignContent is not a PDF in base64"
	}
	if o := sr.PDFSignatureOptions; o != nil {
		if _, err := certeurope.Appearance(o); err != nil {
			return nil, err.Error()
		}
	}
	return doc, ""
}

func (s *Server) createSigs(triggered bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var reqs []certeurope.SignatureRequest
		if err := json.NewDecoder(io.LimitReader(r.Body, 512<<20)).Decode(&reqs); err != nil || len(reqs) == 0 {
			fail(w, http.StatusBadRequest, "INVALID_REQUEST", "an array of signature requests is expected")
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		o := s.findOrder(r.URL.Query(), "orderRequestId", "externalOrderRequestId")
		if o == nil {
			fail(w, http.StatusNotFound, "ORDER_NOT_FOUND", "order not found")
			return
		}
		if o.triggered != triggered {
			fail(w, http.StatusBadRequest, "INVALID_WORKFLOW", "the order's OTP setting does not match this call")
			return
		}
		var out []certeurope.Status
		for _, sr := range reqs {
			doc, bad := checkRequest(sr)
			if bad != "" {
				fail(w, http.StatusBadRequest, "INVALID_SIGNATURE_REQUEST", bad)
				return
			}
			st := certeurope.StatusCreated
			if triggered {
				st = certeurope.StatusAwaitingValid
			}
			q := &sigReq{SignatureRequest: sr, doc: doc}
			q.status = certeurope.Status{SignatureRequestID: s.newID(), ExternalSignatureRequestID: sr.ExternalSignatureRequestID,
				OrderRequestID: o.id, ExternalOrderRequestID: o.ExternalOrderRequestID, Status: st}
			s.sigs[q.status.SignatureRequestID] = q
			out = append(out, q.status)
		}
		o.status = "SIGN_WAITING"
		writeJSON(w, http.StatusOK, out)
	}
}

func (s *Server) orderSigs(o *order) []*sigReq {
	var out []*sigReq
	for _, q := range s.sigs {
		if q.status.OrderRequestID == o.id {
			out = append(out, q)
		}
	}
	slices.SortFunc(out, func(a, b *sigReq) int {
		return strings.Compare(a.status.SignatureRequestID, b.status.SignatureRequestID)
	})
	return out
}

func statuses(qs []*sigReq) []certeurope.Status {
	out := []certeurope.Status{}
	for _, q := range qs {
		out = append(out, q.status)
	}
	return out
}

func (s *Server) validate(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	o := s.findOrder(r.URL.Query(), "orderRequestId", "externalOrderRequestId")
	if o == nil || !o.triggered {
		s.mu.Unlock()
		fail(w, http.StatusNotFound, "ORDER_NOT_FOUND", "no triggered order")
		return
	}
	b := make([]byte, 3)
	rand.Read(b)
	o.otp = fmt.Sprintf("%06d", (int(b[0])<<16|int(b[1])<<8|int(b[2]))%1000000)
	o.validated, o.tries = true, s.OTPTries
	for _, q := range s.orderSigs(o) {
		q.status.Status = certeurope.StatusAwaiting
	}
	s.lastOTP = o.otp
	notify, contact := s.Notify, o.OTPContact
	s.mu.Unlock()
	if notify != nil {
		notify(contact, o.otp)
	}
	w.WriteHeader(http.StatusOK)
}

func (s *Server) sign(triggered bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		mode := q.Get("mode")
		if mode != certeurope.SYNC && mode != certeurope.ASYNC {
			fail(w, http.StatusBadRequest, "INVALID_MODE", "mode must be SYNC or ASYNC")
			return
		}
		s.mu.Lock()
		o := s.findOrder(q, "orderRequestId", "externalOrderRequestId")
		if o == nil || o.triggered != triggered {
			s.mu.Unlock()
			fail(w, http.StatusNotFound, "ORDER_NOT_FOUND", "order not found for this workflow")
			return
		}
		if triggered {
			switch {
			case !o.validated:
				s.mu.Unlock()
				fail(w, http.StatusConflict, "ORDER_NOT_VALIDATED", "validate the signature requests first: the OTP is sent then")
				return
			case o.tries <= 0:
				s.mu.Unlock()
				fail(w, http.StatusForbidden, "OTP_BLOCKED", "too many wrong OTPs: 0 tries left")
				return
			case q.Get("otp") != o.otp:
				o.tries--
				left := o.tries
				s.mu.Unlock()
				fail(w, http.StatusBadRequest, "INVALID_OTP", fmt.Sprintf("invalid OTP, %d tries left", left))
				return
			}
		}
		qs := s.orderSigs(o)
		for _, x := range qs {
			x.status.Status = certeurope.StatusInProgress
		}
		o.status = "SIGN_IN_PROGRESS"
		holder := o.Holder
		s.mu.Unlock()
		s.signAll(r.Context(), mode, qs, func() (testpki.Entity, error) {
			return s.PKI.NewEntity(testpki.RSA2048, testpki.Signing, holder.Firstname+" "+holder.Lastname, testpki.IssueOptions{OCSPServer: s.OCSP.URL})
		}, w)
	}
}

// signAll signs each request with a key from newKey, now (SYNC) or
// later (ASYNC), and answers the statuses.
func (s *Server) signAll(ctx context.Context, mode string, qs []*sigReq, newKey func() (testpki.Entity, error), w http.ResponseWriter) {
	work := func(ctx context.Context) {
		ent, err := newKey()
		for n, q := range qs {
			if s.Outcome != nil {
				if status, reason := s.Outcome(n); status != "" {
					s.mu.Lock()
					q.status.Status, q.status.Reason = status, reason
					s.mu.Unlock()
					continue
				}
			}
			s.signOne(ctx, q, ent, err)
		}
	}
	if mode == certeurope.SYNC {
		work(ctx)
	} else {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			time.Sleep(s.AsyncDelay)
			work(context.Background())
		}()
	}
	s.mu.Lock()
	out := statuses(qs)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

var levels = map[string]pdf.Level{"PAdES_BASELINE_B": pdf.LevelBB, "PAdES_BASELINE_T": pdf.LevelBT, "PAdES_BASELINE_LT": pdf.LevelBLT, "PAdES_BASELINE_LTA": pdf.LevelBLTA}

func (s *Server) signOne(ctx context.Context, q *sigReq, ent testpki.Entity, keyErr error) {
	s.mu.Lock()
	refused := q.status.Status == certeurope.StatusRefused
	s.mu.Unlock()
	if refused {
		return
	}
	finish := func(status, why string, signed []byte) {
		s.mu.Lock()
		q.status.Status, q.status.Reason, q.signed = status, why, signed
		if signed != nil {
			q.status.SigningDate = time.Now().UTC().Format(time.RFC3339)
		}
		s.mu.Unlock()
	}
	if keyErr != nil {
		finish(certeurope.StatusFailed, keyErr.Error(), nil)
		return
	}
	level := levels[q.SignatureOptions.SignatureType]
	opts := pdf.Options{}
	if level != pdf.LevelBB {
		opts.Timestamper = &pdf.TSAClient{URL: s.TSA.URL}
	}
	if o := q.PDFSignatureOptions; o != nil {
		a, err := certeurope.Appearance(o)
		if err != nil {
			finish(certeurope.StatusFailed, err.Error(), nil)
			return
		}
		opts.Appearance = a
	}
	var out bytes.Buffer
	if err := pdf.Sign(ctx, bytes.NewReader(q.doc), int64(len(q.doc)), &out, ent.Key, s.PKI.Chain(ent.Cert), opts); err != nil {
		finish(certeurope.StatusFailed, err.Error(), nil)
		return
	}
	signed := out.Bytes()
	if level == pdf.LevelBLT || level == pdf.LevelBLTA {
		var ext bytes.Buffer
		if err := pdf.Extend(ctx, bytes.NewReader(signed), int64(len(signed)), &ext, level, opts.Timestamper, pdf.LTVOptions{Roots: s.PKI.Roots()}); err != nil {
			finish(certeurope.StatusFailed, err.Error(), nil)
			return
		}
		signed = ext.Bytes()
	}
	finish(certeurope.StatusSigned, "", signed)
}

func (s *Server) findSig(r *http.Request) *sigReq {
	id, ext := r.URL.Query().Get("id"), r.URL.Query().Get("externalId")
	for _, q := range s.sigs {
		if (id != "" && q.status.SignatureRequestID == id) || (id == "" && ext != "" && q.ExternalSignatureRequestID == ext) {
			return q
		}
	}
	return nil
}

func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.findSig(r)
	if q == nil {
		fail(w, http.StatusNotFound, "SIGNATURE_REQUEST_NOT_FOUND", "signature request not found")
		return
	}
	st := q.status
	if q.signed != nil {
		signed := bytes.Clone(q.signed)
		if s.Tamper {
			signed[len(signed)/3] ^= 0x01
		}
		st.SignedContent = base64.StdEncoding.EncodeToString(signed)
	}
	writeJSON(w, http.StatusOK, st)
}

func (s *Server) searchSigs(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.findOrder(r.URL.Query(), "orderRequestId", "externalOrderRequestId")
	if o == nil {
		fail(w, http.StatusNotFound, "ORDER_NOT_FOUND", "order not found")
		return
	}
	var qs []*sigReq
	for _, q := range s.orderSigs(o) {
		if st := r.URL.Query().Get("status"); st == "" || q.status.Status == st {
			qs = append(qs, q)
		}
	}
	writeJSON(w, http.StatusOK, statuses(qs))
}

func (s *Server) patch(w http.ResponseWriter, r *http.Request) {
	var body struct{ Status string }
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Status != certeurope.StatusRefused {
		fail(w, http.StatusBadRequest, "INVALID_STATUS", "only REFUSED can be set")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.findSig(r)
	switch {
	case q == nil:
		fail(w, http.StatusNotFound, "SIGNATURE_REQUEST_NOT_FOUND", "signature request not found")
	case certeurope.Signed(q.status.Status):
		fail(w, http.StatusConflict, "ALREADY_SIGNED", "a signed document cannot be refused")
	default:
		q.status.Status = certeurope.StatusRefused
		w.WriteHeader(http.StatusNoContent)
	}
}

// Refuse has the signer refuse a signature request, as in the service's
// own pages.
func (s *Server) Refuse(externalID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, q := range s.sigs {
		if q.ExternalSignatureRequestID == externalID {
			q.status.Status = certeurope.StatusRefused
		}
	}
}

func (s *Server) createSeal(w http.ResponseWriter, r *http.Request) {
	var reqs []certeurope.SignatureRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 512<<20)).Decode(&reqs); err != nil || len(reqs) == 0 {
		fail(w, http.StatusBadRequest, "INVALID_REQUEST", "an array of signature requests is expected")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []certeurope.Status
	for _, sr := range reqs {
		doc, bad := checkRequest(sr)
		if bad != "" {
			fail(w, http.StatusBadRequest, "INVALID_SIGNATURE_REQUEST", bad)
			return
		}
		q := &sigReq{SignatureRequest: sr, doc: doc, seal: true}
		q.status = certeurope.Status{SignatureRequestID: s.newID(), ExternalSignatureRequestID: sr.ExternalSignatureRequestID, Status: certeurope.StatusCreated}
		s.sigs[q.status.SignatureRequestID] = q
		out = append(out, q.status)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) signSeal(batch bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		mode := r.URL.Query().Get("mode")
		if mode != certeurope.SYNC && mode != certeurope.ASYNC {
			fail(w, http.StatusBadRequest, "INVALID_MODE", "mode must be SYNC or ASYNC")
			return
		}
		var ids []string
		if batch {
			if err := json.NewDecoder(r.Body).Decode(&ids); err != nil || len(ids) == 0 {
				fail(w, http.StatusBadRequest, "INVALID_REQUEST", "an array of signature request ids is expected")
				return
			}
		} else {
			ids = []string{r.URL.Query().Get("id")}
		}
		s.mu.Lock()
		var qs []*sigReq
		for _, id := range ids {
			q := s.sigs[id]
			if q == nil || !q.seal {
				s.mu.Unlock()
				fail(w, http.StatusNotFound, "SIGNATURE_REQUEST_NOT_FOUND", "no seal request "+id)
				return
			}
			q.status.Status = certeurope.StatusInProgress
			qs = append(qs, q)
		}
		s.mu.Unlock()
		s.signAll(r.Context(), mode, qs, func() (testpki.Entity, error) { return s.Seal, nil }, w)
	}
}

// TrustClientCA accepts client certificates issued by ca as well (a
// token's key certified by another test PKI). Call it before clients
// connect.
func (s *Server) TrustClientCA(ca *x509.Certificate) {
	s.Server.TLS.ClientCAs.AddCert(ca)
}
