// Package fake is a Remote Signing API that runs in-process for tests. It
// holds real cloud keys with certificates, checks passcodes, sends one-time
// codes the test can read, lets billCodes expire and counts wrong codes
// down to a block (1005), as the document describes.
package fake

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/signet-sign/signet/internal/testpki"
	"github.com/signet-sign/signet/internal/testtsa"
	"github.com/signet-sign/signet/pdf"
)

// Env is a fake with its own test PKI and timestamp authority: whole-file
// signatures chain to the PKI and carry timestamps.
type Env struct {
	*Server
	PKI *testpki.PKI
	TSA *testtsa.TSA
}

// StartEnv starts a fake for the relying party's credentials with a fresh
// PKI and TSA. Close stops both.
func StartEnv(username, password, rpCode string) (*Env, error) {
	pki, tsa, err := testtsa.StartPKI()
	if err != nil {
		return nil, err
	}
	s := Start(username, password, rpCode)
	s.CAs = []*x509.Certificate{pki.Intermediate.Cert}
	s.TSA = &pdf.TSAClient{URL: tsa.URL}
	return &Env{Server: s, PKI: pki, TSA: tsa}, nil
}

// Close stops the fake and its TSA.
func (e *Env) Close() {
	e.Server.Close()
	e.TSA.Close()
}

// NewAgreement makes an agreement whose cloud key is a fresh RSA-2048 key
// with a signing certificate for cn from pki, authorized by passcode or by
// one-time codes (every mode).
func NewAgreement(pki *testpki.PKI, cn, passcode string) (*Agreement, error) {
	e, err := pki.NewEntity(testpki.RSA2048, testpki.Signing, cn, testpki.IssueOptions{})
	if err != nil {
		return nil, err
	}
	return &Agreement{Key: e.Key.(*rsa.PrivateKey), Cert: e.Cert, Passcode: passcode,
		AuthModes: []string{"EXPLICIT/PIN", "EXPLICIT/OTP-SMS", "EXPLICIT/OTP-EMAIL"}}, nil
}

// Agreement is a signing agreement with its cloud key.
type Agreement struct {
	Key       *rsa.PrivateKey
	Cert      *x509.Certificate
	Passcode  string
	AuthModes []string
	// Expired answers 1014 to signing requests.
	Expired bool
}

// Server is a running fake.
type Server struct {
	*httptest.Server
	Username, Password, RPCode string
	// MaxCounter is remainingCounter after a good code.
	MaxCounter int
	// BillTTL is how long a pending billCode waits for its code.
	BillTTL time.Duration
	// RawHashSigning makes the service sign the bare hash instead of a
	// DigestInfo: the mismatch clients must catch.
	RawHashSigning bool
	// CAs complete the chain of whole-file signatures; TSA timestamps them.
	CAs []*x509.Certificate
	TSA pdf.Timestamper
	// Notify, when set, is told each one-time code "sent" to the person.
	Notify func(otp string)
	// DownloadOnly leaves the signed file out of the authorize answer, so
	// it must be downloaded by billCode.
	DownloadOnly bool

	mu         sync.Mutex
	agreements map[string]*Agreement
	counters   map[string]int
	tokens     map[string]bool
	bills      map[string]*bill
	lastOTP    string
	// hashRequests holds the number of hashes of each signing/hash request.
	hashRequests []int
	credExpire   bool
	files        map[string][]SignedFile
}

// SignedFile is a file kept for download.
type SignedFile struct {
	FileName, MimeType string
	Data               []byte
}

type bill struct {
	agreement string
	otp       string
	expires   time.Time
	// sign makes what a good code releases: the response fields.
	sign func(a *Agreement, billCode string) (map[string]any, error)
}

// Start starts a fake with the relying party's credentials.
func Start(username, password, rpCode string) *Server {
	s := &Server{Username: username, Password: password, RPCode: rpCode, MaxCounter: 3, BillTTL: 5 * time.Minute,
		agreements: map[string]*Agreement{}, counters: map[string]int{}, tokens: map[string]bool{},
		bills: map[string]*bill{}, files: map[string][]SignedFile{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /clients/login", s.login)
	mux.HandleFunc("POST /certificates/get-detail", s.auth(s.getDetail))
	mux.HandleFunc("POST /signing/hash", s.auth(s.signHash))
	mux.HandleFunc("POST /signing/hash/authorize", s.auth(s.authorizeHash))
	mux.HandleFunc("POST /signing/file", s.auth(s.signFile))
	mux.HandleFunc("POST /signing/file/authorize", s.auth(s.authorizeHash))
	mux.HandleFunc("GET /signing/download/file/{bill}", s.auth(s.download))
	s.Server = httptest.NewServer(mux)
	return s
}

// Add registers an agreement.
func (s *Server) Add(uuid string, a *Agreement) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.agreements[uuid] = a
	s.counters[uuid] = s.MaxCounter
}

// LastOTP is the last one-time code "sent" to the person.
func (s *Server) LastOTP() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastOTP
}

// HashRequests lists, for each signing/hash request so far, how many
// hashes it carried.
func (s *Server) HashRequests() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.hashRequests)
}

// ExpireCredentials makes the next authorized request answer 1029 and
// drops the tokens handed out.
func (s *Server) ExpireCredentials() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.credExpire = true
	s.tokens = map[string]bool{}
}

// ExpireBills makes every pending billCode time out.
func (s *Server) ExpireBills() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, b := range s.bills {
		b.expires = time.Now().Add(-time.Second)
	}
}

func write(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func code(w http.ResponseWriter, c int, msg string, extra map[string]any) {
	out := map[string]any{"responseCode": c, "responseMessage": msg, "status": c == 0, "timestamp": time.Now().Format(time.RFC3339)}
	for k, v := range extra {
		out[k] = v
	}
	write(w, out)
}

func random(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	var body struct{ Username, Password, RPCode string }
	json.NewDecoder(r.Body).Decode(&body)
	if body.Username != s.Username || body.Password != s.Password || body.RPCode != s.RPCode {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"statusCode": "401", "name": "UnauthorizedError", "message": "Invalid username or password"}})
		return
	}
	tok := random(16)
	s.mu.Lock()
	s.tokens[tok] = true
	s.credExpire = false
	s.mu.Unlock()
	write(w, map[string]string{"token": tok})
}

func (s *Server) auth(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		s.mu.Lock()
		ok, expired := s.tokens[tok], s.credExpire
		s.mu.Unlock()
		switch {
		case expired:
			code(w, 1029, "CREDENTIALS HAVE BEEN EXPIRED", nil)
		case !ok:
			w.WriteHeader(http.StatusUnauthorized)
		default:
			h(w, r)
		}
	}
}

type request struct {
	AgreementUUID string   `json:"agreementUUID"`
	AuthMode      string   `json:"authMode"`
	AuthorizeCode string   `json:"authorizeCode"`
	Hash          string   `json:"hash"`
	Hashs         []string `json:"hashs"`
	HashAlgorithm string   `json:"hashAlgorithm"`
	MimeType      string   `json:"mimeType"`
	BillCode      string   `json:"billCode"`
}

func (s *Server) agreement(w http.ResponseWriter, uuid string) *Agreement {
	s.mu.Lock()
	a := s.agreements[uuid]
	s.mu.Unlock()
	if a == nil {
		code(w, 1008, "AGREEEMENT NOT FOUND", nil)
	}
	return a
}

func (s *Server) getDetail(w http.ResponseWriter, r *http.Request) {
	var req request
	json.NewDecoder(r.Body).Decode(&req)
	a := s.agreement(w, req.AgreementUUID)
	if a == nil {
		return
	}
	code(w, 0, "SUCCESSFULLY", map[string]any{
		"certificate": base64.StdEncoding.EncodeToString(a.Cert.Raw), "certificateDN": a.Cert.Subject.String(),
		"certificateSerialNumber": fmt.Sprintf("%X", a.Cert.SerialNumber), "authModeSupported": a.AuthModes, "sharedMode": 1,
		"validFrom": a.Cert.NotBefore.Format(time.RFC3339), "validTo": a.Cert.NotAfter.Format(time.RFC3339),
	})
}

var hashes = map[string]struct {
	h    crypto.Hash
	mime string
}{
	"SHA-256": {crypto.SHA256, "application/sha256-binary"},
	"SHA-384": {crypto.SHA384, "application/sha384-binary"},
	"SHA-512": {crypto.SHA512, "application/sha512-binary"},
}

func (s *Server) signHash(w http.ResponseWriter, r *http.Request) {
	var req request
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		code(w, 1002, "INVALID PARAMS", nil)
		return
	}
	alg, ok := hashes[req.HashAlgorithm]
	if !ok || alg.mime != req.MimeType {
		code(w, 1002, "INVALID PARAMS", nil)
		return
	}
	list := req.Hashs
	if req.Hash != "" {
		list = []string{req.Hash}
	}
	s.mu.Lock()
	s.hashRequests = append(s.hashRequests, len(list))
	s.mu.Unlock()
	var digests [][]byte
	for _, hx := range list {
		d, err := hex.DecodeString(hx)
		if err != nil || len(d) != alg.h.Size() {
			code(w, 1002, "INVALID PARAMS", nil)
			return
		}
		digests = append(digests, d)
	}
	if len(digests) == 0 {
		code(w, 1002, "INVALID PARAMS", nil)
		return
	}
	s.start(w, req, &bill{agreement: req.AgreementUUID, sign: func(a *Agreement, _ string) (map[string]any, error) {
		var sigs []string
		for _, d := range digests {
			h := alg.h
			if s.RawHashSigning {
				h = 0 // PKCS#1 v1.5 over the bare hash, no DigestInfo
			}
			sig, err := rsa.SignPKCS1v15(rand.Reader, a.Key, h, d)
			if err != nil {
				return nil, err
			}
			sigs = append(sigs, base64.StdEncoding.EncodeToString(sig))
		}
		if len(sigs) == 1 {
			return map[string]any{"signatureValue": sigs[0]}, nil
		}
		return map[string]any{"signatureValues": sigs}, nil
	}})
}

// start answers a signing request: at once in passcode mode, or with a
// billCode waiting for the one-time code it "sends".
func (s *Server) start(w http.ResponseWriter, req request, b *bill) {
	a := s.agreement(w, req.AgreementUUID)
	if a == nil {
		return
	}
	b.expires = time.Now().Add(s.BillTTL)
	billCode := random(8)
	switch req.AuthMode {
	case "EXPLICIT/PIN", "":
		s.authorize(w, a, b, billCode, req.AuthorizeCode == a.Passcode)
	case "EXPLICIT/OTP-SMS", "EXPLICIT/OTP-EMAIL":
		b.otp = fmt.Sprintf("%06d", time.Now().UnixNano()%1000000)
		s.mu.Lock()
		s.bills[billCode] = b
		s.lastOTP = b.otp
		notify := s.Notify
		s.mu.Unlock()
		if notify != nil {
			notify(b.otp)
		}
		code(w, 1007, "REQUEST ACCEPTED", map[string]any{"billCode": billCode, "notificationTemplate": "Your authorize code: {AuthorizeCode}"})
	default:
		code(w, 1002, "INVALID PARAMS", nil)
	}
}

// signFile signs a whole PDF with the agreement's key, drawing the
// signature as signCloudMetaData says.
func (s *Server) signFile(w http.ResponseWriter, r *http.Request) {
	var req struct {
		request
		SigningFileData   string `json:"signingFileData"`
		SignCloudMetaData struct {
			SingletonSigning struct {
				Entry []struct{ Key, Value string } `json:"entry"`
			} `json:"singletonSigning"`
		} `json:"signCloudMetaData"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.MimeType != "application/pdf" {
		code(w, 1002, "INVALID PARAMS", nil)
		return
	}
	file, err := base64.StdEncoding.DecodeString(req.SigningFileData)
	if err != nil {
		code(w, 1002, "INVALID PARAMS", nil)
		return
	}
	meta := map[string]string{}
	for _, e := range req.SignCloudMetaData.SingletonSigning.Entry {
		meta[e.Key] = e.Value
	}
	opts, err := optionsFrom(meta)
	if err != nil {
		code(w, 1002, "INVALID PARAMS", nil)
		return
	}
	opts.Timestamper = s.TSA
	s.start(w, req.request, &bill{agreement: req.AgreementUUID, sign: func(a *Agreement, billCode string) (map[string]any, error) {
		var out bytes.Buffer
		chain := append([]*x509.Certificate{a.Cert}, s.CAs...)
		// With a one-time code this runs in a later request.
		if err := pdf.Sign(context.WithoutCancel(r.Context()), bytes.NewReader(file), int64(len(file)), &out, a.Key, chain, opts); err != nil {
			return nil, err
		}
		s.mu.Lock()
		s.files[billCode] = []SignedFile{{FileName: "signed.pdf", MimeType: "application/pdf", Data: out.Bytes()}}
		s.mu.Unlock()
		if s.DownloadOnly {
			return map[string]any{}, nil
		}
		data := base64.StdEncoding.EncodeToString(out.Bytes())
		return map[string]any{"signedFileData": data, "multipleSignedFileData": []map[string]string{
			{"signedFileData": data, "mimeType": "application/pdf", "signedFileName": "signed.pdf"}}}, nil
	}})
}

// optionsFrom reads signCloudMetaData into signing options.
func optionsFrom(meta map[string]string) (pdf.Options, error) {
	var opts pdf.Options
	if meta["VISIBLESIGNATURE"] == "true" {
		a := &pdf.Appearance{}
		parts := strings.Split(meta["COORDINATE"], ",")
		if len(parts) != 4 {
			return opts, fmt.Errorf("COORDINATE %q", meta["COORDINATE"])
		}
		for i, p := range parts {
			v, err := strconv.ParseFloat(p, 64)
			if err != nil {
				return opts, err
			}
			a.Rect[i] = v
		}
		switch p := meta["PAGENO"]; p {
		case "", "First", "1":
			a.Page = 1
		case "Last":
			a.Page = -1
		default:
			n, err := strconv.Atoi(p)
			if err != nil {
				return opts, err
			}
			a.Page = n
		}
		if img := meta["SIGNATUREIMAGE"]; img != "" {
			b, err := base64.StdEncoding.DecodeString(img)
			if err != nil {
				return opts, err
			}
			a.Image = b
		}
		a.ImageRight = meta["TEXTDIRECTION"] == "LEFTTORIGHT"
		opts.Appearance = a
	}
	opts.Reason, opts.Location = meta["SIGNREASON"], meta["LOCATION"]
	if meta["LOCKAFTERSIGNING"] == "true" {
		opts.Certify = pdf.NoChanges
	}
	return opts, nil
}

func (s *Server) authorizeHash(w http.ResponseWriter, r *http.Request) {
	var req request
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		code(w, 1002, "INVALID PARAMS", nil)
		return
	}
	a := s.agreement(w, req.AgreementUUID)
	if a == nil {
		return
	}
	s.mu.Lock()
	b := s.bills[req.BillCode]
	s.mu.Unlock()
	switch {
	case b == nil || b.agreement != req.AgreementUUID:
		code(w, 1025, "FILE NOT FOUND", nil)
		return
	case time.Now().After(b.expires):
		code(w, 1006, "AUTHORIZATION CODE TIMEOUT", nil)
		return
	}
	s.authorize(w, a, b, req.BillCode, req.AuthorizeCode == b.otp)
}

// authorize checks a code against the counter and signs when it is good.
func (s *Server) authorize(w http.ResponseWriter, a *Agreement, b *bill, billCode string, good bool) {
	s.mu.Lock()
	left := s.counters[b.agreement]
	s.mu.Unlock()
	if left <= 0 {
		code(w, 1005, "AUTHORIZATION BLOCKED", map[string]any{"remainingCounter": 0})
		return
	}
	if !good {
		s.mu.Lock()
		s.counters[b.agreement] = left - 1
		s.mu.Unlock()
		if left-1 == 0 {
			code(w, 1005, "AUTHORIZATION BLOCKED", map[string]any{"remainingCounter": 0})
			return
		}
		code(w, 1004, "INVALID AUTHORIZATION CODE", map[string]any{"remainingCounter": left - 1, "billCode": billCode})
		return
	}
	if a.Expired {
		code(w, 1014, "CERTIFICATE IS EXPIRED", nil)
		return
	}
	extra, err := b.sign(a, billCode)
	if err != nil {
		code(w, 1003, "UNEXPECTED EXCEPTION", nil)
		return
	}
	s.mu.Lock()
	s.counters[b.agreement] = s.MaxCounter
	delete(s.bills, billCode)
	s.mu.Unlock()
	extra["billCode"] = billCode
	extra["remainingCounter"] = s.MaxCounter
	code(w, 0, "SUCCESSFULLY", extra)
}

func (s *Server) download(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	files, ok := s.files[r.PathValue("bill")]
	s.mu.Unlock()
	if !ok {
		code(w, 1025, "FILE NOT FOUND", nil)
		return
	}
	var out []map[string]string
	for _, f := range files {
		out = append(out, map[string]string{"fileName": f.FileName, "mimeType": f.MimeType, "base64": base64.StdEncoding.EncodeToString(f.Data)})
	}
	write(w, map[string]any{"responseCode": 0, "signedFiles": out})
}
