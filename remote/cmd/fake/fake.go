// Package fake is AMA's Chave Móvel Digital signature service (SCMDService)
// running in-process for tests and demos. It speaks the WSDL's SOAP 1.1
// binding strictly — namespaces, SOAPAction, Basic authentication — and
// does real cryptography: a test CA issues each citizen's certificate,
// the fake's own "cifra" key pair stands in for AMA's (so a client that
// encrypts with another key, or not at all, is refused), and signatures
// are RSA PKCS#1 v1.5 over the DigestInfo the client sends.
//
// Tests read the security codes it "sends", expire processes, script any
// status code, SOAP fault or HTTP failure per operation, slow answers
// down and count calls.
//
// It parses requests with its own generic XML tree rather than the
// client's types, so that a namespace the client gets wrong is caught
// here instead of being mirrored.
package fake

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/signet-sign/signet/internal/testpki"
	"github.com/signet-sign/signet/internal/testtsa"
)

const (
	nsService = "http://Ama.Authentication.Service/"
	nsData    = "http://schemas.datacontract.org/2004/07/Ama.Structures.CCMovelSignature"
	nsSOAP    = "http://schemas.xmlsoap.org/soap/envelope/"
	nsXSI     = "http://www.w3.org/2001/XMLSchema-instance"
	action    = "http://Ama.Authentication.Service/SCMDService/"
)

// Citizen is a Chave Móvel Digital account with its signing key.
type Citizen struct {
	Phone string // as UserId carries it: "+351 912345678"
	PIN   string
	Key   *rsa.PrivateKey
	Chain []*x509.Certificate // signing certificate, then its CA
	// Code, when set, is answered to every signing request of the
	// account: "817" (signature inactive), "901", "902" (PIN must change).
	Code string
}

// Answer replaces the fake's own answer to one call of an operation. The
// zero Answer lets the call through.
type Answer struct {
	// Code, Message and Field make a SignStatus (or, for GetCertificate,
	// a fault) with that code.
	Code, Message, Field string
	// Fault answers a SOAP fault (HTTP 500).
	Fault bool
	// HTTPStatus answers a bare HTTP error (e.g. 503, the service down).
	HTTPStatus int
	// Delay holds the answer back.
	Delay time.Duration
}

// Server is a running fake.
type Server struct {
	*httptest.Server
	ApplicationID      []byte
	Username, Password string
	// Cifra is the certificate of the key the fake decrypts with: the
	// client's stand-in for AMA's cifra.cer.
	Cifra *x509.Certificate
	// Padding is how the fake decrypts: "pkcs1v15" (default),
	// "oaep-sha1" or "oaep-sha256".
	Padding string
	// ProcessTTL is how long a process waits for its security code.
	ProcessTTL time.Duration
	// OTPTries is how many wrong codes a process takes before it ends.
	OTPTries int
	// MaxDocuments is SCMDMultipleSign's limit (the specification's 100).
	MaxDocuments int
	// WrongKey signs with a key that is not the certificate's.
	WrongKey bool
	// Notify, when set, hears each security code "sent" by SMS.
	Notify func(phone, otp string)

	cifraKey *rsa.PrivateKey
	mu       sync.Mutex
	citizens map[string]*Citizen
	procs    map[string]*process
	script   map[string][]Answer
	calls    map[string]int
	lastOTP  string
	sizes    []int
}

type process struct {
	citizen *Citizen
	op      string
	docs    []doc
	otp     string
	expires time.Time
	tries   int
}

type doc struct {
	id, name string
	hash     []byte
}

// Env is a fake with its own test PKI and timestamp authority.
type Env struct {
	*Server
	PKI *testpki.PKI
	TSA *testtsa.TSA
	// Issue adjusts the citizens' certificates NewCitizen makes (an OCSP
	// responder, for long-term validation).
	Issue testpki.IssueOptions
}

// StartEnv starts a fake, a PKI to issue citizens' certificates and a TSA.
func StartEnv(appID, username, password string) (*Env, error) {
	pki, tsa, err := testtsa.StartPKI()
	if err != nil {
		return nil, err
	}
	s, err := Start(appID, username, password)
	if err != nil {
		tsa.Close()
		return nil, err
	}
	return &Env{Server: s, PKI: pki, TSA: tsa}, nil
}

// Close stops the fake and its TSA.
func (e *Env) Close() {
	e.Server.Close()
	e.TSA.Close()
}

// NewCitizen makes an account for phone (a UserId, "+351 9…") with a
// fresh RSA-2048 key certified by pki for name.
func (e *Env) NewCitizen(name, phone, pin string) (*Citizen, error) {
	ent, err := e.PKI.NewEntity(testpki.RSA2048, testpki.Signing, name, e.Issue)
	if err != nil {
		return nil, err
	}
	c := &Citizen{Phone: phone, PIN: pin, Key: ent.Key.(*rsa.PrivateKey), Chain: e.PKI.Chain(ent.Cert)}
	e.Add(c)
	return c, nil
}

// Start starts a fake for the application's id and Basic-auth
// credentials, with a fresh cifra key pair.
func Start(appID, username, password string) (*Server, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "CMD.assinatura (Signet test)", Organization: []string{"AMA"}, Country: []string{"PT"}},
		NotBefore:    time.Now().Add(-time.Hour), NotAfter: time.Now().Add(365 * 24 * time.Hour),
		KeyUsage: x509.KeyUsageKeyEncipherment | x509.KeyUsageDataEncipherment,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	s := &Server{ApplicationID: []byte(appID), Username: username, Password: password,
		Cifra: cert, cifraKey: key, Padding: "pkcs1v15", ProcessTTL: 5 * time.Minute, OTPTries: 3, MaxDocuments: 100,
		citizens: map[string]*Citizen{}, procs: map[string]*process{}, script: map[string][]Answer{}, calls: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s, nil
}

// Add registers a citizen.
func (s *Server) Add(c *Citizen) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.citizens[c.Phone] = c
}

// Script sets the answers of the next calls of op ("SCMDSign",
// "ValidateOtp", …), one per call, before the fake answers by itself
// again.
func (s *Server) Script(op string, answers ...Answer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script[op] = append(s.script[op], answers...)
}

// Calls is how many times op was called.
func (s *Server) Calls(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[op]
}

// BatchSizes lists the number of documents of each SCMDMultipleSign.
func (s *Server) BatchSizes() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]int(nil), s.sizes...)
}

// LastOTP is the last security code "sent".
func (s *Server) LastOTP() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastOTP
}

// ExpireProcesses makes every open process time out.
func (s *Server) ExpireProcesses() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.procs {
		p.expires = time.Now().Add(-time.Second)
	}
}

// node is any XML element, for reading requests and writing answers.
type node struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Text    string     `xml:",chardata"`
	Nodes   []*node    `xml:",any"`
}

// child finds the element ns:local among n's children.
func (n *node) child(ns, local string) *node {
	if n == nil {
		return nil
	}
	for _, c := range n.Nodes {
		if c.XMLName.Space == ns && c.XMLName.Local == local {
			return c
		}
	}
	return nil
}

func (n *node) text(ns, local string) (string, bool) {
	c := n.child(ns, local)
	if c == nil {
		return "", false
	}
	return strings.TrimSpace(c.Text), true
}

func elem(ns, local, text string) *node {
	return &node{XMLName: xml.Name{Space: ns, Local: local}, Text: text}
}

// nilElem is an element WCF writes for a null value.
func nilElem(ns, local string) *node {
	return &node{XMLName: xml.Name{Space: ns, Local: local}, Attrs: []xml.Attr{{Name: xml.Name{Space: nsXSI, Local: "nil"}, Value: "true"}}}
}

func parent(ns, local string, kids ...*node) *node {
	return &node{XMLName: xml.Name{Space: ns, Local: local}, Nodes: kids}
}

// status is a SignStatus element; empty values are written nil.
func status(local, code, message, field, fieldValue, processID string) *node {
	n := parent(nsService, local)
	for _, kv := range [][2]string{{"Code", code}, {"Field", field}, {"FieldValue", fieldValue}, {"Message", message}, {"ProcessId", processID}} {
		if kv[1] == "" {
			n.Nodes = append(n.Nodes, nilElem(nsData, kv[0]))
		} else {
			n.Nodes = append(n.Nodes, elem(nsData, kv[0], kv[1]))
		}
	}
	return n
}

// operations maps the operation element to its answer.
var operations = map[string]func(s *Server, op *node) (*node, error){
	"GetCertificate":        (*Server).getCertificate,
	"GetCertificateWithPin": (*Server).getCertificateWithPin,
	"SCMDSign":              (*Server).sign,
	"SCMDMultipleSign":      (*Server).multipleSign,
	"ValidateOtp":           (*Server).validateOtp,
	"ForceSMS":              (*Server).forceSMS,
}

// clientFault is a request WCF would not dispatch: answered as a SOAP
// fault with faultcode s:Client.
type clientFault string

func (e clientFault) Error() string { return string(e) }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	user, pass, ok := r.BasicAuth()
	if !ok || user != s.Username || pass != s.Password {
		w.Header().Set("WWW-Authenticate", `Basic realm="SCMDService"`)
		http.Error(w, "401 - Unauthorized", http.StatusUnauthorized)
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/xml") {
		// SOAP 1.1 over BasicHttpBinding: WCF answers 415 otherwise.
		http.Error(w, "Cannot process the message because the content type '"+ct+"' was not the expected type 'text/xml; charset=utf-8'.", http.StatusUnsupportedMediaType)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	if err != nil {
		return
	}
	var env node
	if err := xml.Unmarshal(body, &env); err != nil {
		writeFault(w, "s:Client", "The message is not XML: "+err.Error())
		return
	}
	if env.XMLName.Space != nsSOAP || env.XMLName.Local != "Envelope" {
		writeFault(w, "s:VersionMismatch", "Not a SOAP 1.1 envelope")
		return
	}
	b := env.child(nsSOAP, "Body")
	if b == nil || len(b.Nodes) != 1 {
		writeFault(w, "s:Client", "The SOAP body must hold one operation")
		return
	}
	op := b.Nodes[0]
	handle, known := operations[op.XMLName.Local]
	if !known || op.XMLName.Space != nsService {
		writeFault(w, "a:ActionNotSupported", fmt.Sprintf("The message with element {%s}%s cannot be processed by this service", op.XMLName.Space, op.XMLName.Local))
		return
	}
	name := op.XMLName.Local
	if got := r.Header.Get("SOAPAction"); got != `"`+action+name+`"` {
		writeFault(w, "a:ActionNotSupported", fmt.Sprintf("The message with Action '%s' cannot be processed at the receiver (want %q)", got, action+name))
		return
	}
	s.mu.Lock()
	s.calls[name]++
	var scripted *Answer
	if q := s.script[name]; len(q) > 0 {
		scripted, s.script[name] = &q[0], q[1:]
	}
	s.mu.Unlock()
	if scripted != nil {
		time.Sleep(scripted.Delay)
		switch {
		case scripted.HTTPStatus != 0:
			http.Error(w, http.StatusText(scripted.HTTPStatus), scripted.HTTPStatus)
			return
		case scripted.Fault:
			writeFault(w, "a:InternalServiceFault", "The server was unable to process the request due to an internal error.")
			return
		case scripted.Code != "":
			writeStatus(w, name, scripted.Code, scripted.Message, scripted.Field)
			return
		}
	}
	res, err := handle(s, op)
	var cf clientFault
	if errors.As(err, &cf) {
		writeFault(w, "s:Client", cf.Error())
		return
	}
	if err != nil {
		var se *statusErr
		if errors.As(err, &se) {
			writeStatus(w, name, se.code, se.message, se.field)
			return
		}
		writeFault(w, "a:InternalServiceFault", err.Error())
		return
	}
	write(w, http.StatusOK, parent(nsService, name+"Response", res))
}

// statusErr is an answer with a status code other than 200.
type statusErr struct{ code, message, field string }

func (e *statusErr) Error() string { return e.code + " " + e.message }

func fail(code, message, field string) error { return &statusErr{code, message, field} }

// writeStatus answers op with a SignStatus of code; ValidateOtp wraps it
// in a SignResponse, GetCertificate (which has no status) gets a fault.
func writeStatus(w http.ResponseWriter, op, code, message, field string) {
	var res *node
	switch op {
	case "GetCertificate":
		writeFault(w, "a:InternalServiceFault", code+" "+message)
		return
	case "ValidateOtp":
		st := status("Status", code, message, field, "", "")
		st.XMLName.Space = nsData
		res = parent(nsService, "ValidateOtpResult", nilElem(nsData, "ArrayOfHashStructure"), nilElem(nsData, "Signature"), st, nilElem(nsData, "certificate"))
	default:
		res = status(op+"Result", code, message, field, "", "")
	}
	write(w, http.StatusOK, parent(nsService, op+"Response", res))
}

func write(w http.ResponseWriter, code int, body *node) {
	env := parent(nsSOAP, "Envelope", parent(nsSOAP, "Body", body))
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	if err := xml.NewEncoder(&buf).Encode(env); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(code)
	w.Write(buf.Bytes())
}

func writeFault(w http.ResponseWriter, code, text string) {
	f := parent(nsSOAP, "Fault", elem("", "faultcode", code), elem("", "faultstring", text))
	write(w, http.StatusInternalServerError, f)
}

// decrypt reads an encrypted field (base64 of RSA with the cifra key).
func (s *Server) decrypt(field, b64 string) ([]byte, error) {
	ct, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, fail("800", "O campo "+field+" não está em base64", field)
	}
	var plain []byte
	switch s.Padding {
	case "oaep-sha1":
		plain, err = rsa.DecryptOAEP(sha1.New(), nil, s.cifraKey, ct, nil)
	case "oaep-sha256":
		plain, err = rsa.DecryptOAEP(sha256.New(), nil, s.cifraKey, ct, nil)
	default:
		//lint:ignore SA1019 the fake stands in for a service assumed to take PKCS#1 v1.5
		plain, err = rsa.DecryptPKCS1v15(nil, s.cifraKey, ct)
	}
	if err != nil {
		return nil, fail("800", "Não foi possível decifrar o campo "+field, field)
	}
	return plain, nil
}

// app checks the applicationId (base64Binary).
func (s *Server) app(n *node, ns string) error {
	v, ok := n.text(ns, "applicationId")
	if ns == nsData {
		v, ok = n.text(ns, "ApplicationId")
	}
	if !ok {
		return clientFault("applicationId is missing or in the wrong namespace")
	}
	id, err := base64.StdEncoding.DecodeString(v)
	if err != nil || !bytes.Equal(id, s.ApplicationID) {
		return fail("800", "ApplicationId inválido", "ApplicationId")
	}
	return nil
}

// citizen decrypts a user id and finds its account.
func (s *Server) citizen(n *node, ns, local string) (*Citizen, error) {
	v, ok := n.text(ns, local)
	if !ok {
		return nil, clientFault(local + " is missing or in the wrong namespace")
	}
	phone, err := s.decrypt(local, v)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	c := s.citizens[string(phone)]
	s.mu.Unlock()
	if c == nil {
		return nil, fail("800", "Utilizador inválido", "UserId")
	}
	return c, nil
}

// authorize checks the PIN and the account's state.
func (s *Server) authorize(c *Citizen, n *node, ns, local string) error {
	v, ok := n.text(ns, local)
	if !ok {
		return clientFault(local + " is missing or in the wrong namespace")
	}
	pin, err := s.decrypt(local, v)
	if err != nil {
		return err
	}
	if string(pin) != c.PIN {
		return fail("801", "Pins não correspondem", "")
	}
	switch c.Code {
	case "817":
		return fail("817", "Serviço de assinatura inativo", "")
	case "901", "902":
		return fail(c.Code, "Necessidade de alteração de PIN", "")
	}
	return nil
}

func (s *Server) getCertificate(op *node) (*node, error) {
	if err := s.app(op, nsService); err != nil {
		return nil, err
	}
	c, err := s.citizen(op, nsService, "userId")
	var se *statusErr
	if errors.As(err, &se) && se.code == "800" && se.field == "UserId" {
		// An unknown number: no certificate.
		return nilElem(nsService, "GetCertificateResult"), nil
	}
	if err != nil {
		return nil, err
	}
	var chain strings.Builder
	for _, cert := range c.Chain {
		pem.Encode(&chain, &pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
	}
	return elem(nsService, "GetCertificateResult", chain.String()), nil
}

// digestInfo reads a DigestInfo the client wants signed.
func digestInfo(b64 string) ([]byte, error) {
	h, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, fail("800", "Hash inválido", "Hash")
	}
	var di struct {
		Algorithm pkix.AlgorithmIdentifier
		Digest    []byte
	}
	if rest, err := asn1.Unmarshal(h, &di); err != nil || len(rest) != 0 || len(di.Digest) < 20 {
		return nil, fail("800", "O hash deve ser o prefixo DigestInfo seguido do hash do documento", "Hash")
	}
	return h, nil
}

func (s *Server) sign(op *node) (*node, error) {
	req := op.child(nsService, "request")
	if req == nil {
		return nil, clientFault("request is missing or in the wrong namespace")
	}
	if err := s.app(req, nsData); err != nil {
		return nil, err
	}
	c, err := s.citizen(req, nsData, "UserId")
	if err != nil {
		return nil, err
	}
	hashText, ok := req.text(nsData, "Hash")
	if !ok {
		return nil, clientFault("Hash is missing or in the wrong namespace")
	}
	h, err := digestInfo(hashText)
	if err != nil {
		return nil, err
	}
	name, _ := req.text(nsData, "DocName")
	if err := s.authorize(c, req, nsData, "Pin"); err != nil {
		return nil, err
	}
	return s.start(c, "SCMDSign", []doc{{name: name, hash: h}})
}

func (s *Server) multipleSign(op *node) (*node, error) {
	req := op.child(nsService, "request")
	docs := op.child(nsService, "documents")
	if req == nil || docs == nil {
		return nil, clientFault("request or documents is missing or in the wrong namespace")
	}
	if err := s.app(req, nsData); err != nil {
		return nil, err
	}
	c, err := s.citizen(req, nsData, "UserId")
	if err != nil {
		return nil, err
	}
	var list []doc
	ids := map[string]bool{}
	for _, n := range docs.Nodes {
		if n.XMLName.Space != nsData || n.XMLName.Local != "HashStructure" {
			return nil, clientFault("documents holds " + n.XMLName.Local + " in " + n.XMLName.Space)
		}
		hashText, _ := n.text(nsData, "Hash")
		h, err := digestInfo(hashText)
		if err != nil {
			return nil, err
		}
		id, ok := n.text(nsData, "id")
		name, _ := n.text(nsData, "Name")
		if !ok || id == "" || ids[id] {
			return nil, fail("800", "Identificador de documento inválido", "id")
		}
		ids[id] = true
		list = append(list, doc{id: id, name: name, hash: h})
	}
	s.mu.Lock()
	s.sizes = append(s.sizes, len(list))
	s.mu.Unlock()
	if len(list) > s.MaxDocuments {
		return nil, fail("900", "Demasiados documentos para assinar", "")
	}
	if len(list) == 0 {
		return nil, fail("800", "Sem documentos", "documents")
	}
	if err := s.authorize(c, req, nsData, "Pin"); err != nil {
		return nil, err
	}
	return s.start(c, "SCMDMultipleSign", list)
}

func (s *Server) getCertificateWithPin(op *node) (*node, error) {
	if err := s.app(op, nsService); err != nil {
		return nil, err
	}
	c, err := s.citizen(op, nsService, "userId")
	if err != nil {
		return nil, err
	}
	if err := s.authorize(c, op, nsService, "pin"); err != nil {
		return nil, err
	}
	return s.start(c, "GetCertificateWithPin", nil)
}

// start opens a process and "sends" its security code.
func (s *Server) start(c *Citizen, op string, docs []doc) (*node, error) {
	id := newID()
	p := &process{citizen: c, op: op, docs: docs, tries: s.OTPTries}
	s.mu.Lock()
	s.procs[id] = p
	s.mu.Unlock()
	s.sendOTP(p)
	return status(op+"Result", "200", "Pedido de assinatura enviado", "", "", id), nil
}

func (s *Server) sendOTP(p *process) {
	b := make([]byte, 3)
	rand.Read(b)
	otp := fmt.Sprintf("%06d", (int(b[0])<<16|int(b[1])<<8|int(b[2]))%1000000)
	s.mu.Lock()
	p.otp, p.expires = otp, time.Now().Add(s.ProcessTTL)
	s.lastOTP = otp
	notify := s.Notify
	s.mu.Unlock()
	if notify != nil {
		notify(p.citizen.Phone, otp)
	}
}

func newID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// process finds an open process by the request's processId.
func (s *Server) process(op *node) (string, *process, error) {
	id, ok := op.text(nsService, "processId")
	if !ok {
		return "", nil, clientFault("processId is missing or in the wrong namespace")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.procs[id]
	if p == nil || time.Now().After(p.expires) {
		delete(s.procs, id)
		return "", nil, fail("800", "Processo inexistente ou expirado", "processId")
	}
	return id, p, nil
}

func (s *Server) forceSMS(op *node) (*node, error) {
	if err := s.app(op, nsService); err != nil {
		return nil, err
	}
	id, p, err := s.process(op)
	if err != nil {
		return nil, err
	}
	c, err := s.citizen(op, nsService, "citizenId")
	if err != nil {
		return nil, err
	}
	if c != p.citizen {
		return nil, fail("800", "O cidadão não corresponde ao processo", "citizenId")
	}
	s.sendOTP(p)
	return status("ForceSMSResult", "200", "SMS reenviado", "", "", id), nil
}

func (s *Server) validateOtp(op *node) (*node, error) {
	if err := s.app(op, nsService); err != nil {
		return nil, err
	}
	id, p, err := s.process(op)
	if err != nil {
		return nil, err
	}
	v, ok := op.text(nsService, "code")
	if !ok {
		return nil, clientFault("code is missing or in the wrong namespace")
	}
	otp, err := s.decrypt("code", v)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	good := string(otp) == p.otp
	if !good {
		p.tries--
		if p.tries <= 0 {
			delete(s.procs, id)
		}
	} else {
		delete(s.procs, id)
	}
	s.mu.Unlock()
	if !good {
		return nil, fail("802", "OTP inválido", "")
	}
	key := p.citizen.Key
	if s.WrongKey {
		if key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			return nil, err
		}
	}
	res := parent(nsService, "ValidateOtpResult")
	st := status("Status", "200", "Assinatura efetuada", "", "", id)
	st.XMLName.Space = nsData
	switch p.op {
	case "SCMDSign":
		sig, err := rsa.SignPKCS1v15(nil, key, crypto.Hash(0), p.docs[0].hash)
		if err != nil {
			return nil, err
		}
		res.Nodes = append(res.Nodes, nilElem(nsData, "ArrayOfHashStructure"), elem(nsData, "Signature", base64.StdEncoding.EncodeToString(sig)), st, nilElem(nsData, "certificate"))
	case "SCMDMultipleSign":
		arr := parent(nsData, "ArrayOfHashStructure")
		for _, d := range p.docs {
			sig, err := rsa.SignPKCS1v15(nil, key, crypto.Hash(0), d.hash)
			if err != nil {
				return nil, err
			}
			arr.Nodes = append(arr.Nodes, parent(nsData, "HashStructure",
				elem(nsData, "Hash", base64.StdEncoding.EncodeToString(sig)), elem(nsData, "Name", d.name), elem(nsData, "id", d.id)))
		}
		res.Nodes = append(res.Nodes, arr, nilElem(nsData, "Signature"), st, nilElem(nsData, "certificate"))
	default: // GetCertificateWithPin
		var chain strings.Builder
		for _, cert := range p.citizen.Chain {
			pem.Encode(&chain, &pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
		}
		res.Nodes = append(res.Nodes, nilElem(nsData, "ArrayOfHashStructure"), nilElem(nsData, "Signature"), st, elem(nsData, "certificate", chain.String()))
	}
	return res, nil
}

// Citizen finds an account by its phone number (a UserId), or nil.
func (s *Server) Citizen(phone string) *Citizen {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.citizens[phone]
}
