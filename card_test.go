package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signet-sign/signet/agent"
	"github.com/signet-sign/signet/flow"
	"github.com/signet-sign/signet/internal/pdfcheck"
	"github.com/signet-sign/signet/internal/prompttest"
	"github.com/signet-sign/signet/internal/testcard"
	"github.com/signet-sign/signet/internal/testpdf"
	"github.com/signet-sign/signet/internal/testtsa"
	"github.com/signet-sign/signet/pdf"
)

// cardCLI runs the signet binary against the virtual card: the
// machine's modules found as a person's would be (OpenSC, SoftHSM2 and
// p11-kit's proxy, which re-exports both), its own settings and issuer
// cache.
type cardCLI struct {
	t     *testing.T
	bin   string
	dir   string
	cache string // XDG_CACHE_HOME
	pin   string // a file holding the card's PIN
}

func newCardCLI(t *testing.T) *cardCLI {
	t.Helper()
	c := &cardCLI{t: t, bin: signetBinary(t), dir: t.TempDir()}
	c.cache = filepath.Join(c.dir, "cache")
	c.pin = c.write("pin", testcard.PIN+"\n")
	return c
}

func (c *cardCLI) write(name, content string) string {
	c.t.Helper()
	p := filepath.Join(c.dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		c.t.Fatal(err)
	}
	return p
}

// pdfs writes n documents to sign.
func (c *cardCLI) pdfs(prefix string, n int) []string {
	c.t.Helper()
	var out []string
	for i := range n {
		p := filepath.Join(c.dir, fmt.Sprintf("%s-%02d.pdf", prefix, i+1))
		if err := testpdf.WriteFile(p, testpdf.Options{Pages: 1}); err != nil {
			c.t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

func (c *cardCLI) cmd(args ...string) *exec.Cmd {
	cmd := exec.Command(c.bin, args...)
	cmd.Env = append(os.Environ(), "SIGNET_CONFIG="+filepath.Join(c.dir, "none.toml"), "XDG_CACHE_HOME="+c.cache, "LANG=C.UTF-8", "LC_ALL=")
	return cmd
}

// run runs signet and returns its exit code, stdout and stderr.
func (c *cardCLI) run(args ...string) (int, string, string) {
	c.t.Helper()
	cmd := c.cmd(args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		c.t.Fatal(err)
	}
	return code, stdout.String(), stderr.String()
}

// sign signs with the card and wants success and no warning.
func (c *cardCLI) sign(args ...string) string {
	c.t.Helper()
	code, out, errOut := c.run(append([]string{"sign", "--key", testcard.KeyURI, "--pin-file", c.pin}, args...)...)
	if code != 0 || strings.Contains(errOut, "warning") {
		c.t.Fatalf("sign %v: exit %d\n%s%s", args, code, out, errOut)
	}
	return out
}

// TestCardStack signs with an eID card through the whole stack a person
// has (pcscd, a reader driver, OpenSC's module): the card carries the
// signer's certificate alone, whose issuer comes from its caIssuers URL.
func TestCardStack(t *testing.T) {
	s := testcard.Require(t)
	pdfcheck.Require(t, "pdfsig", "qpdf", "openssl", "xmlsec1")
	c := newCardCLI(t)
	v := pdfcheck.NewRootOnly(t, s.PKI) // validators that know the root alone
	tsa, err := testtsa.Start(s.PKI)
	if err != nil {
		t.Fatal(err)
	}
	defer tsa.Close()

	t.Run("listed once", func(t *testing.T) {
		code, out, errOut := c.run("tokens", "--json")
		if code != 0 {
			t.Fatalf("tokens: exit %d\n%s", code, errOut)
		}
		var mods []struct {
			Path     string `json:"path"`
			Repeated int    `json:"repeated"`
			Slots    []struct {
				Token *struct{ Label, Serial string } `json:"token"`
			} `json:"slots"`
		}
		if err := json.Unmarshal([]byte(out), &mods); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		cards, proxied := 0, 0
		for _, m := range mods {
			for _, sl := range m.Slots {
				if sl.Token != nil && sl.Token.Label == testcard.TokenLabel {
					cards++
					if !strings.Contains(m.Path, "opensc") {
						t.Errorf("the card is listed through %s, want OpenSC's own module", m.Path)
					}
				}
			}
			if strings.Contains(m.Path, "p11-kit") {
				proxied += m.Repeated
			}
		}
		if cards != 1 {
			t.Errorf("the card is listed %d times, want once:\n%s", cards, out)
		}
		if proxied == 0 {
			t.Errorf("p11-kit's proxy module was not loaded, or re-exported nothing: the test shows nothing\n%s", out)
		}
		_, text, _ := c.run("tokens")
		if n := strings.Count(text, fmt.Sprintf("token %q", testcard.TokenLabel)); n != 1 {
			t.Errorf("signet tokens shows the card %d times:\n%s", n, text)
		}
		code, certs, errOut := c.run("certs")
		if code != 0 || strings.Count(certs, "object=CAC%20ID%20Certificate") != 1 {
			t.Errorf("signet certs: exit %d, the card's key listed %d times:\n%s%s", code, strings.Count(certs, "object=CAC%20ID%20Certificate"), certs, errOut)
		}
		// The app and the agent list through flow.
		mods2 := flow.LoadModules(nil, nil)
		defer mods2.Close()
		choices, err := mods2.KeyChoices()
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, ch := range choices {
			if ch.Token == testcard.TokenLabel {
				n++
				if ch.Source.Token.Module().IsProxy() {
					t.Errorf("the app lists the card through the proxy")
				}
			}
		}
		if n != 1 {
			t.Errorf("the app lists the card's key %d times", n)
		}
	})

	t.Run("B-B with the issuer from caIssuers", func(t *testing.T) {
		in := c.pdfs("bb", 1)[0]
		out := filepath.Join(c.dir, "bb-signed.pdf")
		before := s.Issuers.Fetches.Load()
		c.sign("-o", out, in)
		if s.Issuers.Fetches.Load() == before {
			t.Error("the issuer was not fetched from the caIssuers URL")
		}
		certs := pdfcheck.CMSCertificates(t, out)
		if len(certs) != 1 || len(certs[0]) != 2 || !certs[0][0].Equal(s.Signer.Cert) || !certs[0][1].Equal(s.PKI.Intermediate.Cert) {
			t.Fatalf("the CMS carries %d certificates, want the signer's and the intermediate (not the root)", len(certs[0]))
		}
		// pdfsig with the root alone trusted.
		v.Check(t, out, 1)
	})

	t.Run("offline from the cache", func(t *testing.T) {
		s.Issuers.Down.Store(true)
		defer s.Issuers.Down.Store(false)
		in := c.pdfs("cached", 1)[0]
		out := filepath.Join(c.dir, "cached-signed.pdf")
		c.sign("-o", out, in) // no warning: the issuer is cached
		v.Check(t, out, 1)
	})

	t.Run("issuer unreachable", func(t *testing.T) {
		s.Issuers.Down.Store(true)
		defer s.Issuers.Down.Store(false)
		fresh := c.cache
		c.cache = filepath.Join(c.dir, "empty-cache")
		defer func() { c.cache = fresh }()
		in := c.pdfs("unreachable", 1)[0]
		out := filepath.Join(c.dir, "unreachable-signed.pdf")
		code, _, errOut := c.run("sign", "--key", testcard.KeyURI, "--pin-file", c.pin, "-o", out, in)
		if code != 0 {
			t.Fatalf("exit %d, want the document signed all the same:\n%s", code, errOut)
		}
		if !strings.Contains(errOut, "warning") || !strings.Contains(errOut, testcard.SignerName) || !strings.Contains(errOut, s.Issuers.URL) {
			t.Errorf("the warning does not name the certificate and the URL:\n%s", errOut)
		}
		if certs := pdfcheck.CMSCertificates(t, out); len(certs[0]) != 1 {
			t.Errorf("the CMS carries %d certificates, want the signer's", len(certs[0]))
		}
		// Verification completes the chain as signing does: from the
		// cache, or with --online from the caIssuers URL.
		verify := func(cache string, args ...string) (int, string) {
			t.Helper()
			saved := c.cache
			c.cache = cache
			defer func() { c.cache = saved }()
			code, text, _ := c.run(append(append([]string{"verify", "--trust", v.RootPEM}, args...), out)...)
			return code, text
		}
		if code, text := verify(c.cache); code != 1 || !strings.Contains(text, "does not chain to a trusted root") {
			t.Errorf("verify with no issuer anywhere: exit %d\n%s", code, text)
		}
		// The card's certificate names no revocation service: valid, not
		// fully checked (exit 3), however the chain was completed.
		if code, text := verify(fresh); code != 3 {
			t.Errorf("verify with the issuer cached: exit %d\n%s", code, text)
		}
		s.Issuers.Down.Store(false)
		if code, text := verify(filepath.Join(c.dir, "verify-cache"), "--online"); code != 3 {
			t.Errorf("verify --online: exit %d\n%s", code, text)
		}
		s.Issuers.Down.Store(true)

		// --require-chain refuses before the PIN: with a wrong PIN
		// given, the refusal is the chain's, and no try is spent.
		bad := c.write("bad-pin", "999999\n")
		out = filepath.Join(c.dir, "required-signed.pdf")
		code, _, errOut = c.run("sign", "--require-chain", "--key", testcard.KeyURI, "--pin-file", bad, "-o", out, in)
		if code != 1 || !strings.Contains(errOut, "certificate chain is incomplete") || strings.Contains(errOut, "PIN") {
			t.Errorf("--require-chain: exit %d, want 1 with the chain named and no PIN tried:\n%s", code, errOut)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Error("--require-chain wrote an output")
		}
	})

	t.Run("B-T", func(t *testing.T) {
		in := c.pdfs("bt", 1)[0]
		out := filepath.Join(c.dir, "bt-signed.pdf")
		c.sign("--tsa", tsa.URL, "-o", out, in)
		v.Check(t, out, 1)
		code, text, errOut := c.run("verify", "--trust", v.RootPEM, out)
		if code != 3 || !strings.Contains(text, "B-T") {
			t.Errorf("signet verify: exit %d\n%s%s", code, text, errOut)
		}
	})

	t.Run("ASiC-E", func(t *testing.T) {
		note := c.write("note.txt", "Pieteikums\n")
		doc := c.pdfs("annex", 1)[0]
		out := filepath.Join(c.dir, "card.asice")
		c.sign("--container", "asice", "--tsa", tsa.URL, "-o", out, note, doc)
		code, text, errOut := c.run("verify", "--trust", v.RootPEM, out)
		if code != 3 || !strings.Contains(text, "B-T") {
			t.Errorf("signet verify: exit %d\n%s%s", code, text, errOut)
		}
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		pdfcheck.XmlsecContainer(t, data, 3) // two files and the signed properties
	})

	t.Run("two jobs on one card", func(t *testing.T) {
		ins := c.pdfs("jobs", 4)
		dir := filepath.Join(c.dir, "jobs-out")
		os.Mkdir(dir, 0o755)
		c.sign(append([]string{"--jobs", "2", "--out-dir", dir}, ins...)...)
		for _, in := range ins {
			v.Check(t, filepath.Join(dir, filepath.Base(in)), 1)
		}
	})

	t.Run("through p11-kit's proxy", func(t *testing.T) {
		// The same URI signs when the proxy is the only module given.
		in := c.pdfs("proxy", 1)[0]
		out := filepath.Join(c.dir, "proxy-signed.pdf")
		c.sign("--module", "/usr/lib/x86_64-linux-gnu/p11-kit-proxy.so", "-o", out, in)
		v.Check(t, out, 1)
	})

	t.Run("agent", func(t *testing.T) { cardAgent(t, s) })

	t.Run("wrong PIN", func(t *testing.T) {
		bad := c.write("wrong-pin", "135790\n")
		in := c.pdfs("wrongpin", 1)[0]
		out := filepath.Join(c.dir, "wrongpin-signed.pdf")
		code, _, errOut := c.run("sign", "--key", testcard.KeyURI, "--pin-file", bad, "-o", out, in)
		if code != 1 || !strings.Contains(errOut, "most likely the PIN is wrong") || !strings.Contains(errOut, "never retries a PIN") {
			t.Errorf("exit %d, want 1 with a sentence about the PIN:\n%s", code, errOut)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Error("an output was written")
		}
		c.sign("-o", out, in) // the right PIN still works: nothing was locked
	})

	t.Run("card removed mid-batch", func(t *testing.T) { cardRemoved(t, s, c, v) })

	t.Run("service stopped", func(t *testing.T) {
		s.StopService()
		defer func() {
			if err := s.StartService(); err != nil {
				t.Fatal(err)
			}
		}()
		code, out, _ := c.run("tokens")
		if code != 0 || !strings.Contains(out, "no slots (no reader connected, or its service is not running)") {
			t.Errorf("tokens: exit %d\n%s", code, out)
		}
		in := c.pdfs("stopped", 1)[0]
		code, _, errOut := c.run("sign", "--key", testcard.KeyURI, "--pin-file", c.pin, "-o", filepath.Join(c.dir, "stopped-signed.pdf"), in)
		if code != 1 || !strings.Contains(errOut, "smart card service (pcscd) is not running") || !strings.Contains(errOut, "systemctl start pcscd") {
			t.Errorf("sign: exit %d, want 1 saying the reader or its service is missing:\n%s", code, errOut)
		}
	})
}

// cardRemoved pulls the card out while a batch signs: the documents
// signed before stay signed and valid, none is half-written, the rest are
// left, and the error says the card was removed.
func cardRemoved(t *testing.T, s *testcard.Stack, c *cardCLI, v *pdfcheck.Validators) {
	defer func() {
		if err := s.Insert(); err != nil {
			t.Fatal(err)
		}
	}()
	ins := c.pdfs("pulled", 40)
	dir := filepath.Join(c.dir, "removed-out")
	os.Mkdir(dir, 0o755)
	cmd := c.cmd(append([]string{"sign", "--key", testcard.KeyURI, "--pin-file", c.pin, "--jobs", "1", "--report", "jsonl", "--out-dir", dir}, ins...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var report []string
	sc := bufio.NewScanner(stdout)
	signed := 0
	for sc.Scan() {
		report = append(report, sc.Text())
		if strings.Contains(sc.Text(), `"status":"signed"`) {
			if signed++; signed == 3 {
				s.Remove()
			}
		}
	}
	err = cmd.Wait()
	all := strings.Join(report, "\n") + "\n" + stderr.String()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("exit %v, want 1:\n%s", err, all)
	}
	if !strings.Contains(stderr.String(), "the card or token was removed") || !strings.Contains(stderr.String(), "insert the card") {
		t.Errorf("nothing says the card was removed:\n%s", all)
	}
	// The batch stopped at the key's failure: the documents after it
	// are left, not tried one by one.
	if n := strings.Count(all, `"status":"not_started"`); n == 0 {
		t.Errorf("no document left unstarted:\n%s", all)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) < 3 || len(entries) >= len(ins) {
		t.Fatalf("%d files written of %d, want the ones signed before the card went", len(entries), len(ins))
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".pdf") || !strings.HasPrefix(e.Name(), "pulled-") {
			t.Errorf("%s left in the output directory", e.Name())
			continue
		}
		v.Check(t, filepath.Join(dir, e.Name()), 1)
	}
	t.Logf("%d of %d documents signed before the card was removed; it said:\n%s", len(entries), len(ins), stderr.String())
}

// cardAgent: a web page on this machine has a digest and a PDF signed
// with the card through the agent, the person approving.
func cardAgent(t *testing.T, s *testcard.Stack) {
	mods := flow.LoadModules(nil, nil)
	defer mods.Close()
	const origin = "https://portal.example.lv"
	srv, err := agent.Start(agent.Config{
		Port:           0,
		Consent:        approveAll{},
		Keys:           agent.ModuleKeys{Modules: func() *flow.Modules { return mods }, Prompter: prompttest.WithPIN(testcard.PIN)},
		Allowed:        []string{origin},
		AllowedDigests: []string{origin},
		Chain:          flow.DefaultChainOptions(nil),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	call := func(method, path string, body any, into any) {
		t.Helper()
		var r io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			r = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, fmt.Sprintf("http://127.0.0.1:%d%s", srv.Port(), path), r)
		req.Header.Set("Origin", origin)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s %s: %s\n%s", method, path, resp.Status, data)
		}
		if err := json.Unmarshal(data, into); err != nil {
			t.Fatal(err)
		}
	}
	var list struct {
		Certificates []struct{ ID, Token string } `json:"certificates"`
	}
	call("GET", "/v1/certificates", nil, &list)
	id := ""
	for _, c := range list.Certificates {
		if c.Token == testcard.TokenLabel {
			if id != "" {
				t.Error("the agent lists the card's key twice")
			}
			id = c.ID
		}
	}
	if id == "" {
		t.Fatalf("the agent does not list the card: %+v", list)
	}

	digest := sha256.Sum256([]byte("eParaksts CalculateDigest"))
	var signed struct {
		Signature string   `json:"signature"`
		Chain     []string `json:"chain"`
	}
	call("POST", "/v1/sign/digest", map[string]string{"certificateId": id, "digest": base64.StdEncoding.EncodeToString(digest[:]), "algorithm": "SHA-256"}, &signed)
	sig, _ := base64.StdEncoding.DecodeString(signed.Signature)
	if err := rsa.VerifyPKCS1v15(s.Signer.Cert.PublicKey.(*rsa.PublicKey), crypto.SHA256, digest[:], sig); err != nil {
		t.Errorf("the digest's signature does not verify: %v", err)
	}
	if len(signed.Chain) != 1 {
		t.Errorf("the answer gives %d issuers, want the intermediate", len(signed.Chain))
	}

	var b bytes.Buffer
	if err := testpdf.Write(&b, testpdf.Options{Pages: 1}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Document string `json:"document"`
	}
	call("POST", "/v1/sign/pdf", map[string]string{"certificateId": id, "name": "līgums.pdf", "document": base64.StdEncoding.EncodeToString(b.Bytes())}, &doc)
	data, _ := base64.StdEncoding.DecodeString(doc.Document)
	rep, err := pdf.Verify(context.Background(), bytes.NewReader(data), int64(len(data)), pdf.VerifyOptions{Roots: s.PKI.Roots()})
	if err != nil || !rep.Valid() {
		t.Fatalf("the agent's PDF: %v %+v", err, rep)
	}
}

// approveAll is a person who approves every question at once.
type approveAll struct{}

func (approveAll) Origin(context.Context, agent.OriginQuestion) (agent.Decision, error) {
	return agent.AllowOnce, nil
}
func (approveAll) Approve(context.Context, agent.Request) error { return nil }
