package ui

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/signet-sign/signet/agent"
	"github.com/signet-sign/signet/flow"
	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/internal/autostart"
	"github.com/signet-sign/signet/internal/config"
	"github.com/signet-sign/signet/internal/pdfcheck"
	"github.com/signet-sign/signet/internal/softhsmtest"
	"github.com/signet-sign/signet/internal/testcard"
	"github.com/signet-sign/signet/internal/testpdf"
	"github.com/signet-sign/signet/internal/testpki"
	"github.com/signet-sign/signet/internal/testtsa"
	"github.com/signet-sign/signet/keys"
	"github.com/signet-sign/signet/pdf"
	"github.com/signet-sign/signet/pkcs11"
	"github.com/signet-sign/signet/prompt"
	"github.com/signet-sign/signet/remote/eparaksts"
	epfake "github.com/signet-sign/signet/remote/eparaksts/fake"
	"github.com/signet-sign/signet/remote/remotesigning/fake"
)

func TestMain(m *testing.M) {
	os.Exit(testcard.Main(func() int { return softhsmtest.Main(m) }))
}

// mapSecrets is the keyring of the tests.
type mapSecrets struct {
	mu sync.Mutex
	m  map[string]string
}

func (s *mapSecrets) Get(service, user string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[service+"/"+user]
	if !ok {
		return "", errors.New("not found")
	}
	return v, nil
}

func (s *mapSecrets) Set(service, user, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]string{}
	}
	s.m[service+"/"+user] = value
	return nil
}

type harness struct {
	t   *testing.T
	env *softhsmtest.Env
	app *App
	dir string
	// link runs the agent in the test (testLink).
	link *testLink
}

// newHarness opens the app on the SoftHSM2 tokens; the modules are loaded
// after setup runs (SoftHSM2 sees tokens added by another process only
// when it initializes).
func newHarness(t *testing.T, settings *config.Config, setup func(env *softhsmtest.Env)) *harness {
	t.Helper()
	return newHarnessWith(t, settings, setup)
}

// newHarnessWith is newHarness with more modules loaded after SoftHSM2's.
func newHarnessWith(t *testing.T, settings *config.Config, setup func(env *softhsmtest.Env), modules ...string) *harness {
	t.Helper()
	env := softhsmtest.Require(t)
	if setup != nil {
		setup(env)
	}
	test.NewTempApp(t)
	mods := flow.LoadModules(append([]string{env.Module}, modules...), nil)
	t.Cleanup(mods.Close)
	if settings == nil {
		settings = &config.Config{}
	}
	link := &testLink{}
	app := New(fyne.CurrentApp(), Config{Modules: mods, Settings: settings, Poll: -1, Secrets: &mapSecrets{},
		Roots: []*x509.Certificate{env.PKI.Root.Cert}, Agent: link})
	t.Cleanup(app.Close)
	app.win.Resize(fyne.NewSize(1280, 760))
	app.tasks.Wait() // the tokens are listed in the background
	// The test goroutine is the UI goroutine: it holds the lock the app's
	// goroutines take for widget changes, and lets them run only while it
	// waits, as a busy main goroutine would.
	app.uiMu.Lock()
	t.Cleanup(func() {
		app.uiMu.Unlock()
		app.tasks.Wait()
	})
	return &harness{t: t, env: env, app: app, dir: t.TempDir(), link: link}
}

// waitFor polls cond until it holds or 20 s pass.
func (h *harness) waitFor(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for %s", what)
		}
		h.app.uiMu.Unlock()
		time.Sleep(20 * time.Millisecond)
		h.app.uiMu.Lock()
	}
}

// receive waits for a value on ch the harness way (letting the app's UI
// work run meanwhile).
func receive[T any](h *harness, what string, ch <-chan T) T {
	h.t.Helper()
	var v T
	h.waitFor(what, func() bool {
		select {
		case v = <-ch:
			return true
		default:
			return false
		}
	})
	return v
}

// docs writes n PDFs and adds them to the list, waiting until read.
func (h *harness) docs(names ...string) []string {
	h.t.Helper()
	var paths []string
	for i, n := range names {
		p := filepath.Join(h.dir, n)
		if strings.HasPrefix(n, "broken") {
			if err := os.WriteFile(p, []byte("%PDF-1.7\nthis is not a PDF body\n"), 0o644); err != nil {
				h.t.Fatal(err)
			}
		} else if err := testpdf.WriteFile(p, testpdf.Options{Pages: i + 1}); err != nil {
			h.t.Fatal(err)
		}
		paths = append(paths, p)
	}
	h.add(paths...)
	return paths
}

// add adds files to the list and waits until every listed one is read.
func (h *harness) add(paths ...string) {
	h.t.Helper()
	h.app.AddFiles(paths)
	h.waitFor("the documents to be read", func() bool {
		for _, e := range h.app.docs.all() {
			h.app.docs.mu.Lock()
			done := e.info != nil
			h.app.docs.mu.Unlock()
			if !done {
				return false
			}
		}
		return true
	})
}

// choose selects the certificate with this object label on this token.
func (h *harness) choose(token, label string) {
	h.t.Helper()
	for i, c := range h.app.signer.all() {
		if c.Token == token && c.Label == label {
			h.app.signer.list.Select(i)
			if got, _ := h.app.signer.chosen(); got.Label != label {
				h.t.Fatalf("chose %q", got.Label)
			}
			return
		}
	}
	h.t.Fatalf("no certificate %q on %q in %v", label, token, h.app.signer.all())
}

// answer waits for a secret dialog and types s into it (Enter submits).
func (h *harness) answer(s string) *secretDialog {
	h.t.Helper()
	return h.answerWith(func() string { return s })
}

// answerWith is answer with what to type known once the dialog shows (a
// code the service sent meanwhile).
func (h *harness) answerWith(s func() string) *secretDialog {
	h.t.Helper()
	sd := h.secretDialog()
	test.Type(sd.entry, s())
	sd.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.waitFor("the dialog to close", func() bool {
		h.app.mu.Lock()
		defer h.app.mu.Unlock()
		return h.app.secretDlg != sd
	})
	if sd.entry.Text != "" {
		h.t.Error("the secret stayed in the entry")
	}
	return sd
}

// off runs f as one of the app's goroutines.
func (h *harness) off(f func()) {
	h.app.uiMu.Unlock()
	defer h.app.uiMu.Lock()
	f()
}

// idle waits until the app's goroutines are done.
func (h *harness) idle() {
	h.app.uiMu.Unlock()
	h.app.tasks.Wait()
	h.app.uiMu.Lock()
}

func (h *harness) results() []resultRow {
	h.t.Helper()
	var rows []resultRow
	h.waitFor("the results", func() bool {
		h.app.mu.Lock()
		defer h.app.mu.Unlock()
		rows = h.app.lastResults
		return rows != nil || h.app.lastError != nil
	})
	h.idle()
	return rows
}

func (h *harness) lastError() error {
	h.app.mu.Lock()
	defer h.app.mu.Unlock()
	return h.app.lastError
}

func TestSignWithToken(t *testing.T) {
	h := newHarness(t, nil, nil)
	paths := h.docs("līgums.pdf")
	if got := describeDocument(h.app.docs.entry(0)).details; got != "1 page · "+humanSize(fileSize(t, paths[0]))+" · not signed" {
		t.Errorf("row says %q", got)
	}
	if h.app.signBtn.Text != "Sign 1 document" || h.app.signBtn.Disabled() {
		t.Errorf("button %q disabled=%v", h.app.signBtn.Text, h.app.signBtn.Disabled())
	}
	h.choose(softhsmtest.MainToken, "P-256 signing")
	test.Tap(h.app.signBtn)
	sd := h.answer(softhsmtest.PIN)
	if sd.title != "PIN" || !strings.Contains(secretExplanation(sd.req), `token “signet-test”`) || !strings.Contains(secretExplanation(sd.req), "Zoë Ørsted") {
		t.Errorf("PIN dialog %q: %q", sd.title, secretExplanation(sd.req))
	}
	// The PIN dialog tells this key from the person's others.
	if want := "Zoë Ørsted (signing certificate, issued by Signet Test Intermediate CA, valid until"; !strings.Contains(secretExplanation(sd.req), want) {
		t.Errorf("PIN dialog %q lacks %q", secretExplanation(sd.req), want)
	}
	rows := h.results()
	if len(rows) != 1 || rows[0].Err != nil || !rows[0].OK || rows[0].Verdict != "1 signature, valid, not fully checked" {
		t.Fatalf("results %+v (error %v)", rows, h.lastError())
	}
	out := filepath.Join(h.dir, "līgums-signed.pdf")
	if rows[0].Output != out {
		t.Errorf("output %s", rows[0].Output)
	}
	pdfcheck.New(t, h.env.PKI).Check(t, out, 1)
	if h.app.signBtn.Disabled() {
		t.Error("the button stays disabled after signing")
	}

	t.Run("ok the report of the signed copy", func(t *testing.T) {
		h.app.AddFiles([]string{out})
		h.waitFor("the signed copy to be read", func() bool {
			e := h.app.docs.entry(1)
			h.app.docs.mu.Lock()
			defer h.app.docs.mu.Unlock()
			return e != nil && e.info != nil
		})
		e := h.app.docs.entry(1)
		if got := describeDocument(e).details; !strings.HasSuffix(got, "1 signature, valid, not fully checked") {
			t.Errorf("row says %q", got)
		}
		h.app.showReport(e)
		markup := texts(h.app.report)
		for _, want := range []string{"No signature failed, but not everything could be checked", "Zoë Ørsted — valid, not fully checked", "document digest", "PAdES B-B"} {
			if !strings.Contains(markup, want) {
				t.Errorf("report lacks %q", want)
			}
		}
	})
	t.Run("fail existing output is not replaced without asking", func(t *testing.T) {
		before, _ := os.ReadFile(out)
		h.app.mu.Lock()
		h.app.lastResults = nil
		h.app.mu.Unlock()
		h.app.docs.list.Select(1)
		h.app.docs.removeSelected() // keep only līgums.pdf
		test.Tap(h.app.signBtn)
		// A confirmation dialog is up; nothing signs until it is answered.
		time.Sleep(100 * time.Millisecond)
		if h.app.isBusy() {
			t.Fatal("signing started without asking")
		}
		after, _ := os.ReadFile(out)
		if string(before) != string(after) {
			t.Fatal("the output changed")
		}
		// issue 31, 15: the question in words (no "exist(s)"), and a No
		// that says what happened.
		var said []string
		var no *widget.Button
		for _, o := range test.LaidOutObjects(h.app.win.Canvas().Overlays().Top()) {
			switch w := o.(type) {
			case *widget.Label:
				said = append(said, w.Text)
			case *widget.Button:
				if w.Text == "No" {
					no = w
				}
			}
		}
		if want := "līgums-signed.pdf exists already. Replace it?"; !slices.Contains(said, want) || no == nil {
			t.Fatalf("the question says %q, want %q and a No", said, want)
		}
		test.Tap(no)
		if got := h.app.status.Text; got != i18n.T("ui.status.kept_existing") {
			t.Errorf("after No the status says %q", got)
		}
	})
}

// TestAuthenticationKeySignsNothing: an eID card's authentication key
// can be looked at but not picked to sign documents: the button says so.
// Were it reached anyway, signing refuses it before any PIN.
func TestAuthenticationKeySignsNothing(t *testing.T) {
	h := newHarness(t, nil, nil)
	h.docs("a.pdf")
	h.choose(softhsmtest.MainToken, "RSA-3072 authentication")
	if !h.app.signBtn.Disabled() || h.app.signBtn.Text != "Not a signing certificate" {
		t.Errorf("button %q disabled=%v", h.app.signBtn.Text, h.app.signBtn.Disabled())
	}
	h.choose(softhsmtest.MainToken, "RSA-2048 signing")
	if h.app.signBtn.Disabled() || h.app.signBtn.Text != "Sign 1 document" {
		t.Errorf("button %q disabled=%v", h.app.signBtn.Text, h.app.signBtn.Disabled())
	}
	var auth flow.KeyChoice
	for _, c := range h.app.signer.all() {
		if c.Label == "RSA-3072 authentication" {
			auth = c
		}
	}
	_, err := h.app.signWith(context.Background(), signRequest{key: auth, jobs: []flow.Job{{Input: filepath.Join(h.dir, "a.pdf"), Output: filepath.Join(h.dir, "a-signed.pdf")}}}, nil)
	if !errors.Is(err, keys.ErrNotForSigning) {
		t.Fatalf("signing with it: %v, want ErrNotForSigning", err)
	}
	h.app.mu.Lock()
	asked := h.app.secretDlg != nil
	h.app.mu.Unlock()
	if asked {
		t.Error("a PIN was asked")
	}
	if _, err := os.Stat(filepath.Join(h.dir, "a-signed.pdf")); !os.IsNotExist(err) {
		t.Error("a file was written")
	}
}

func fileSize(t *testing.T, p string) int64 {
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

func TestWrongPIN(t *testing.T) {
	const token = "signet-ui-pin"
	h := newHarness(t, nil, func(env *softhsmtest.Env) {
		if err := env.AddToken(t.TempDir(), token, softhsmtest.KeySpec{ID: []byte{1}, Label: "eID", Alg: testpki.P256, Profile: testpki.Signing, CN: "Anna Bērziņa"}); err != nil {
			t.Fatal(err)
		}
	})
	t.Cleanup(func() { _ = h.env.RemoveToken(token) })
	h.docs("a.pdf")
	h.choose(token, "eID")
	test.Tap(h.app.signBtn)
	first := h.answer("000000")
	if first.warning != "" {
		t.Errorf("first prompt warns %q", first.warning)
	}
	h.waitFor("the error", func() bool { return h.lastError() != nil })
	h.idle()
	err := h.lastError()
	var pinErr *pkcs11.PINError
	if !errors.As(err, &pinErr) || !strings.Contains(err.Error(), "tries") {
		t.Fatalf("error %v", err)
	}
	if _, statErr := os.Stat(filepath.Join(h.dir, "a-signed.pdf")); !os.IsNotExist(statErr) {
		t.Error("output written after a wrong PIN")
	}
	// The next prompt says a wrong PIN was counted.
	h.app.mu.Lock()
	h.app.lastError = nil
	h.app.mu.Unlock()
	test.Tap(h.app.signBtn)
	second := h.answer(softhsmtest.PIN)
	if second.warning != "A wrong PIN was entered before; few tries remain." {
		t.Errorf("second prompt warns %q", second.warning)
	}
	if rows := h.results(); len(rows) != 1 || rows[0].Err != nil {
		t.Fatalf("results %+v, error %v", rows, h.lastError())
	}
}

func TestTokenRemoval(t *testing.T) {
	const token = "signet-ui-card"
	h := newHarness(t, nil, func(env *softhsmtest.Env) {
		if err := env.AddToken(t.TempDir(), token, softhsmtest.KeySpec{ID: []byte{1}, Label: "card", Alg: testpki.P256, Profile: testpki.Signing, CN: "Card Holder"}); err != nil {
			t.Fatal(err)
		}
	})
	has := func() bool {
		for _, c := range h.app.signer.all() {
			if c.Token == token {
				return true
			}
		}
		return false
	}
	if !has() {
		t.Fatal("the card is not listed")
	}
	n := h.app.signer.list.Length()
	h.choose(token, "card")
	if err := h.env.RemoveToken(token); err != nil {
		t.Fatal(err)
	}
	h.off(h.app.signer.refresh) // as the token watcher does
	if has() || h.app.signer.list.Length() != n-1 {
		t.Fatalf("after removal: %d rows, card listed %v", h.app.signer.list.Length(), has())
	}
	if c, ok := h.app.signer.chosen(); ok && c.Token == token {
		t.Error("the removed card stays chosen")
	}
	if h.app.signer.list.Length() == 0 {
		t.Error("the other tokens went too")
	}
}

// TestBatchWithBrokenPDF (issue 31, 7): signing all leaves out what it
// should not take (here a file that cannot be read) and says which and why
// before the PIN; a selected document is what is signed, alone, even one
// signed already (a second signature).
func TestBatchWithBrokenPDF(t *testing.T) {
	h := newHarness(t, nil, nil)
	h.docs("one.pdf", "broken.pdf", "three.pdf")
	if got := describeDocument(h.app.docs.entry(1)).details; !strings.HasPrefix(got, "cannot be read: ") {
		t.Errorf("broken row says %q", got)
	}
	if h.app.signBtn.Text != "Sign 2 documents" {
		t.Errorf("button %q", h.app.signBtn.Text)
	}
	h.choose(softhsmtest.MainToken, "RSA-2048 signing")
	test.Tap(h.app.signBtn)
	ask := h.app.win.Canvas().Overlays().Top()
	if said := allTexts(ask); !strings.Contains(said, "• broken.pdf — cannot be read") || !strings.Contains(said, "Sign the other 2 documents?") {
		t.Fatalf("the skip is not said:\n%s", said)
	}
	test.Tap(findButton(ask, "Yes"))
	h.answer(softhsmtest.PIN)
	rows := h.results()
	if len(rows) != 2 || !rows[0].OK || !rows[1].OK || filepath.Base(rows[0].Input) != "one.pdf" || filepath.Base(rows[1].Input) != "three.pdf" {
		t.Fatalf("rows %+v", rows)
	}
	if got := h.app.status.Text; got != "2 of 2 signed" {
		t.Errorf("status %q", got)
	}
	h.app.win.Canvas().Overlays().Top().Hide()

	// The signed copy on the list, selected: it alone is signed again.
	h.add(rows[0].Output)
	h.app.docs.list.Select(3)
	if h.app.signBtn.Text != "Sign 1 document" {
		t.Errorf("button %q with one selected", h.app.signBtn.Text)
	}
	h.app.mu.Lock()
	h.app.lastResults = nil
	h.app.mu.Unlock()
	test.Tap(h.app.signBtn)
	h.answer(softhsmtest.PIN)
	rows = h.results()
	if len(rows) != 1 || !rows[0].OK || filepath.Base(rows[0].Output) != "one-signed-signed.pdf" || !strings.HasPrefix(rows[0].Verdict, "2 signatures") {
		t.Fatalf("rows %+v (%v)", rows, h.lastError())
	}
}

func TestVisibleSignaturePlacement(t *testing.T) {
	h := newHarness(t, nil, nil)
	h.docs("visible.pdf")
	h.app.options.visible.SetChecked(true)
	h.app.options.showPlacement()
	h.app.mu.Lock()
	v := h.app.placement
	h.app.mu.Unlock()
	if v == nil || v.placer == nil {
		t.Fatal("no placement view")
	}
	v.placer.Resize(fyne.NewSize(595, 842)) // 1 px = 1 pt
	v.placer.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(300, 700)}, Dragged: fyne.NewDelta(200, 60)})
	v.placer.DragEnd()
	want := [4]float64{100, 142, 300, 202}
	for i := range want {
		if d := v.placer.Rect[i] - want[i]; d > 1 || d < -1 {
			t.Fatalf("rect %v, want %v", v.placer.Rect, want)
		}
	}
	v.dialog.Confirm()
	if !strings.Contains(h.app.options.where.Text, "200×60 pt") {
		t.Errorf("placement says %q", h.app.options.where.Text)
	}
	h.choose(softhsmtest.MainToken, "P-256 signing")
	test.Tap(h.app.signBtn)
	h.answer(softhsmtest.PIN)
	rows := h.results()
	if len(rows) != 1 || rows[0].Err != nil {
		t.Fatalf("%+v %v", rows, h.lastError())
	}
	text, err := pdfcheck.PageText(rows[0].Output, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "Zoë Ørsted") {
		t.Errorf("page 1 does not show the signer: %q", text)
	}
}

func TestRemoteSigningOTP(t *testing.T) {
	env, err := fake.StartEnv("rp", "rp-pass", "RP")
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	pki, tsa, srv := env.PKI, env.TSA, env.Server
	ag, err := fake.NewAgreement(pki, "Lê Thị Hoa", "1")
	if err != nil {
		t.Fatal(err)
	}
	srv.Add("ag-ui", ag)
	// The provider's CA certificates, as a person installs them.
	anchors := filepath.Join(t.TempDir(), "provider-ca.pem")
	pemData := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: pki.Root.Cert.Raw}),
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: pki.Intermediate.Cert.Raw})...)
	if err := os.WriteFile(anchors, pemData, 0o644); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, &config.Config{RemoteSigningURL: srv.URL, RemoteSigningAgreement: "ag-ui", TSAURL: tsa.URL,
		TrustAnchors: []string{anchors}}, nil)
	sec := h.app.cfg.Secrets
	_ = sec.Set(keyringRemoteSigning, "username", "rp")
	_ = sec.Set(keyringRemoteSigning, "password", "rp-pass")
	_ = sec.Set(keyringRemoteSigning, "rp-code", "RP")
	h.docs("hợp đồng.pdf")
	h.app.signer.method.SetSelected(methodRemoteSigning())
	h.app.signer.remote.authMode.SetSelectedIndex(1) // one-time code by SMS
	h.app.options.level.SetSelected(levelBT())
	test.Tap(h.app.signBtn)
	first := h.answer("000000")
	if first.title != "One-time code" || first.warning != "" {
		t.Errorf("first OTP dialog %q warns %q", first.title, first.warning)
	}
	second := h.answer(srv.LastOTP())
	if second.warning != "2 tries remaining." {
		t.Errorf("second OTP dialog warns %q", second.warning)
	}
	rows := h.results()
	if len(rows) != 1 || rows[0].Err != nil || !strings.HasSuffix(rows[0].Verdict, "valid, not fully checked") {
		t.Fatalf("%+v %v", rows, h.lastError())
	}
}

// TestSettingsAutostart: the Agent tab's switch writes the XDG autostart
// entry that runs the agent at login, and takes it away; a temporary
// build (make run) is refused, saying why.
func TestSettingsAutostart(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	h := newHarness(t, nil, nil)
	h.app.cfg.SettingsPath = filepath.Join(t.TempDir(), "config.toml")
	executable = func() (string, error) { return "/usr/bin/signet", nil }
	defer func() { executable = os.Executable }()
	h.app.showSettings()
	h.app.mu.Lock()
	v := h.app.settings
	h.app.mu.Unlock()
	if v.autostart.Checked {
		t.Fatal("the switch is on with no entry")
	}
	v.autostart.SetChecked(true)
	if err := h.app.saveSettings(v); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "autostart", autostart.FileName))
	if err != nil || !strings.Contains(string(data), "\nExec=/usr/bin/signet agent\n") {
		t.Fatalf("entry: %v\n%s", err, data)
	}
	v.autostart.SetChecked(false)
	if err := h.app.saveSettings(v); err != nil || autostart.Installed() {
		t.Fatalf("off: %v, installed %v", err, autostart.Installed())
	}
	executable = func() (string, error) { return filepath.Join(os.TempDir(), "go-build1", "exe", "signet"), nil }
	v.autostart.SetChecked(true)
	if err := h.app.saveSettings(v); err == nil || !strings.Contains(err.Error(), "in the temporary directory") || autostart.Installed() {
		t.Errorf("a temporary build: %v", err)
	}
}

func TestSettingsSaved(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	h := newHarness(t, nil, nil)
	h.app.cfg.SettingsPath = path
	h.app.showSettings()
	h.app.mu.Lock()
	v := h.app.settings
	h.app.mu.Unlock()
	v.tsa.SetText("http://tsa.example/")
	v.suffix.SetText("-parakstīts")
	v.rsPass.SetText("s3cret")
	if err := h.app.saveSettings(v); err != nil {
		t.Fatal(err)
	}
	got, err := config.Load(path)
	if err != nil || got.TSAURL != "http://tsa.example/" || got.OutputSuffix != "-parakstīts" {
		t.Fatalf("%+v %v", got, err)
	}
	data, _ := os.ReadFile(path)
	if strings.Contains(string(data), "s3cret") {
		t.Error("a secret went into the settings file")
	}
	if s, _ := h.app.cfg.Secrets.Get(keyringRemoteSigning, "password"); s != "s3cret" {
		t.Errorf("keyring holds %q", s)
	}
	v.trust.SetText("/nonexistent/root.pem")
	if err := h.app.saveSettings(v); err == nil || !strings.Contains(err.Error(), "trust anchors") {
		t.Errorf("err = %v", err)
	}
}

func TestErrorsInWords(t *testing.T) {
	h := newHarness(t, nil, nil)
	cases := []struct {
		err       error
		want      []string
		wantShown bool
	}{
		{&pkcs11.PINError{Token: "eID", Status: pkcs11.PINStatus{FinalTry: true}}, []string{"What to do: One more wrong PIN locks it"}, true},
		{fmt.Errorf("open: %w", flow.ErrOutputExists), []string{"Output file exists.", "Details: open: output file exists", "What to do: Choose another output name"}, true},
		{fmt.Errorf("x: %w", prompt.ErrCancelled), nil, false},
	}
	for _, tc := range cases {
		h.app.mu.Lock()
		h.app.lastError = nil
		h.app.mu.Unlock()
		h.app.showError("Title", tc.err)
		if shown := h.lastError() != nil; shown != tc.wantShown {
			t.Errorf("%v shown: %v", tc.err, shown)
			continue
		}
		markup := texts(h.app.errorContent(tc.err))
		for _, w := range tc.want {
			if !strings.Contains(markup, w) {
				t.Errorf("%v: no %q in %s", tc.err, w, markup)
			}
		}
	}
}

// texts is the text a person reads in o: labels and card titles, one per
// line.
func texts(o fyne.CanvasObject) string {
	var b strings.Builder
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch w := o.(type) {
		case *fyne.Container:
			for _, c := range w.Objects {
				walk(c)
			}
		case *container.Scroll:
			walk(w.Content)
		case *widget.Label:
			b.WriteString(w.Text + "\n")
		case *widget.Card:
			b.WriteString(w.Title + "\n" + w.Subtitle + "\n")
			walk(w.Content)
		}
	}
	walk(o)
	return b.String()
}

func TestStopAfterThisDocument(t *testing.T) {
	h := newHarness(t, nil, nil)
	h.docs("a.pdf", "b.pdf", "c.pdf")
	// An eID key: a signature PIN before every document.
	h.choose(softhsmtest.MainToken, "P-256 eID signature")
	test.Tap(h.app.signBtn)
	h.answer(softhsmtest.PIN) // token login
	h.answer(softhsmtest.PIN) // signature PIN, a.pdf
	var sd *secretDialog
	h.waitFor("the signature PIN of b.pdf", func() bool {
		h.app.mu.Lock()
		defer h.app.mu.Unlock()
		sd = h.app.secretDlg
		return sd != nil && sd.req.Kind == prompt.SignaturePIN
	})
	h.app.mu.Lock()
	pv := h.app.progress
	h.app.mu.Unlock()
	test.Tap(pv.stop) // b.pdf still gets signed; c.pdf is not started
	if !pv.stop.Disabled() || !strings.Contains(pv.current.Text, "Stopping") {
		t.Errorf("stop button: disabled=%v, %q", pv.stop.Disabled(), pv.current.Text)
	}
	h.answer(softhsmtest.PIN)
	rows := h.results()
	if len(rows) != 3 || rows[0].Err != nil || rows[1].Err != nil || !errors.Is(rows[2].Err, flow.ErrStopRequested) {
		t.Fatalf("rows %+v", rows)
	}
	if _, err := os.Stat(filepath.Join(h.dir, "c-signed.pdf")); !os.IsNotExist(err) {
		t.Error("c.pdf was signed after the stop")
	}
}

func TestEParaksts(t *testing.T) {
	env := softhsmtest.Require(t)
	tsa, err := testtsa.Start(env.PKI)
	if err != nil {
		t.Fatal(err)
	}
	defer tsa.Close()
	srv, err := epfake.Start("ui-id", "ui-secret", []*x509.Certificate{env.PKI.Intermediate.Cert}, &pdf.TSAClient{URL: tsa.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	h := newHarness(t, &config.Config{EParakstsProfile: "prep"}, nil)
	h.app.cfg.EParaksts = &eparaksts.Endpoints{API: srv.URL, Auth: srv.URL}
	_ = h.app.cfg.Secrets.Set(keyringEParaksts, "client-id", "ui-id")
	_ = h.app.cfg.Secrets.Set(keyringEParaksts, "client-secret", "ui-secret")
	h.docs("iesniegums.pdf")
	h.app.signer.method.SetSelected(methodEParaksts())
	if h.app.options.levelBox.Visible() {
		t.Error("the level is offered though eParaksts sets it")
	}
	h.choose(softhsmtest.MainToken, "RSA-2048 signing")
	test.Tap(h.app.signBtn)
	var d *dialog.ConfirmDialog
	h.waitFor("the digests to confirm", func() bool {
		h.app.mu.Lock()
		defer h.app.mu.Unlock()
		d = h.app.confirmDlg
		return d != nil
	})
	d.Confirm()
	h.answer(softhsmtest.PIN)
	rows := h.results()
	if len(rows) != 1 || rows[0].Err != nil || rows[0].Verdict != "1 signature, valid, not fully checked" {
		t.Fatalf("rows %+v, error %v", rows, h.lastError())
	}
}

func TestAgentConsentInTheApp(t *testing.T) {
	h := newHarness(t, &config.Config{Agent: true, AgentPort: -1}, nil)
	srv := h.startedAgent()
	const origin = "https://portal.example.lv"
	cert := h.env.Cert(softhsmtest.MainToken, "P-256 signing")
	sum := sha256.Sum256(cert.Raw)
	digest := sha256.Sum256([]byte("to be signed"))
	body, _ := json.Marshal(map[string]any{"certificateId": hex.EncodeToString(sum[:]),
		"digest": base64.StdEncoding.EncodeToString(digest[:]), "algorithm": "SHA-256"})
	post := func() chan *http.Response { return h.agentPost(srv, origin, body) }
	wait := func(ch chan *http.Response) *http.Response { return receive(h, "the agent's answer", ch) }
	approval := func() *approvalDialog {
		var d *approvalDialog
		h.waitFor("the approval dialog", func() bool {
			h.app.mu.Lock()
			defer h.app.mu.Unlock()
			d = h.app.approveDlg
			return d != nil
		})
		return d
	}

	res := post()
	var od *originDialog
	h.waitFor("the question about the site", func() bool {
		h.app.mu.Lock()
		defer h.app.mu.Unlock()
		od = h.app.originDlg
		return od != nil
	})
	if od.origin != origin {
		t.Errorf("asked about %q", od.origin)
	}
	od.answer(agent.AllowAlways)
	// A digest shows nothing of what is signed: the site is asked for
	// that separately, with its own warning (issue 26, 6).
	h.waitFor("the question about signing data Signet cannot show", func() bool {
		h.app.mu.Lock()
		defer h.app.mu.Unlock()
		od = h.app.originDlg
		return od != nil && od.permission == agent.PermissionDigests
	})
	if _, ok := od.buttons[agent.Silence]; ok {
		t.Error("the digest question offers to silence the site")
	}
	od.answer(agent.AllowAlways)
	approval().Confirm()
	h.answer(softhsmtest.PIN)
	resp := wait(res)
	var out map[string]string
	_ = json.NewDecoder(resp.Body).Decode(&out)
	resp.Body.Close()
	sig, _ := base64.StdEncoding.DecodeString(out["signature"])
	if resp.StatusCode != 200 || !ecdsa.VerifyASN1(cert.PublicKey.(*ecdsa.PublicKey), digest[:], sig) {
		t.Fatalf("%d %v", resp.StatusCode, out)
	}
	h.waitFor("the site to be remembered", func() bool {
		return slices.Contains(h.app.cfg.Settings.AgentOrigins, origin) && slices.Contains(h.app.cfg.Settings.AgentDigestOrigins, origin)
	})

	// The site is known now; the next signing is declined in the app.
	res = post()
	approval().Dismiss()
	resp = wait(res)
	_ = json.NewDecoder(resp.Body).Decode(&out)
	resp.Body.Close()
	if resp.StatusCode != 403 || out["code"] != agent.CodeUserDeclined {
		t.Fatalf("%d %v", resp.StatusCode, out)
	}
}

// TestSignAsContainer: a PDF and a text file signed as one container
// with the token; the container on the list shows its files and its
// signature; signed again, it gets a second signature beside the first.
func TestSignAsContainer(t *testing.T) {
	h := newHarness(t, nil, nil)
	paths := h.docs("līgums.pdf")
	notes := filepath.Join(h.dir, "piezīmes.txt")
	if err := os.WriteFile(notes, []byte("Apstiprinu."), 0o644); err != nil {
		t.Fatal(err)
	}
	h.add(notes)
	if got := describeDocument(h.app.docs.entry(1)).details; !strings.Contains(got, "not a PDF") {
		t.Errorf("the text file's row says %q", got)
	}
	// Extending for the archive is offered for the PDF, not the text file.
	h.app.docs.list.Select(1)
	if !h.app.docs.extendBtn.Disabled() {
		t.Error("extending is offered for a text file")
	}
	h.app.docs.list.Select(0)
	if h.app.docs.extendBtn.Disabled() {
		t.Error("extending is not offered for a PDF")
	}
	h.app.docs.list.UnselectAll()
	h.app.options.asContainer.SetChecked(true)
	h.choose(softhsmtest.MainToken, "P-256 signing")
	test.Tap(h.app.signBtn)
	h.answer(softhsmtest.PIN)
	rows := h.results()
	out := filepath.Join(h.dir, "līgums-signed.edoc")
	if len(rows) != 1 || !rows[0].OK || rows[0].Output != out || rows[0].Verdict != "2 files · 1 signature, valid, not fully checked" {
		t.Fatalf("results %+v (error %v)", rows, h.lastError())
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	pdfcheck.XmlsecContainer(t, data, 3)

	// The container on the list: its files and signature in the report.
	h.app.docs.list.Select(1)
	h.app.docs.removeSelected()
	h.app.docs.list.Select(0)
	h.app.docs.removeSelected()
	h.add(out)
	e := h.app.docs.entry(0)
	if got := describeDocument(e).details; !strings.HasSuffix(got, "2 files · 1 signature, valid, not fully checked") {
		t.Errorf("the container's row says %q", got)
	}
	h.app.docs.list.Select(0)
	if h.app.docs.extendBtn.Disabled() {
		t.Error("extending is not offered for a container")
	}
	h.app.docs.list.UnselectAll()
	h.app.showReport(e)
	markup := texts(h.app.report)
	for _, want := range []string{"No signature failed, but not everything could be checked", "Files: līgums.pdf, piezīmes.txt", "Zoë Ørsted — valid, not fully checked", "XAdES B-B", "references", "manifest"} {
		if !strings.Contains(markup, want) {
			t.Errorf("report lacks %q:\n%s", want, markup)
		}
	}
	// A container's signature is XAdES, not "PAdES XAdES" (issue 31, 4).
	if strings.Contains(markup, "PAdES") {
		t.Errorf("a container's report speaks of PAdES:\n%s", markup)
	}

	// Signed again, selected (signing all leaves containers out): a
	// second signature, the first kept.
	h.app.mu.Lock()
	h.app.lastResults = nil
	h.app.mu.Unlock()
	h.app.docs.list.Select(0)
	test.Tap(h.app.signBtn)
	h.answer(softhsmtest.PIN)
	rows = h.results()
	if len(rows) != 1 || !rows[0].OK || rows[0].Output != filepath.Join(h.dir, "līgums-signed-signed.edoc") || rows[0].Verdict != "2 files · 2 signatures, valid, not fully checked" {
		t.Fatalf("results %+v (error %v)", rows, h.lastError())
	}
	if _, err := os.Stat(paths[0]); err != nil {
		t.Error(err)
	}
}

func TestPDFsInFolder(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"b.pdf", "A.PDF", "notes.txt", "c.edoc"} {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "sub.pdf"), 0o755); err != nil {
		t.Fatal(err)
	}
	got, err := pdfsIn(dir)
	if err != nil || len(got) != 3 || filepath.Base(got[0]) != "A.PDF" || filepath.Base(got[1]) != "b.pdf" || filepath.Base(got[2]) != "c.edoc" {
		t.Errorf("%v %v", got, err)
	}
	if _, err := pdfsIn(filepath.Join(dir, "none")); err == nil {
		t.Error("no error for a missing folder")
	}
}

func TestPinpadNotice(t *testing.T) {
	h := newHarness(t, nil, nil)
	overlays := func() int { return len(h.app.win.Canvas().Overlays().List()) }
	before := overlays()
	var done func()
	h.off(func() {
		done = h.app.prompter.Pinpad(context.Background(), prompt.Request{Kind: prompt.TokenPIN, Token: "eID", TriesLeft: 1})
	})
	if overlays() != before+1 {
		t.Fatalf("%d overlays, want a notice", overlays())
	}
	var notice string
	for _, o := range test.LaidOutObjects(h.app.win.Canvas().Overlays().Top()) {
		if l, ok := o.(*widget.Label); ok {
			notice += l.Text + "\n"
		}
	}
	if !strings.Contains(notice, "Enter the PIN of token “eID” on the card reader's keypad.") || !strings.Contains(notice, "This is the final try") {
		t.Errorf("notice says %q", notice)
	}
	h.off(done)
	if overlays() != before {
		t.Error("the notice stays after the reader answered")
	}
}

// TestApprovalShowsTheDocument renders a PDF approval as a web page's
// request reaches it: the name made safe, pages, size, SHA-256, reason,
// location, the visible text, and previews of the first page and of the
// page the signature goes on.
func TestApprovalShowsTheDocument(t *testing.T) {
	pdfcheck.Require(t, "pdftoppm")
	h := newHarness(t, nil, nil)
	var doc bytes.Buffer
	if err := testpdf.Write(&doc, testpdf.Options{Pages: 3}); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(doc.Bytes())
	name := agent.DisplayName("invoice.pdf\n• (content verified by Signet ✔)\u202e")
	req := agent.Request{Origin: "https://shop.example", Documents: []string{name}, Purpose: keys.PurposeSigning, Token: "eID",
		PDFs:   []agent.Document{{Name: name, Pages: 3, Size: int64(doc.Len()), SHA256: hex.EncodeToString(sum[:]), Data: doc.Bytes(), SignaturePage: 3}},
		Reason: "I agree to transfer 1,000,000 EUR", Location: "Rīga", Level: "B-B",
		Visible: &agent.Visible{Lines: []string{"APPROVED: pay 1,000,000 EUR"}}}
	done := make(chan error, 1)
	go func() { done <- agentConsent{h.app}.Approve(context.Background(), req) }()
	var content fyne.CanvasObject
	h.waitFor("the approval", func() bool {
		h.app.mu.Lock()
		defer h.app.mu.Unlock()
		content = h.app.approveContent
		return h.app.approveDlg != nil
	})
	text := texts(content)
	for _, want := range []string{
		"https://shop.example asks you to sign a document",
		"named by the page “invoice.pdf • (content verified by Signet ✔)”",
		"read by Signet: 3 pages · " + humanSize(int64(doc.Len())) + " · SHA-256 " + hex.EncodeToString(sum[:]),
		"the signature goes on page 3 of 3",
		"reason “I agree to transfer 1,000,000 EUR”", "location “Rīga”", "level B-B",
		"visible", "text “APPROVED: pay 1,000,000 EUR”", "page 1", "page 3",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the approval lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "\u202e") || strings.Contains(text, "pdf\n•") {
		t.Errorf("the name was shown as the page sent it:\n%s", text)
	}
	images := 0
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch w := o.(type) {
		case *fyne.Container:
			for _, c := range w.Objects {
				walk(c)
			}
		case *canvas.Image:
			if w.Image != nil && w.Image.Bounds().Dx() > 100 {
				images++
			}
		}
	}
	walk(content)
	if images != 2 {
		t.Errorf("%d page previews, want 2 (first page, signature page)", images)
	}
	h.app.mu.Lock()
	d := h.app.approveDlg
	h.app.mu.Unlock()
	d.Dismiss()
	if err := receive(h, "the answer", done); !errors.Is(err, errDeclined) {
		t.Errorf("declined: %v", err)
	}
}

// agentPost sends a digest signing request to the app's agent from a
// page of origin; the answer comes on the channel.
func (h *harness) agentPost(srv *agent.Server, origin string, body []byte) chan *http.Response {
	out := make(chan *http.Response, 1)
	go func() {
		req, _ := http.NewRequest("POST", srv.URL()+"/v1/sign/digest", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", origin)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			h.t.Error(err)
		}
		out <- resp
	}()
	return out
}

// TestTwoPagesTwoTokens: two pages ask at once, each for a key on another
// token. The person sees one question at a time and answers each as it
// comes (the first page's yes, the second's no); each answer reaches its
// own request.
func TestTwoPagesTwoTokens(t *testing.T) {
	const siteA, siteB = "https://a.example", "https://b.example"
	h := newHarness(t, &config.Config{Agent: true, AgentPort: -1, AgentOrigins: []string{siteA, siteB}, AgentDigestOrigins: []string{siteA, siteB}}, nil)
	srv := h.startedAgent()
	certA := h.env.Cert(softhsmtest.MainToken, "P-256 signing")
	certB := h.env.Cert(softhsmtest.SecondToken, "P-256 signing")
	send := func(origin string, cert *x509.Certificate, text string) chan *http.Response {
		sum := sha256.Sum256(cert.Raw)
		digest := sha256.Sum256([]byte(text))
		body, _ := json.Marshal(map[string]any{"certificateId": hex.EncodeToString(sum[:]),
			"digest": base64.StdEncoding.EncodeToString(digest[:]), "algorithm": "SHA-256"})
		return h.agentPost(srv, origin, body)
	}
	resA, resB := send(siteA, certA, "from A"), send(siteB, certB, "from B")

	// Answer questions as they come: approvals by what they show, the
	// PIN for the approved one. Never two at once.
	approved, declined, pins := 0, 0, 0
	for approved+declined < 2 || pins < 1 {
		var appr *approvalDialog
		var content fyne.CanvasObject
		var secret *secretDialog
		h.waitFor("a question", func() bool {
			h.app.mu.Lock()
			defer h.app.mu.Unlock()
			appr, content, secret = h.app.approveDlg, h.app.approveContent, h.app.secretDlg
			return appr != nil || secret != nil
		})
		if appr != nil && secret != nil {
			t.Fatal("two questions at once")
		}
		if secret != nil {
			if !strings.Contains(secretExplanation(secret.req), certA.Subject.CommonName) {
				t.Fatalf("a PIN asked for %q", secretExplanation(secret.req))
			}
			h.answer(softhsmtest.PIN)
			pins++
			continue
		}
		switch text := texts(content); {
		case strings.Contains(text, siteA) && strings.Contains(text, certA.Subject.CommonName):
			appr.Confirm()
			approved++
		case strings.Contains(text, siteB) && strings.Contains(text, certB.Subject.CommonName):
			appr.Dismiss()
			declined++
		default:
			t.Fatalf("an approval shows %q", text)
		}
		h.waitFor("the approval to close", func() bool {
			h.app.mu.Lock()
			defer h.app.mu.Unlock()
			return h.app.approveDlg != appr
		})
	}
	read := func(ch chan *http.Response) (int, map[string]any) {
		resp := receive(h, "an answer", ch)
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		return resp.StatusCode, out
	}
	codeA, outA := read(resA)
	codeB, outB := read(resB)
	digestA := sha256.Sum256([]byte("from A"))
	sigA, _ := base64.StdEncoding.DecodeString(fmt.Sprint(outA["signature"]))
	if codeA != 200 || !ecdsa.VerifyASN1(certA.PublicKey.(*ecdsa.PublicKey), digestA[:], sigA) {
		t.Errorf("the approved page: %d %v", codeA, outA)
	}
	if codeB != 403 || outB["code"] != agent.CodeUserDeclined {
		t.Errorf("the declined page: %d %v", codeB, outB)
	}
}

// TestLoginApprovalSaysLogin: a page's login request is put to the person
// as a login, never as a signature.
func TestLoginApprovalSaysLogin(t *testing.T) {
	pki, err := testpki.New()
	if err != nil {
		t.Fatal(err)
	}
	e, err := pki.NewEntity(testpki.P256, testpki.Authentication, "Anna Bērziņa", testpki.IssueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	text := approvalText(agent.Request{Origin: "https://bank.example", Login: true,
		Purpose: keys.PurposeAuthentication, Certificate: e.Cert, Token: "eID"})
	for _, want := range []string{"https://bank.example asks you to log in as you", "authentication certificate", "valid for https://bank.example only"} {
		if !strings.Contains(text, want) {
			t.Errorf("%q lacks %q", text, want)
		}
	}
	if strings.Contains(text, "asks you to sign") {
		t.Errorf("a login put as a signature: %q", text)
	}
}

// TestSettingsAgentPort (issue 31, 5): the Agent tab has the port; a
// number that is not a port is refused before anything is written, in
// words; a port is saved, and the default is kept as "default".
func TestSettingsAgentPort(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	h := newHarness(t, nil, nil)
	h.app.cfg.SettingsPath = path
	h.app.showSettings()
	v := h.app.settings
	if v.agentPort.PlaceHolder != "27413" {
		t.Errorf("the port's placeholder %q", v.agentPort.PlaceHolder)
	}
	v.agentPort.SetText("70000")
	if err := h.app.saveSettings(v); err == nil || !strings.Contains(err.Error(), "1 to 65535") {
		t.Errorf("port 70000: %v", err)
	}
	if _, err := os.Stat(path); err == nil {
		t.Error("the settings were written with a wrong port")
	}
	v.agentPort.SetText("28123")
	if err := h.app.saveSettings(v); err != nil {
		t.Fatal(err)
	}
	if got, err := config.Load(path); err != nil || got.AgentPort != 28123 {
		t.Errorf("saved port %+v %v", got, err)
	}
	v.agentPort.SetText("27413")
	if err := h.app.saveSettings(v); err != nil {
		t.Fatal(err)
	}
	if got, _ := config.Load(path); got.AgentPort != 0 {
		t.Errorf("the default port saved as %d", got.AgentPort)
	}
}

// TestHandOver (issue 31, 2): a second start of the window hands this one
// its files; they join the list.
func TestHandOver(t *testing.T) {
	h := newHarness(t, nil, nil)
	paths := h.docs("līgums.pdf")
	second := filepath.Join(h.dir, "rēķins.pdf")
	if err := testpdf.WriteFile(second, testpdf.Options{Pages: 1}); err != nil {
		t.Fatal(err)
	}
	h.off(func() { h.app.handOver([]string{second}) })
	h.waitFor("the handed file in the list", func() bool { return h.app.docs.length() == len(paths)+1 })
	h.off(func() { h.app.handOver(nil) }) // a bare second start: to the front, nothing added
	h.idle()
	if n := h.app.docs.length(); n != len(paths)+1 {
		t.Errorf("%d documents after a bare second start", n)
	}
}

// TestLevelSaysTSA (issue 31, 12): choosing B-T with no timestamp service
// set says so where the level is chosen, with a way to the setting; set,
// the note goes.
func TestLevelSaysTSA(t *testing.T) {
	h := newHarness(t, nil, nil)
	o := h.app.options
	if o.tsaNote.Visible() {
		t.Error("the note shows at B-B")
	}
	o.level.SetSelected(levelBT())
	if !o.tsaNote.Visible() {
		t.Fatal("no note at B-T without a timestamp service")
	}
	button := o.tsaNote.Objects[1].(*fyne.Container).Objects[0].(*widget.Button)
	test.Tap(button)
	if v := h.app.settings; v == nil || v.tabs.SelectedIndex() != 2 {
		t.Fatal("the button does not open the timestamp setting")
	}
	h.app.settings.tsa.SetText("http://tsa.example/")
	if err := h.app.saveSettings(h.app.settings); err != nil {
		t.Fatal(err)
	}
	if o.tsaNote.Visible() {
		t.Error("the note stays once the service is set")
	}
}

// TestLanguageFieldShowsLanguage (issue 31, 11): the Language field shows
// the language in use, never "(Select one)": the system's, named, when
// none is chosen; the chosen one otherwise; choosing the system's again
// keeps no choice.
func TestLanguageFieldShowsLanguage(t *testing.T) {
	t.Setenv("SIGNET_LANG", "lv_LV.UTF-8")
	path := filepath.Join(t.TempDir(), "config.toml")
	h := newHarness(t, nil, nil)
	h.app.cfg.SettingsPath = path
	h.app.showSettings()
	v := h.app.settings
	if got := v.language.Selected; got != "The system's (Latviešu)" {
		t.Errorf("with no choice the field shows %q", got)
	}
	v.language.SetSelected("Français")
	if err := h.app.saveSettings(v); err != nil {
		t.Fatal(err)
	}
	h.app.showSettings()
	v = h.app.settings
	if got := v.language.Selected; got != "Français" {
		t.Errorf("after choosing French the field shows %q", got)
	}
	v.language.SetSelected(v.language.Options[0])
	if err := h.app.saveSettings(v); err != nil {
		t.Fatal(err)
	}
	if got, _ := config.Load(path); got.Language != "" {
		t.Errorf("the system's language kept as %q", got.Language)
	}
}
