package ui

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/signet-sign/signet/agent"
	"github.com/signet-sign/signet/flow"
	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/internal/config"
)

// errDeclined is the person's no to a signing asked by a web page.
var errDeclined = errors.New("declined by the person")

// startAgent serves the localhost API while the app runs, when the
// settings turn it on; the person answers its questions in this window.
func (a *App) startAgent() error {
	s := a.cfg.Settings
	port := s.AgentPort
	if port == 0 {
		port = agent.DefaultPort
	}
	if a.cfg.AgentPort != 0 {
		port = a.cfg.AgentPort
	}
	if port < 0 {
		port = 0 // tests: any free port
	}
	srv, err := agent.Start(agent.Config{
		Port:          port,
		Consent:       agentConsent{a},
		Keys:          agent.ModuleKeys{Modules: a.modules, Prompter: a.prompter},
		Allowed:       s.AgentOrigins,
		OnAllowAlways: a.rememberOrigin,
		Timestamper:   tsaFor(s.TSAURL),
		Version:       Version,
	})
	if err != nil {
		return err
	}
	a.mu.Lock()
	a.agent = srv
	a.mu.Unlock()
	a.setStatus("%s", i18n.T("ui.status.agent_on", map[string]any{"Port": srv.Port()}))
	return nil
}

// rememberOrigin keeps an "always allow" in the settings.
func (a *App) rememberOrigin(origin string) {
	a.do(func() {
		s := a.cfg.Settings
		if slices.Contains(s.AgentOrigins, origin) {
			return
		}
		s.AgentOrigins = append(s.AgentOrigins, origin)
		if a.cfg.SettingsPath != "" {
			if err := config.Save(a.cfg.SettingsPath, s); err != nil {
				a.showError(i18n.T("ui.err.save_site"), err)
			}
		}
	})
}

// agentConsent asks the person in the app's window.
type agentConsent struct{ a *App }

// originDialog is an open question about a web origin, for tests.
type originDialog struct {
	origin string
	answer func(agent.Decision)
	dialog dialog.Dialog
}

func (c agentConsent) Origin(ctx context.Context, q agent.OriginQuestion) (agent.Decision, error) {
	a := c.a
	if err := a.questions.Acquire(ctx); err != nil {
		return agent.Deny, err
	}
	defer a.questions.Release()
	origin := q.Origin
	answer := make(chan agent.Decision, 1)
	var od *originDialog
	a.do(func() {
		od = &originDialog{origin: origin}
		msg := widget.NewLabel(i18n.T("ui.agent.origin_msg", map[string]any{"Origin": origin}))
		msg.Wrapping = fyne.TextWrapWord
		caution := i18n.T("ui.agent.caution")
		if q.Insecure {
			caution = i18n.T("ui.agent.caution_http")
		}
		warn := widget.NewLabel(caution)
		warn.Wrapping = fyne.TextWrapWord
		warn.Importance = widget.WarningImportance
		var d dialog.Dialog
		od.answer = func(dec agent.Decision) {
			select {
			case answer <- dec:
			default:
			}
			d.Hide()
		}
		// No answer is the highlighted default: "Always" least of all.
		buttons := container.NewHBox(
			widget.NewButtonWithIcon(i18n.T("ui.agent.deny"), theme.CancelIcon(), func() { od.answer(agent.Deny) }),
			widget.NewButton(i18n.T("ui.agent.silence", map[string]any{"Domain": q.Domain}), func() { od.answer(agent.Silence) }),
			widget.NewButton(i18n.T("ui.agent.allow_visit"), func() { od.answer(agent.AllowOnce) }),
			widget.NewButton(i18n.T("ui.agent.allow_always"), func() { od.answer(agent.AllowAlways) }),
		)
		d = dialog.NewCustomWithoutButtons(i18n.T("ui.agent.asks"), container.NewVBox(msg, warn, container.NewCenter(buttons)), a.win)
		od.dialog = d
		d.Resize(fyne.NewSize(520, 0))
		a.win.Show() // it may be in the background, in the tray
		d.Show()
		a.win.RequestFocus()
		a.mu.Lock()
		a.originDlg = od
		a.mu.Unlock()
	})
	defer func() {
		a.mu.Lock()
		if a.originDlg == od {
			a.originDlg = nil
		}
		a.mu.Unlock()
		if od != nil {
			a.do(od.dialog.Hide)
		}
	}()
	select {
	case <-ctx.Done():
		return agent.Deny, ctx.Err()
	case d := <-answer:
		return d, nil
	}
}

// approvalText is what the person reads before approving a signing for
// a web page: who asks, with which key, and what exactly will be signed.
func approvalText(r agent.Request) string {
	who := i18n.T("ui.agent.the_certificate")
	if c := r.Certificate; c != nil {
		// What tells one of a person's keys from another: purpose,
		// issuer, validity and where the key is.
		key := map[string]any{"Name": c.Subject.CommonName, "Purpose": purposeWords(r.Purpose),
			"Issuer": c.Issuer.CommonName, "Until": i18n.Date(c.NotAfter), "Token": r.Token}
		if r.Token != "" {
			who = i18n.T("ui.agent.who_token", key)
		} else {
			who = i18n.T("ui.agent.who", key)
		}
	}
	if len(r.Documents) > 0 {
		var b strings.Builder
		b.WriteString(i18n.N("ui.agent.sign_docs", len(r.Documents), map[string]any{"Origin": r.Origin, "Who": who}) + "\n")
		for i, name := range r.Documents {
			fmt.Fprintf(&b, "\n• “%s”", name)
			if i < len(r.PDFs) {
				d := r.PDFs[i]
				pages := i18n.N("docs.pages", d.Pages)
				fmt.Fprintf(&b, "\n   %s · %s · SHA-256 %s", pages, humanSize(d.Size), d.SHA256)
			}
		}
		b.WriteString("\n\n" + i18n.T("ui.agent.the_signature"))
		b.WriteString("\n   " + i18n.T("ui.agent.level", map[string]any{"Level": r.Level}))
		if r.Reason != "" {
			b.WriteString("\n   " + i18n.T("ui.agent.reason", map[string]any{"Reason": agent.DisplayName(r.Reason)}))
		}
		if r.Location != "" {
			b.WriteString("\n   " + i18n.T("ui.agent.location", map[string]any{"Location": agent.DisplayName(r.Location)}))
		}
		switch v := r.Visible; {
		case v == nil:
			b.WriteString("\n   " + i18n.T("ui.agent.invisible"))
		default:
			if v.Page == -1 {
				b.WriteString("\n   " + i18n.T("ui.agent.visible_last"))
			} else {
				b.WriteString("\n   " + i18n.T("ui.agent.visible_page", map[string]any{"Page": v.Page}))
			}
			if v.Image {
				b.WriteString(i18n.T("ui.agent.with_image"))
			}
			if len(v.Lines) == 0 {
				b.WriteString(i18n.T("ui.agent.default_text"))
			}
			for _, line := range v.Lines {
				b.WriteString("\n   " + i18n.T("ui.agent.text", map[string]any{"Text": agent.DisplayName(line)}))
			}
		}
		return b.String()
	}
	var lines []string
	for i, d := range r.Digests {
		alg := "?"
		if i < len(r.Hashes) {
			alg = r.Hashes[i]
		}
		lines = append(lines, alg+"  "+hex.EncodeToString(d))
	}
	data := map[string]any{"Origin": r.Origin, "Who": who, "Lines": strings.Join(lines, "\n")}
	if r.Login {
		return i18n.T("ui.agent.login", data)
	}
	return i18n.N("ui.agent.sign_digests", len(r.Digests), data)
}

// approvalPreview draws the first document's first page, and the page a
// visible signature goes on when that is another: nil when nothing can be
// drawn (no renderer, a digest).
func approvalPreview(ctx context.Context, r agent.Request) fyne.CanvasObject {
	if len(r.PDFs) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	doc := r.PDFs[0]
	pages := []int{1}
	if v := r.Visible; v != nil {
		p := v.Page
		if p == -1 {
			p = doc.Pages
		}
		if p != 1 && p >= 1 && p <= doc.Pages {
			pages = append(pages, p)
		}
	}
	box := container.NewHBox()
	for _, p := range pages {
		img, err := flow.RenderPDF(ctx, doc.Data, p, 220)
		if err != nil {
			return nil
		}
		c := canvas.NewImageFromImage(img)
		c.FillMode = canvas.ImageFillContain
		b := img.Bounds()
		c.SetMinSize(fyne.NewSize(float32(b.Dx()), float32(b.Dy())))
		box.Add(container.NewVBox(widget.NewLabel(fmt.Sprintf("page %d", p)), c))
	}
	return box
}

func (c agentConsent) Approve(ctx context.Context, r agent.Request) error {
	a := c.a
	preview := approvalPreview(ctx, r)
	if err := a.questions.Acquire(ctx); err != nil {
		return err
	}
	defer a.questions.Release()
	answer := make(chan bool, 1)
	var d *dialog.ConfirmDialog
	a.do(func() {
		what := approvalText(r)
		l := widget.NewLabel(what)
		l.Wrapping = fyne.TextWrapWord
		var content fyne.CanvasObject = l
		if preview != nil {
			content = container.NewVBox(l, preview)
		}
		title, yes := "Sign for a web page?", "Sign"
		if r.Login {
			title, yes = "Log in to a web page?", "Log in"
		}
		d = dialog.NewCustomConfirm(title, yes, i18n.T("ui.decline"), container.NewVScroll(content), func(ok bool) {
			select {
			case answer <- ok:
			default:
			}
		}, a.win)
		d.Resize(fyne.NewSize(640, 520))
		a.win.Show()
		d.Show()
		a.win.RequestFocus()
		a.mu.Lock()
		a.approveDlg, a.approveContent = d, content
		a.mu.Unlock()
	})
	defer func() {
		a.mu.Lock()
		if a.approveDlg == d {
			a.approveDlg, a.approveContent = nil, nil
		}
		a.mu.Unlock()
		if d != nil {
			a.do(d.Hide)
		}
	}()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case ok := <-answer:
		if !ok {
			return errDeclined
		}
		return nil
	}
}
