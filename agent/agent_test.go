package agent

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/signet-sign/signet/flow"
	"github.com/signet-sign/signet/internal/pdfcheck"
	"github.com/signet-sign/signet/internal/prompttest"
	"github.com/signet-sign/signet/internal/softhsmtest"
	"github.com/signet-sign/signet/internal/testhostile"
	"github.com/signet-sign/signet/internal/testpdf"
	"github.com/signet-sign/signet/internal/testpki"
	"github.com/signet-sign/signet/keys"
	"github.com/signet-sign/signet/pdf"
)

func TestMain(m *testing.M) {
	if os.Getenv(memChildEnv) != "" {
		os.Exit(memChild())
	}
	os.Exit(softhsmtest.Main(m))
}

// consent is the test double of the app's questions.
type consent struct {
	mu       sync.Mutex
	decision map[string]Decision
	decline  bool
	asked    []string
	approved []Request
	// block, when set, holds Approve until it is closed; holdOrigin
	// holds Origin likewise.
	block      chan struct{}
	holdOrigin chan struct{}
	questions  []OriginQuestion
}

func (c *consent) Origin(ctx context.Context, q OriginQuestion) (Decision, error) {
	c.mu.Lock()
	c.asked = append(c.asked, q.Origin)
	c.questions = append(c.questions, q)
	d, hold := c.decision[q.Origin], c.holdOrigin
	c.mu.Unlock()
	if hold != nil {
		select {
		case <-hold:
		case <-ctx.Done():
			return Deny, ctx.Err()
		}
	}
	return d, nil
}

// decide sets the answer the person gives about origin.
func (c *consent) decide(origin string, d Decision) {
	c.mu.Lock()
	c.decision[origin] = d
	c.mu.Unlock()
}

func (c *consent) Approve(ctx context.Context, r Request) error {
	c.mu.Lock()
	c.approved = append(c.approved, r)
	decline, block := c.decline, c.block
	c.mu.Unlock()
	if block != nil {
		select {
		case <-block:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if decline {
		return errors.New("declined")
	}
	return nil
}

type env struct {
	t       *testing.T
	srv     *Server
	consent *consent
	pin     *prompttest.Prompter
	hsm     *softhsmtest.Env
	mods    *flow.Modules
}

const page = "http://127.0.0.1:8000"

func newEnv(t *testing.T, keysOverride Keys) *env {
	t.Helper()
	hsm := softhsmtest.Require(t)
	mods := flow.LoadModules([]string{hsm.Module}, nil)
	t.Cleanup(mods.Close)
	e := &env{t: t, hsm: hsm, mods: mods, pin: prompttest.WithPIN(softhsmtest.PIN),
		consent: &consent{decision: map[string]Decision{page: AllowOnce}}}
	var k Keys = ModuleKeys{Modules: func() *flow.Modules { return mods }, Prompter: e.pin}
	if keysOverride != nil {
		k = keysOverride
	}
	srv, err := Start(Config{Consent: e.consent, Keys: k, Version: "test", MaxPDF: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	e.srv = srv
	return e
}

// call sends a request from the page's origin (origin "" sends none).
func (e *env) call(method, path, origin string, body any, mutate func(*http.Request)) (*http.Response, map[string]any) {
	e.t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			e.t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.srv.URL()+path, r)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	if mutate != nil {
		mutate(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	data, _ := io.ReadAll(resp.Body)
	if len(data) > 0 {
		if err := json.Unmarshal(data, &out); err != nil {
			e.t.Fatalf("%s %s: not JSON: %q", method, path, data)
		}
	}
	return resp, out
}

func (e *env) certID(label string) (string, *x509.Certificate) {
	e.t.Helper()
	c := e.hsm.Cert(softhsmtest.MainToken, label)
	return certificateID(c), c
}

func expect(t *testing.T, resp *http.Response, body map[string]any, status int, code string) {
	t.Helper()
	if resp.StatusCode != status || (code != "" && body["code"] != code) {
		t.Fatalf("status %d body %v, want %d %s", resp.StatusCode, body, status, code)
	}
}

func digestBody(id string, d []byte) map[string]any {
	return map[string]any{"certificateId": id, "digest": base64.StdEncoding.EncodeToString(d), "algorithm": "SHA-256"}
}

func TestEndpoints(t *testing.T) {
	e := newEnv(t, nil)
	id, cert := e.certID("P-256 signing")
	digest := sha256.Sum256([]byte("hello"))

	t.Run("ok info", func(t *testing.T) {
		resp, body := e.call("GET", "/v1/info", "", nil, nil)
		expect(t, resp, body, 200, "")
		if body["name"] != "Signet" || body["version"] != "test" {
			t.Errorf("%v", body)
		}
	})
	t.Run("ok certificates after the origin is allowed", func(t *testing.T) {
		resp, body := e.call("GET", "/v1/certificates", page, nil, nil)
		expect(t, resp, body, 200, "")
		if resp.Header.Get("Access-Control-Allow-Origin") != page {
			t.Errorf("ACAO %q", resp.Header.Get("Access-Control-Allow-Origin"))
		}
		found := false
		for _, c := range body["certificates"].([]any) {
			if c.(map[string]any)["id"] == id {
				found = true
			}
		}
		if !found {
			t.Errorf("certificate %s not listed", id)
		}
	})
	t.Run("ok sign digest", func(t *testing.T) {
		resp, body := e.call("POST", "/v1/sign/digest", page, digestBody(id, digest[:]), nil)
		expect(t, resp, body, 200, "")
		sig, _ := base64.StdEncoding.DecodeString(body["signature"].(string))
		if !ecdsa.VerifyASN1(cert.PublicKey.(*ecdsa.PublicKey), digest[:], sig) {
			t.Fatal("the signature does not verify")
		}
		if body["algorithm"] != "ECDSA-SHA-256" || len(body["chain"].([]any)) == 0 {
			t.Errorf("%v", body)
		}
		last := e.consent.approved[len(e.consent.approved)-1]
		if last.Origin != page || !bytes.Equal(last.Digests[0], digest[:]) || !last.Certificate.Equal(cert) {
			t.Errorf("the person was asked %+v", last)
		}
	})
	t.Run("ok sign digest batch", func(t *testing.T) {
		d2 := sha256.Sum256([]byte("world"))
		resp, body := e.call("POST", "/v1/sign/digest/batch", page, map[string]any{"certificateId": id, "items": []any{
			map[string]any{"digest": base64.StdEncoding.EncodeToString(digest[:]), "algorithm": "SHA-256"},
			map[string]any{"digest": base64.StdEncoding.EncodeToString(d2[:]), "algorithm": "sha-256"},
		}}, nil)
		expect(t, resp, body, 200, "")
		if n := len(body["signatures"].([]any)); n != 2 {
			t.Fatalf("%d signatures", n)
		}
	})
	t.Run("ok sign pdf, visible, and a batch", func(t *testing.T) {
		var doc bytes.Buffer
		if err := testpdf.Write(&doc, testpdf.Options{Pages: 2}); err != nil {
			t.Fatal(err)
		}
		docB64 := base64.StdEncoding.EncodeToString(doc.Bytes())
		opts := map[string]any{"reason": "Approve", "visible": map[string]any{"page": -1, "rect": []float64{40, 40, 260, 100}}}
		resp, body := e.call("POST", "/v1/sign/pdf", page, map[string]any{"certificateId": id, "name": "a.pdf", "document": docB64, "options": opts}, nil)
		expect(t, resp, body, 200, "")
		signed, _ := base64.StdEncoding.DecodeString(body["document"].(string))
		path := t.TempDir() + "/a-signed.pdf"
		if err := os.WriteFile(path, signed, 0o600); err != nil {
			t.Fatal(err)
		}
		pdfcheck.New(t, e.hsm.PKI).Check(t, path, 1)
		if got := e.consent.approved[len(e.consent.approved)-1].Documents; len(got) != 1 || got[0] != "a.pdf" {
			t.Errorf("the person was shown %v", got)
		}
		resp, body = e.call("POST", "/v1/sign/pdf/batch", page, map[string]any{"certificateId": id,
			"documents": []any{map[string]any{"name": "x.pdf", "document": docB64}, map[string]any{"name": "y.pdf", "document": docB64}}}, nil)
		expect(t, resp, body, 200, "")
		for _, d := range body["documents"].([]any) {
			data, _ := base64.StdEncoding.DecodeString(d.(map[string]any)["document"].(string))
			rep, err := pdf.Verify(context.Background(), bytes.NewReader(data), int64(len(data)), pdf.VerifyOptions{Roots: e.hsm.PKI.Roots()})
			if err != nil || !rep.Valid() {
				t.Errorf("%v %+v", err, rep)
			}
		}
	})

	// Rejections.
	t.Run("fail wrong Host (DNS rebinding)", func(t *testing.T) {
		resp, body := e.call("GET", "/v1/info", "", nil, func(r *http.Request) { r.Host = "evil.example:" + fmt.Sprint(e.srv.Port()) })
		expect(t, resp, body, 403, CodeBadHost)
	})
	t.Run("ok localhost Host", func(t *testing.T) {
		resp, body := e.call("GET", "/v1/info", "", nil, func(r *http.Request) { r.Host = "localhost:" + fmt.Sprint(e.srv.Port()) })
		expect(t, resp, body, 200, "")
	})
	t.Run("fail no Origin", func(t *testing.T) {
		resp, body := e.call("POST", "/v1/sign/digest", "", digestBody(id, digest[:]), nil)
		expect(t, resp, body, 403, CodeOriginRequired)
	})
	t.Run("fail unknown origin denied by the person", func(t *testing.T) {
		before := len(e.consent.approved)
		resp, body := e.call("POST", "/v1/sign/digest", "https://evil.example", digestBody(id, digest[:]), nil)
		expect(t, resp, body, 403, CodeOriginDenied)
		if resp.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Error("CORS answered for a denied origin")
		}
		if len(e.consent.approved) != before {
			t.Error("a signing was put to the person")
		}
		// Asked once; the answer holds for the session.
		e.call("GET", "/v1/certificates", "https://evil.example", nil, nil)
		n := 0
		for _, o := range e.consent.asked {
			if o == "https://evil.example" {
				n++
			}
		}
		if n != 1 {
			t.Errorf("asked %d times", n)
		}
	})
	t.Run("ok preflight of an allowed origin", func(t *testing.T) {
		resp, _ := e.call("OPTIONS", "/v1/sign/digest", page, nil, func(r *http.Request) {
			r.Header.Set("Access-Control-Request-Method", "POST")
			r.Header.Set("Access-Control-Request-Headers", "content-type")
		})
		if resp.StatusCode != 204 || resp.Header.Get("Access-Control-Allow-Origin") != page ||
			!strings.Contains(resp.Header.Get("Access-Control-Allow-Headers"), "Content-Type") {
			t.Fatalf("preflight %d %v", resp.StatusCode, resp.Header)
		}
	})
	t.Run("fail preflight of a denied origin", func(t *testing.T) {
		resp, _ := e.call("OPTIONS", "/v1/sign/digest", "https://evil.example", nil, nil)
		if resp.StatusCode != 403 || resp.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("preflight %d %v", resp.StatusCode, resp.Header)
		}
	})
	t.Run("fail origin that is not an origin", func(t *testing.T) {
		resp, body := e.call("GET", "/v1/certificates", "null", nil, nil)
		expect(t, resp, body, 403, CodeOriginDenied)
	})
	t.Run("fail the person declines", func(t *testing.T) {
		e.consent.mu.Lock()
		e.consent.decline = true
		e.consent.mu.Unlock()
		defer func() { e.consent.mu.Lock(); e.consent.decline = false; e.consent.mu.Unlock() }()
		asked := len(e.pin.Requests())
		resp, body := e.call("POST", "/v1/sign/digest", page, digestBody(id, digest[:]), nil)
		expect(t, resp, body, 403, CodeUserDeclined)
		if len(e.pin.Requests()) != asked {
			t.Error("the PIN was asked after a decline")
		}
	})
	t.Run("fail wrong content type", func(t *testing.T) {
		resp, body := e.call("POST", "/v1/sign/digest", page, digestBody(id, digest[:]), func(r *http.Request) { r.Header.Set("Content-Type", "text/plain") })
		expect(t, resp, body, 415, CodeUnsupportedMedia)
	})
	t.Run("fail bad JSON", func(t *testing.T) {
		resp, body := e.call("POST", "/v1/sign/digest", page, nil, func(r *http.Request) {
			r.Body = io.NopCloser(strings.NewReader(`{"certificateId": 3`))
			r.Header.Set("Content-Type", "application/json")
		})
		expect(t, resp, body, 400, CodeBadRequest)
	})
	t.Run("fail digest of the wrong length", func(t *testing.T) {
		resp, body := e.call("POST", "/v1/sign/digest", page, digestBody(id, digest[:20]), nil)
		expect(t, resp, body, 400, CodeBadRequest)
	})
	t.Run("fail oversize body", func(t *testing.T) {
		big := map[string]any{"certificateId": id, "document": strings.Repeat("A", 2<<20)}
		resp, body := e.call("POST", "/v1/sign/pdf", page, big, nil)
		expect(t, resp, body, 413, CodeBodyTooLarge)
	})
	t.Run("fail unknown certificate", func(t *testing.T) {
		resp, body := e.call("POST", "/v1/sign/digest", page, digestBody(strings.Repeat("ab", 32), digest[:]), nil)
		expect(t, resp, body, 404, CodeUnknownCertificate)
	})
	t.Run("fail not a PDF", func(t *testing.T) {
		resp, body := e.call("POST", "/v1/sign/pdf", page, map[string]any{"certificateId": id, "name": "x.pdf",
			"document": base64.StdEncoding.EncodeToString([]byte("%PDF-1.7 nothing"))}, nil)
		expect(t, resp, body, 400, CodeBadDocument)
	})
	t.Run("fail hostile PDFs, and the agent keeps serving", func(t *testing.T) {
		asked := len(e.consent.approved)
		for _, h := range testhostile.All() {
			resp, body := e.call("POST", "/v1/sign/pdf", page, map[string]any{"certificateId": id, "name": h.Name + ".pdf",
				"document": base64.StdEncoding.EncodeToString(h.Data)}, nil)
			switch code, _ := body["code"].(string); {
			case resp.StatusCode == 413 && code == CodeBodyTooLarge:
				// The 16 MB file is over the agent's body limit.
			case resp.StatusCode == 400 && code == CodeBadDocument:
				if msg, _ := body["message"].(string); msg == "" {
					t.Errorf("%s: no message", h.Name)
				}
			default:
				t.Errorf("%s: %d %v, want 400 %s", h.Name, resp.StatusCode, body, CodeBadDocument)
			}
			resp, body = e.call("GET", "/v1/info", "", nil, nil)
			expect(t, resp, body, 200, "")
		}
		if n := len(e.consent.approved) - asked; n != 0 {
			t.Errorf("the person was asked to approve %d hostile documents", n)
		}
	})
	t.Run("fail unknown endpoint", func(t *testing.T) {
		resp, body := e.call("GET", "/v1/keys", page, nil, nil)
		expect(t, resp, body, 404, CodeNotFound)
	})
}

func TestWrongPIN(t *testing.T) {
	const token = "signet-agent-pin"
	hsm := softhsmtest.Require(t)
	if err := hsm.AddToken(t.TempDir(), token, softhsmtest.KeySpec{ID: []byte{1}, Label: "k", Alg: testpki.P256, Profile: testpki.Signing, CN: "Agent PIN"}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = hsm.RemoveToken(token) })
	e := newEnv(t, nil)
	e.pin.PIN = "000000"
	var id string
	choices, _ := e.mods.KeyChoices()
	for _, c := range choices {
		if c.Token == token {
			id = certificateID(c.Cert)
		}
	}
	d := sha256.Sum256([]byte("x"))
	resp, body := e.call("POST", "/v1/sign/digest", page, digestBody(id, d[:]), nil)
	expect(t, resp, body, 401, CodeWrongPIN)
	if !strings.Contains(body["message"].(string), "does not retry") || len(e.pin.Requests()) != 1 {
		t.Errorf("%v, asked %d times", body, len(e.pin.Requests()))
	}
}

// panicKeys fails the way a bug would.
type panicKeys struct{ Keys }

func (panicKeys) Choices() ([]flow.KeyChoice, error) { panic("boom") }

func TestPanicDoesNotStopTheAgent(t *testing.T) {
	e := newEnv(t, panicKeys{})
	resp, body := e.call("GET", "/v1/certificates", page, nil, nil)
	expect(t, resp, body, 500, CodeInternal)
	resp, body = e.call("GET", "/v1/info", "", nil, nil)
	expect(t, resp, body, 200, "")
}

func TestOneSigningAtATimePerToken(t *testing.T) {
	e := newEnv(t, nil)
	id, _ := e.certID("P-256 signing")
	block := make(chan struct{})
	e.consent.mu.Lock()
	e.consent.block = block
	e.consent.mu.Unlock()
	d := sha256.Sum256([]byte("x"))
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, body := e.call("POST", "/v1/sign/digest", page, digestBody(id, d[:]), nil)
			if resp.StatusCode != 200 {
				t.Errorf("%d %v", resp.StatusCode, body)
			}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	e.consent.mu.Lock()
	pending := len(e.consent.approved)
	e.consent.mu.Unlock()
	if pending != 1 {
		t.Errorf("%d signings put to the person at once on one token", pending)
	}
	close(block)
	wg.Wait()
}

// TestOpenAPIInStep checks the OpenAPI file names every endpoint and
// every error code the agent has.
func TestOpenAPIInStep(t *testing.T) {
	spec, err := os.ReadFile("openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/v1/info:", "/v1/certificates:", "/v1/sign/digest:", "/v1/sign/digest/batch:", "/v1/sign/pdf:", "/v1/sign/pdf/batch:", "/v1/authenticate:"} {
		if !bytes.Contains(spec, []byte(p)) {
			t.Errorf("openapi.yaml lacks %s", p)
		}
	}
	for _, c := range []string{CodeBadHost, CodeOriginRequired, CodeOriginDenied, CodeUnsupportedMedia, CodeBodyTooLarge, CodeBadRequest,
		CodeUnknownCertificate, CodeUserDeclined, CodeWrongPIN, CodePINLocked, CodeTokenRemoved, CodeBadDocument, CodeNotForSigning, CodeNotForLogin, CodeSigningFailed, CodeNotFound, CodeInternal,
		CodeDigestsNotAllowed, CodeOriginNotSecure, CodeBusy, CodeTimestampFailed, CodeIncompleteChain, CodeOtherUser} {
		if !bytes.Contains(spec, []byte(c)) {
			t.Errorf("openapi.yaml lacks the code %s", c)
		}
	}
}

// TestTimestampFailure (issue 26, 11): a timestamp service that fails
// after the person approved is its own error, timestamp_failed (not
// bad_document), and the page learns where the service is (scheme and
// host), not its path, query token or credentials.
func TestTimestampFailure(t *testing.T) {
	e := newEnv(t, nil)
	id, _ := e.certID("P-256 signing")
	// Nothing listens on port 1.
	e.srv.cfg.Timestamper = &pdf.TSAClient{URL: "http://tsa-user:tsa-s3cret@127.0.0.1:1/tsa/v2?token=access-t0ken"}
	var doc bytes.Buffer
	if err := testpdf.Write(&doc, testpdf.Options{}); err != nil {
		t.Fatal(err)
	}
	resp, body := e.call("POST", "/v1/sign/pdf", page, map[string]any{"certificateId": id, "name": "a.pdf",
		"document": base64.StdEncoding.EncodeToString(doc.Bytes()), "options": map[string]any{"level": "B-T"}}, nil)
	expect(t, resp, body, http.StatusBadGateway, CodeTimestampFailed)
	msg, _ := body["message"].(string)
	if !strings.Contains(msg, "http://127.0.0.1:1") {
		t.Errorf("the message does not say where the service is: %q", msg)
	}
	for _, secret := range []string{"tsa-s3cret", "tsa-user", "access-t0ken", "token=", "/tsa/v2"} {
		if strings.Contains(msg, secret) {
			t.Errorf("%q reached the page: %q", secret, msg)
		}
	}
}

// TestStrictJSON: requests are read exactly as documented; what
// encoding/json would let through is refused before anyone is asked.
func TestStrictJSON(t *testing.T) {
	e := newEnv(t, nil)
	id, _ := e.certID("P-256 signing")
	d := base64.StdEncoding.EncodeToString(make([]byte, 32))
	raw := func(s string) func(*http.Request) {
		return func(r *http.Request) {
			r.Body = io.NopCloser(strings.NewReader(s))
			r.ContentLength = int64(len(s))
		}
	}
	asked := len(e.consent.approved)
	for _, tc := range []struct{ name, body string }{
		{"fail trailing brace", `{"certificateId":"` + id + `","digest":"` + d + `","algorithm":"SHA-256"}}`},
		{"fail trailing bracket", `{"certificateId":"` + id + `","digest":"` + d + `","algorithm":"SHA-256"}]`},
		{"fail a second value", `{"certificateId":"` + id + `","digest":"` + d + `","algorithm":"SHA-256"} {}`},
		{"fail duplicate key", `{"certificateId":"` + id + `","digest":"` + d + `","algorithm":"SHA-256","algorithm":"SHA-512"}`},
		{"fail duplicate key differing in case", `{"certificateId":"` + id + `","digest":"` + d + `","algorithm":"SHA-256","Algorithm":"SHA-512"}`},
		{"fail name in another case", `{"CertificateID":"` + id + `","digest":"` + d + `","algorithm":"SHA-256"}`},
		{"fail unknown name", `{"certificateId":"` + id + `","digest":"` + d + `","algorithm":"SHA-256","purpose":"x"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := e.call("POST", "/v1/sign/digest", page, map[string]any{}, raw(tc.body))
			expect(t, resp, body, 400, CodeBadRequest)
		})
	}
	if n := len(e.consent.approved) - asked; n != 0 {
		t.Errorf("the person was asked %d times", n)
	}
	t.Run("ok exact", func(t *testing.T) {
		resp, body := e.call("POST", "/v1/sign/digest", page, map[string]any{}, raw(`{"certificateId":"`+id+`","digest":"`+d+`","algorithm":"SHA-256"}`))
		expect(t, resp, body, 200, "")
	})
}

// TestIPv6AndPrivateNetwork: the agent answers on [::1] with the same
// checks, and tells Chrome's private-network preflight yes for allowed
// origins only.
func TestIPv6AndPrivateNetwork(t *testing.T) {
	e := newEnv(t, nil)
	if e.srv.ln6 == nil {
		t.Fatal("the agent did not take [::1]: this machine's loopback has no IPv6")
	}
	// Another program on [::1]:PORT could answer pages that resolve
	// localhost to ::1: the agent refuses to start beside it.
	squatter, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Fatal(err)
	}
	defer squatter.Close()
	taken := squatter.Addr().(*net.TCPAddr).Port
	if _, err := Start(Config{Port: taken, Consent: e.consent, Keys: noKeys{}}); err == nil || !strings.Contains(err.Error(), "[::1]") {
		t.Errorf("started beside a program on [::1]:%d: %v", taken, err)
	}
	v6 := fmt.Sprintf("http://[::1]:%d", e.srv.Port())
	resp, err := http.Get(v6 + "/v1/info")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("[::1]: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest("GET", v6+"/v1/info", nil)
	req.Host = "evil.example:80"
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("[::1] with a foreign Host: %d, want 403", resp.StatusCode)
	}

	pna := func(r *http.Request) {
		r.Header.Set("Access-Control-Request-Method", "POST")
		r.Header.Set("Access-Control-Request-Private-Network", "true")
	}
	// Preflights ask nothing: the page is allowed first, by its first
	// GET /v1/certificates.
	resp, _ = e.call("OPTIONS", "/v1/sign/digest", page, nil, pna)
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("a preflight before any question: %d, want 403", resp.StatusCode)
	}
	resp, body := e.call("GET", "/v1/certificates", page, nil, nil)
	expect(t, resp, body, 200, "")
	resp, _ = e.call("OPTIONS", "/v1/sign/digest", page, nil, pna)
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Private-Network") != "true" {
		t.Errorf("allowed origin: %d, Allow-Private-Network %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Private-Network"))
	}
	e.consent.mu.Lock()
	e.consent.decision["https://denied.example"] = Deny
	e.consent.mu.Unlock()
	resp, _ = e.call("OPTIONS", "/v1/sign/digest", "https://denied.example", nil, pna)
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("Access-Control-Allow-Private-Network") != "" {
		t.Errorf("denied origin: %d, Allow-Private-Network %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Private-Network"))
	}
}

// TestMixedBatch: a batch mixing SHA-256 and SHA-512 is shown to the person
// item by item, and each signature is made (and checked) with its own
// algorithm.
func TestMixedBatch(t *testing.T) {
	e := newEnv(t, nil)
	id, cert := e.certID("P-256 signing")
	d256 := sha256.Sum256([]byte("one"))
	d512 := sha512.Sum512([]byte("two"))
	resp, body := e.call("POST", "/v1/sign/digest/batch", page, map[string]any{"certificateId": id, "items": []any{
		map[string]any{"digest": base64.StdEncoding.EncodeToString(d256[:]), "algorithm": "SHA-256"},
		map[string]any{"digest": base64.StdEncoding.EncodeToString(d512[:]), "algorithm": "SHA-512"},
	}}, nil)
	expect(t, resp, body, 200, "")
	last := e.consent.approved[len(e.consent.approved)-1]
	if len(last.Hashes) != 2 || last.Hashes[0] != "SHA-256" || last.Hashes[1] != "SHA-512" {
		t.Errorf("the person was shown %v, want [SHA-256 SHA-512]", last.Hashes)
	}
	sigs := body["signatures"].([]any)
	for i, d := range [][]byte{d256[:], d512[:]} {
		s := sigs[i].(map[string]any)
		sig, _ := base64.StdEncoding.DecodeString(s["signature"].(string))
		if !ecdsa.VerifyASN1(cert.PublicKey.(*ecdsa.PublicKey), d, sig) {
			t.Errorf("item %d does not verify", i+1)
		}
		if want := []string{"ECDSA-SHA-256", "ECDSA-SHA-512"}[i]; s["algorithm"] != want {
			t.Errorf("item %d: %v, want %s", i+1, s["algorithm"], want)
		}
	}
}

// TestKeyPurpose: the same person's signing and authentication keys on one
// token. The authentication key signs nothing for a page (refused with its
// code, before anyone is asked); the signing key does, and the person is
// shown its purpose, issuer and token.
func TestKeyPurpose(t *testing.T) {
	e := newEnv(t, nil)
	authID, authCert := e.certID("RSA-3072 authentication")
	signID, signCert := e.certID("RSA-2048 signing")
	if authCert.Subject.CommonName != signCert.Subject.CommonName {
		t.Fatal("the test wants one person's two keys")
	}
	digest := sha256.Sum256([]byte("a TLS transcript, perhaps"))
	asked := len(e.consent.approved)
	var doc bytes.Buffer
	if err := testpdf.Write(&doc, testpdf.Options{}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path string
		body       map[string]any
	}{
		{"fail digest", "/v1/sign/digest", digestBody(authID, digest[:])},
		{"fail digest batch", "/v1/sign/digest/batch", map[string]any{"certificateId": authID, "items": []any{
			map[string]any{"digest": base64.StdEncoding.EncodeToString(digest[:]), "algorithm": "SHA-256"}}}},
		{"fail pdf", "/v1/sign/pdf", map[string]any{"certificateId": authID, "name": "a.pdf", "document": base64.StdEncoding.EncodeToString(doc.Bytes())}},
	} {
		t.Run(tc.name+" with the authentication key", func(t *testing.T) {
			resp, body := e.call("POST", tc.path, page, tc.body, nil)
			expect(t, resp, body, http.StatusForbidden, CodeNotForSigning)
		})
	}
	if n := len(e.consent.approved) - asked; n != 0 {
		t.Errorf("the person was asked %d times about the authentication key", n)
	}
	t.Run("ok digest with the signing key", func(t *testing.T) {
		resp, body := e.call("POST", "/v1/sign/digest", page, digestBody(signID, digest[:]), nil)
		expect(t, resp, body, 200, "")
		last := e.consent.approved[len(e.consent.approved)-1]
		if last.Purpose != keys.PurposeSigning || last.Token != softhsmtest.MainToken || last.Certificate.Issuer.CommonName == "" ||
			!last.Certificate.Equal(signCert) {
			t.Errorf("the person was shown purpose %q, token %q, certificate %v", last.Purpose, last.Token, last.Certificate.Subject)
		}
	})
}
