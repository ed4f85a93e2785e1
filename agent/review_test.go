package agent

// Regression tests for the agent's second outside review (issue 26),
// through the doors an attacker uses: HTTP requests from a real client.
// Each names the finding it covers.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/signet-sign/signet/internal/softhsmtest"
	"github.com/signet-sign/signet/internal/testpdf"
	"github.com/signet-sign/signet/internal/testpki"
	"github.com/signet-sign/signet/pdf"
)

// logonToken is the token with logon-style certificates, put into the
// package's SoftHSM2 store once.
const logonToken = "logon-card"

var insertLogon sync.Once

// logonKeys puts two logon-style keys on a token of their own: a PIV /
// corporate logon certificate (O=Example Corp, CN=Jane Doe, clientAuth +
// msSmartcardLogon + pkinit) and one for logging in and e-mail.
func (e *env) logonKeys() (piv, mail string) {
	e.t.Helper()
	var err error
	insertLogon.Do(func() {
		err = e.hsm.InsertToken(logonToken,
			softhsmtest.KeySpec{ID: []byte{0x21}, Label: "PIV logon", Alg: testpki.P256, Profile: testpki.Logon, CN: "Jane Doe"},
			softhsmtest.KeySpec{ID: []byte{0x22}, Label: "client and e-mail", Alg: testpki.P256, Profile: testpki.ClientEmail, CN: "Jane Doe"})
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return certificateID(e.hsm.Cert(logonToken, "PIV logon")), certificateID(e.hsm.Cert(logonToken, "client and e-mail"))
}

func (e *env) approvals() int {
	e.consent.mu.Lock()
	defer e.consent.mu.Unlock()
	return len(e.consent.approved)
}

func onePagePDF(t *testing.T, pages int) []byte {
	t.Helper()
	var doc bytes.Buffer
	if err := testpdf.Write(&doc, testpdf.Options{Pages: pages}); err != nil {
		t.Fatal(err)
	}
	return doc.Bytes()
}

// TestLogonKeysNeverSign (1): certificates for logging in — whatever their
// subject says — sign no digest and no PDF, and nobody is asked.
func TestLogonKeysNeverSign(t *testing.T) {
	e := newEnv(t, nil)
	piv, mail := e.logonKeys()
	digest := make([]byte, 32)
	doc := base64.StdEncoding.EncodeToString(onePagePDF(t, 1))
	before := e.approvals()
	for _, key := range []struct{ name, id string }{{"PIV logon", piv}, {"clientAuth and emailProtection", mail}} {
		for _, tc := range []struct {
			path string
			body map[string]any
		}{
			{"/v1/sign/digest", digestBody(key.id, digest)},
			{"/v1/sign/digest/batch", map[string]any{"certificateId": key.id, "items": []any{
				map[string]any{"digest": base64.StdEncoding.EncodeToString(digest), "algorithm": "SHA-256"}}}},
			{"/v1/sign/pdf", map[string]any{"certificateId": key.id, "name": "a.pdf", "document": doc}},
		} {
			t.Run("fail "+key.name+" "+tc.path, func(t *testing.T) {
				resp, body := e.call("POST", tc.path, page, tc.body, nil)
				expect(t, resp, body, http.StatusForbidden, CodeNotForSigning)
			})
		}
	}
	if n := e.approvals() - before; n != 0 {
		t.Errorf("the person was asked %d times about logon keys", n)
	}
}

// TestTrailingDotsAreTheSameSite (3): "don't ask again" and the question
// limit hold for the host with a trailing dot (as Chromium sends it), in
// another case, and in Unicode or IDNA form.
func TestTrailingDotsAreTheSameSite(t *testing.T) {
	e := newEnv(t, nil)
	e.consent.decide("http://quiet.example:8765", Silence)
	if code := e.get(context.Background(), "/v1/certificates", "http://quiet.example:8765"); code != http.StatusForbidden {
		t.Fatalf("silenced: %d", code)
	}
	asked := len(e.consent.askedList())
	for _, o := range []string{"http://quiet.example.:8765", "http://b.quiet.example.:8765", "http://quiet.example..:8765"} {
		if code := e.get(context.Background(), "/v1/certificates", o); code != http.StatusForbidden {
			t.Errorf("%s: %d", o, code)
		}
	}
	if got := e.consent.askedList()[asked:]; len(got) != 0 {
		t.Errorf("asked again after \"don't ask again\": %v", got)
	}

	for i := range maxQuestions {
		e.get(context.Background(), "/v1/certificates", fmt.Sprintf("http://s%d.limit.example:8765", i))
	}
	asked = len(e.consent.askedList())
	for i := range 5 {
		e.get(context.Background(), "/v1/certificates", fmt.Sprintf("http://s%d.limit.example.:8765", i+maxQuestions))
	}
	if got := e.consent.askedList()[asked:]; len(got) != 0 {
		t.Errorf("asked past the limit: %v", got)
	}

	// A site the person allowed in Settings, in Unicode, is allowed as a
	// browser sends it (IDNA, with or without a trailing dot); an origin
	// written as no browser writes one is refused without a question.
	e.srv.SetAllowed(PermissionUse, []string{"https://Bücher.example"})
	asked = len(e.consent.askedList())
	for _, o := range []string{"https://xn--bcher-kva.example", "https://xn--bcher-kva.example."} {
		if code := e.get(context.Background(), "/v1/certificates", o); code != 200 {
			t.Errorf("%s: %d", o, code)
		}
	}
	for _, o := range []string{"https://bücher.example", "https://XN--BCHER-KVA.EXAMPLE", "https://xn--bcher-kva.example:443", "HTTPS://xn--bcher-kva.example"} {
		if code := e.get(context.Background(), "/v1/certificates", o); code != http.StatusForbidden {
			t.Errorf("%s: %d, want refused", o, code)
		}
	}
	if got := e.consent.askedList()[asked:]; len(got) != 0 {
		t.Errorf("asked %v", got)
	}
}

// TestShownIsSigned (5): the reason, location and visible text are shown
// whole and signed as shown; text over the documented length is refused
// before anyone is asked.
func TestShownIsSigned(t *testing.T) {
	e := newEnv(t, nil)
	id, _ := e.certID("P-256 signing")
	reason := "I have read the terms " + strings.Repeat("and their annexes ", 12) + "and waive my right of withdrawal and accept the penalty of EUR 10000"
	location := "Rīga,\nBrīvības iela 1\u202e"
	line := strings.Repeat("x", 100) + " — accepted"
	resp, body := e.call("POST", "/v1/sign/pdf", page, map[string]any{"certificateId": id, "name": "a.pdf",
		"document": base64.StdEncoding.EncodeToString(onePagePDF(t, 1)),
		"options": map[string]any{"reason": reason, "location": location,
			"visible": map[string]any{"page": 1, "rect": []float64{40, 40, 400, 140}, "lines": []string{line}}}}, nil)
	expect(t, resp, body, 200, "")
	e.consent.mu.Lock()
	shown := e.consent.approved[len(e.consent.approved)-1]
	e.consent.mu.Unlock()
	if shown.Reason != reason || shown.Location != "Rīga, Brīvības iela 1" || len(shown.Visible.Lines) != 1 || shown.Visible.Lines[0] != line {
		t.Errorf("shown reason %q, location %q, lines %q", shown.Reason, shown.Location, shown.Visible.Lines)
	}
	signed, _ := base64.StdEncoding.DecodeString(body["document"].(string))
	rep, err := pdf.Verify(context.Background(), bytes.NewReader(signed), int64(len(signed)), pdf.VerifyOptions{})
	if err != nil || len(rep.Signatures) != 1 {
		t.Fatalf("%v %+v", err, rep)
	}
	if s := rep.Signatures[0]; s.Reason != shown.Reason || s.Location != shown.Location {
		t.Errorf("signed reason %q, location %q; shown %q, %q", s.Reason, s.Location, shown.Reason, shown.Location)
	}

	before := e.approvals()
	for _, tc := range []struct {
		name string
		opts map[string]any
	}{
		{"fail reason too long", map[string]any{"reason": strings.Repeat("ā", MaxText+1)}},
		{"fail location too long", map[string]any{"location": strings.Repeat("a", MaxText+1)}},
		{"fail a visible line too long", map[string]any{"visible": map[string]any{"page": 1, "rect": []float64{40, 40, 400, 140}, "lines": []string{strings.Repeat("b", MaxText+1)}}}},
		{"fail too many lines", map[string]any{"visible": map[string]any{"page": 1, "rect": []float64{40, 40, 400, 140}, "lines": make([]string, MaxLines+1)}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := e.call("POST", "/v1/sign/pdf", page, map[string]any{"certificateId": id, "name": "a.pdf",
				"document": base64.StdEncoding.EncodeToString(onePagePDF(t, 1)), "options": tc.opts}, nil)
			expect(t, resp, body, http.StatusBadRequest, CodeBadRequest)
			if msg := body["message"].(string); !strings.Contains(msg, "at most ") {
				t.Errorf("the message does not name the limit: %q", msg)
			}
		})
	}
	if n := e.approvals() - before; n != 0 {
		t.Errorf("asked %d times about refused requests", n)
	}
}

// TestDigestsNeedTheirOwnPermission (6): a page allowed to use Signet is
// asked separately before its first digest signing, with that warning;
// refused, it gets digests_not_allowed and the person sees no approval.
// Documents, which Signet shows, need no such permission.
func TestDigestsNeedTheirOwnPermission(t *testing.T) {
	e := newEnv(t, nil)
	const site = "https://portal.example"
	e.consent.decide(site, AllowOnce)
	id, _ := e.certID("P-256 signing")
	if code := e.get(context.Background(), "/v1/certificates", site); code != 200 {
		t.Fatal(code)
	}
	_, info := e.call("GET", "/v1/info", site, nil, nil)
	if info["allowed"] != true || info["digestsAllowed"] != false {
		t.Errorf("info %v", info)
	}
	e.consent.decide(site, Deny) // the person answers the digest question no
	before := e.approvals()
	resp, body := e.call("POST", "/v1/sign/digest", site, digestBody(id, make([]byte, 32)), nil)
	expect(t, resp, body, http.StatusForbidden, CodeDigestsNotAllowed)
	e.consent.mu.Lock()
	q := e.consent.questions[len(e.consent.questions)-1]
	e.consent.mu.Unlock()
	if q.Origin != site || q.Permission != PermissionDigests {
		t.Errorf("the last question %+v, want the digest permission for %s", q, site)
	}
	if n := e.approvals() - before; n != 0 {
		t.Errorf("a digest reached the person's approval %d times without the permission", n)
	}
	// Asked once: the answer stands for the session.
	asked := len(e.consent.askedList())
	resp, body = e.call("POST", "/v1/sign/digest", site, digestBody(id, make([]byte, 32)), nil)
	expect(t, resp, body, http.StatusForbidden, CodeDigestsNotAllowed)
	if len(e.consent.askedList()) != asked {
		t.Error("asked again about digests")
	}
	resp, body = e.call("POST", "/v1/sign/pdf", site, map[string]any{"certificateId": id, "name": "a.pdf",
		"document": base64.StdEncoding.EncodeToString(onePagePDF(t, 1))}, nil)
	expect(t, resp, body, 200, "")

	// Allowed always from Settings: no question, and info says so.
	e.srv.SetAllowed(PermissionDigests, []string{"https://trusted.example"})
	e.srv.SetAllowed(PermissionUse, []string{"https://trusted.example"})
	asked = len(e.consent.askedList())
	resp, body = e.call("POST", "/v1/sign/digest", "https://trusted.example", digestBody(id, make([]byte, 32)), nil)
	expect(t, resp, body, 200, "")
	if len(e.consent.askedList()) != asked {
		t.Error("asked about a site allowed in Settings")
	}
}

// rawPost writes a POST request with a whole JSON body on a TCP
// connection and leaves it open, as a page that then goes away.
func (e *env) rawPost(t *testing.T, path, origin, contentType string, body []byte) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(e.srv.URL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nOrigin: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n",
		path, strings.TrimPrefix(e.srv.URL(), "http://"), origin, contentType, len(body))
	conn.Write(body)
	return conn
}

// TestQuestionGoesWithThePage (7): a page whose first request is a POST
// and that goes away takes its question with it; a text/plain POST (no
// preflight needed) raises none; one site cannot queue questions in front
// of everyone's.
func TestQuestionGoesWithThePage(t *testing.T) {
	e := newEnv(t, nil)
	id, _ := e.certID("P-256 signing")
	e.consent.mu.Lock()
	e.consent.holdOrigin = make(chan struct{})
	e.consent.mu.Unlock()
	body := []byte(`{"certificateId":"` + id + `","digest":"` + base64.StdEncoding.EncodeToString(make([]byte, 32)) + `","algorithm":"SHA-256"}`)

	t.Run("fail text/plain asks nothing", func(t *testing.T) {
		conn := e.rawPost(t, "/v1/sign/digest", "https://plain.example", "text/plain", body)
		defer conn.Close()
		conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnsupportedMediaType || len(e.consent.askedList()) != 0 {
			t.Errorf("%d, asked %v", resp.StatusCode, e.consent.askedList())
		}
	})
	t.Run("ok the question goes when the page does", func(t *testing.T) {
		conn := e.rawPost(t, "/v1/sign/digest", "https://leaving.example", "application/json", body)
		waitUntil(t, func() bool { return slices.Contains(e.consent.askedList(), "https://leaving.example") })
		conn.Close()
		waitUntil(t, func() bool {
			e.srv.mu.Lock()
			defer e.srv.mu.Unlock()
			return len(e.srv.asking) == 0 && e.srv.questions.Waiting() == 0
		})
	})
	t.Run("ok at most two open questions per site", func(t *testing.T) {
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		for i := range 2 {
			conns = append(conns, e.rawPost(t, "/v1/sign/digest", fmt.Sprintf("https://q%d.flood.example", i), "application/json", body))
		}
		waitUntil(t, func() bool {
			e.srv.mu.Lock()
			defer e.srv.mu.Unlock()
			return e.srv.open["flood.example"] == maxOpenPerDomain
		})
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if code := e.get(ctx, "/v1/certificates", "https://q9.flood.example"); code != http.StatusForbidden {
			t.Errorf("a third open question from the site: %d", code)
		}
	})
}

// TestSignaturePageAsSigned (9): the page a visible signature goes on is
// shown as signing reads the number: 0 the first page, -2 the one before
// the last.
func TestSignaturePageAsSigned(t *testing.T) {
	e := newEnv(t, nil)
	id, _ := e.certID("P-256 signing")
	doc := base64.StdEncoding.EncodeToString(onePagePDF(t, 3))
	for _, tc := range []struct{ asked, want int }{{0, 1}, {-2, 2}, {-1, 3}, {3, 3}} {
		t.Run(fmt.Sprintf("ok page %d", tc.asked), func(t *testing.T) {
			resp, body := e.call("POST", "/v1/sign/pdf", page, map[string]any{"certificateId": id, "name": "a.pdf", "document": doc,
				"options": map[string]any{"visible": map[string]any{"page": tc.asked, "rect": []float64{40, 40, 200, 90}}}}, nil)
			expect(t, resp, body, 200, "")
			e.consent.mu.Lock()
			shown := e.consent.approved[len(e.consent.approved)-1]
			e.consent.mu.Unlock()
			if got := shown.PDFs[0].SignaturePage; got != tc.want {
				t.Errorf("shown page %d, want %d", got, tc.want)
			}
			// The preview is the document with the signature drawn, as
			// it will be: a rectangle or image over the text shows.
			d := shown.PDFs[0]
			if len(d.Preview) <= len(d.Data) || !bytes.HasPrefix(d.Preview, d.Data) || shown.Visible.Width != 160 || shown.Visible.Height != 50 {
				t.Errorf("preview of %d bytes over %d, box %v×%v", len(d.Preview), len(d.Data), shown.Visible.Width, shown.Visible.Height)
			}
		})
	}
	resp, body := e.call("POST", "/v1/sign/pdf", page, map[string]any{"certificateId": id, "name": "a.pdf", "document": doc,
		"options": map[string]any{"visible": map[string]any{"page": -4, "rect": []float64{40, 40, 200, 90}}}}, nil)
	expect(t, resp, body, http.StatusBadRequest, CodeBadDocument)
}

// TestOriginForms: canonical forms, what browsers send, and the sites
// the question limits count by (IP addresses by network).
func TestOriginForms(t *testing.T) {
	for _, tc := range []struct{ in, canonical, site string }{
		{"https://a.b.example.co.uk", "https://a.b.example.co.uk", "example.co.uk"},
		{"http://quiet.example.:8765", "http://quiet.example:8765", "quiet.example"},
		{"https://Bücher.example:443", "https://xn--bcher-kva.example", "xn--bcher-kva.example"},
		{"http://localhost:8000", "http://localhost:8000", "localhost"},
		{"http://10.1.2.3", "http://10.1.2.3", "10.1.2.0/24"},
		{"http://[::ffff:10.1.2.3]:81", "http://10.1.2.3:81", "10.1.2.0/24"},
		{"http://[2001:db8::1]:80", "http://[2001:db8::1]", "2001:db8::/64"},
		{"http://[2001:db8::ffff:2]", "http://[2001:db8::ffff:2]", "2001:db8::/64"},
	} {
		t.Run("ok "+tc.in, func(t *testing.T) {
			c, ok := CanonicalOrigin(tc.in)
			if !ok || c != tc.canonical {
				t.Fatalf("CanonicalOrigin = %q, %v; want %q", c, ok, tc.canonical)
			}
			if got := registrableDomain(c); got != tc.site {
				t.Errorf("registrableDomain = %q, want %q", got, tc.site)
			}
		})
	}
	for _, o := range []string{"", "null", "file://", "https://a.example/", "https://a.example?x", "https://u@a.example", "https://a.example:",
		"ftp://a.example", "https://.", "https://xn--alice-.example", "https://a\x00b.example"} {
		if c, ok := CanonicalOrigin(o); ok {
			t.Errorf("CanonicalOrigin(%q) = %q, want refused", o, c)
		}
	}
	for _, tc := range []struct {
		origin string
		ok     bool
	}{
		{"https://a.example", true}, {"https://a.example.", true}, {"http://a.example.:8080", true},
		{"https://A.example", false}, {"https://a.example:443", false}, {"https://bücher.example", false}, {"https://a.example..", true},
	} {
		c, _ := CanonicalOrigin(tc.origin)
		if got := browserForm(tc.origin, c); got != tc.ok {
			t.Errorf("browserForm(%q) = %v", tc.origin, got)
		}
	}
}

// pngHeader is the start of a PNG of w×h pixels, 16 bits a channel, RGBA:
// all that decoding its size reads.
func pngHeader(w, h uint32) []byte {
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 16, 6
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	binary.Write(&b, binary.BigEndian, uint32(len(ihdr)))
	chunk := append([]byte("IHDR"), ihdr...)
	b.Write(chunk)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

// TestImageDecodeBounded (the review of the fix): a small PNG that would
// decode into hundreds of megabytes is refused before anyone is asked,
// and what an accepted image will take counts against the bytes in
// flight.
func TestImageDecodeBounded(t *testing.T) {
	e := newEnv(t, nil)
	id, _ := e.certID("P-256 signing")
	doc := base64.StdEncoding.EncodeToString(onePagePDF(t, 1))
	send := func(img []byte) (*http.Response, map[string]any) {
		return e.call("POST", "/v1/sign/pdf", page, map[string]any{"certificateId": id, "name": "a.pdf", "document": doc,
			"options": map[string]any{"visible": map[string]any{"page": 1, "rect": []float64{40, 40, 200, 90},
				"image": base64.StdEncoding.EncodeToString(img)}}}, nil)
	}
	before := e.approvals()
	resp, body := send(pngHeader(5000, 4000))
	expect(t, resp, body, http.StatusBadRequest, CodeBadRequest)
	if n := e.approvals() - before; n != 0 {
		t.Errorf("asked %d times about a refused image", n)
	}
	// Within the pixel bound, but over what the agent may hold: busy.
	small := newServer(Config{Consent: &consent{}, Keys: noKeys{}, MaxPDF: 1 << 20, MaxInFlight: 1 << 20}, 0)
	rec := httptest.NewRecorder()
	if _, ok := small.holdImage(rec, pngHeader(2000, 2000)); ok || rec.Code != http.StatusServiceUnavailable {
		t.Errorf("a 2000×2000 image held within 1 MB: %d", rec.Code)
	}
	release, ok := e.srv.holdImage(httptest.NewRecorder(), pngHeader(200, 60))
	if !ok {
		t.Fatal("a signature-sized image refused")
	}
	release()
}
