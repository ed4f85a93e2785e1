package ui

import (
	"context"
	"encoding/hex"
	"math"
	"strings"
	"testing"
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
	"github.com/signet-sign/signet/internal/bridge"
	"github.com/signet-sign/signet/internal/config"
	"github.com/signet-sign/signet/prompt"
)

// errDeclined is the person's no to a signing asked by a web page.
var errDeclined = bridge.ErrDeclined

// connectAgent makes this window the agent's (starting the agent when
// none runs), in the background: starting one takes a moment.
func (a *App) connectAgent() {
	link := a.cfg.Agent
	a.run(func() {
		url, err := link.Connect(agentWindow{a})
		a.do(func() {
			if err != nil {
				a.showError(i18n.T("ui.err.agent_start"), err)
				return
			}
			a.mu.Lock()
			a.agentURL = url
			a.mu.Unlock()
			port := url[strings.LastIndexByte(url, ':')+1:]
			a.setStatus("%s", i18n.T("ui.status.agent_on", map[string]any{"Port": port}))
		})
	})
}

// agentConnected reports whether this window is the agent's.
func (a *App) agentConnected() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.agentURL != ""
}

// agentWindow is the window as the agent sees it (bridge.Window): its
// questions in this window's dialogs, one at a time.
type agentWindow struct{ a *App }

func (w agentWindow) Origin(ctx context.Context, q agent.OriginQuestion) (agent.Decision, error) {
	return agentConsent(w).Origin(ctx, q)
}

func (w agentWindow) Approve(ctx context.Context, r agent.Request) error {
	return agentConsent(w).Approve(ctx, r)
}

func (w agentWindow) Secret(ctx context.Context, r prompt.Request) ([]byte, error) {
	return w.a.prompter.Secret(ctx, r)
}

func (w agentWindow) Pinpad(ctx context.Context, r prompt.Request) func() {
	return w.a.prompter.Pinpad(ctx, r)
}

// Show brings the window to the front (the tray's "Open Signet").
func (w agentWindow) Show() {
	w.a.do(func() {
		w.a.win.Show()
		w.a.win.RequestFocus()
	})
}

// Done: the window was opened for a page's questions, all answered now;
// it closes, and the process ends, unless the person has taken it up
// meanwhile (documents listed, a signing under way): then it is theirs
// to close.
func (w agentWindow) Done() {
	a := w.a
	a.do(func() {
		a.mu.Lock()
		busy := a.busy || a.wanted
		a.mu.Unlock()
		if busy || a.docs.length() > 0 {
			return
		}
		a.fyne.Quit()
	})
}

// SettingsChanged: the agent kept an "always allow" in the settings file:
// the window takes the allow-lists from it, so as not to write the old
// ones back with its next save.
func (w agentWindow) SettingsChanged() {
	a := w.a
	if a.cfg.SettingsPath == "" {
		return
	}
	s, err := config.Load(a.cfg.SettingsPath)
	if err != nil {
		return
	}
	a.do(func() {
		a.mu.Lock()
		a.cfg.Settings.AgentOrigins, a.cfg.Settings.AgentDigestOrigins = s.AgentOrigins, s.AgentDigestOrigins
		a.mu.Unlock()
	})
}

// armDelay is how long a web page's question stays unanswerable after it
// appears, as browsers do with their permission prompts: a double click
// meant for one question, or a click already under way, must not answer
// the next one, which can come from another page a moment later.
var armDelay = time.Second

// armLater disables buttons and enables them once armDelay has passed,
// unless their question is gone by then (closed) or the app is.
func (a *App) armLater(closed <-chan struct{}, buttons ...*widget.Button) {
	for _, b := range buttons {
		b.Disable()
	}
	a.run(func() {
		select {
		case <-time.After(armDelay):
		case <-closed:
			return
		case <-a.alive.Done():
			return
		}
		a.do(func() {
			for _, b := range buttons {
				b.Enable()
			}
		})
	})
}

// Shown, when set in a test binary, is told each time a web page's
// question is on screen (kind "origin" or "approve"), with a function
// that answers it as the person's click would, once its buttons are
// armed. The tests of the window process (started by a real agent) set
// it; outside a test binary it is never called (shownHook).
var Shown func(kind, origin string, answer func(yes bool))

// shownHook is Shown in a test binary, nil elsewhere: nothing in the
// product can answer a question for the person.
func shownHook() func(kind, origin string, answer func(yes bool)) {
	if !testing.Testing() {
		return nil
	}
	return Shown
}

// clickWhenArmed taps b once armDelay has let it answer clicks, unless
// its question goes first (closed).
func (a *App) clickWhenArmed(closed <-chan struct{}, b *widget.Button) {
	for {
		armed := make(chan bool, 1)
		a.do(func() { armed <- !b.Disabled() })
		if <-armed {
			break
		}
		select {
		case <-closed:
			return
		case <-time.After(20 * time.Millisecond):
		}
	}
	a.do(b.OnTapped)
}

// agentConsent asks the person in the app's window.
type agentConsent struct{ a *App }

// originDialog is an open question about a web origin, for tests.
type originDialog struct {
	origin     string
	permission agent.Permission
	answer     func(agent.Decision)
	dialog     dialog.Dialog
	// buttons by decision, for tests that click them.
	buttons map[agent.Decision]*widget.Button
}

func (c agentConsent) Origin(ctx context.Context, q agent.OriginQuestion) (agent.Decision, error) {
	a := c.a
	if err := a.questions.Acquire(ctx); err != nil {
		return agent.Deny, err
	}
	defer a.questions.Release()
	origin := q.Origin
	answer := make(chan agent.Decision, 1)
	closed := make(chan struct{})
	defer close(closed)
	var od *originDialog
	// Shown before this goroutine goes on (doWait): the cleanup below
	// takes down a dialog that is there, not one still to come.
	a.doWait(func() {
		od = &originDialog{origin: origin, permission: q.Permission, buttons: map[agent.Decision]*widget.Button{}}
		title, text := i18n.T("ui.agent.asks"), i18n.T("ui.agent.origin_msg", map[string]any{"Origin": origin})
		caution := i18n.T("ui.agent.caution")
		if q.Insecure {
			caution = i18n.T("ui.agent.caution_http")
		}
		if q.Permission == agent.PermissionDigests {
			title, text = i18n.T("ui.agent.digests_asks"), i18n.T("ui.agent.digests_msg", map[string]any{"Origin": origin})
			caution = i18n.T("ui.agent.digests_caution")
		}
		msg := widget.NewLabel(text)
		msg.Wrapping = fyne.TextWrapWord
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
		button := func(dec agent.Decision, label string) *widget.Button {
			b := widget.NewButton(label, func() { od.answer(dec) })
			od.buttons[dec] = b
			return b
		}
		// No answer is the highlighted default: "Always" least of all.
		buttons := container.NewHBox(button(agent.Deny, i18n.T("ui.agent.deny")))
		buttons.Objects[0].(*widget.Button).SetIcon(theme.CancelIcon())
		if q.Permission == agent.PermissionUse {
			buttons.Add(button(agent.Silence, i18n.T("ui.agent.silence", map[string]any{"Domain": q.Domain})))
		}
		buttons.Add(button(agent.AllowOnce, i18n.T("ui.agent.allow_visit")))
		buttons.Add(button(agent.AllowAlways, i18n.T("ui.agent.allow_always")))
		var all []*widget.Button
		for _, o := range buttons.Objects {
			all = append(all, o.(*widget.Button))
		}
		a.armLater(closed, all...)
		d = dialog.NewCustomWithoutButtons(title, container.NewVBox(msg, warn, container.NewCenter(buttons)), a.win)
		od.dialog = d
		d.Resize(fyne.NewSize(560, 0))
		a.win.Show() // it may be in the background, in the tray
		d.Show()
		a.win.RequestFocus()
		a.mu.Lock()
		a.originDlg = od
		a.mu.Unlock()
		if shown := shownHook(); shown != nil {
			go shown("origin", origin, func(yes bool) {
				if yes {
					a.clickWhenArmed(closed, od.buttons[agent.AllowOnce])
				} else {
					a.clickWhenArmed(closed, od.buttons[agent.Deny])
				}
			})
		}
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
// a web page: who asks, with which key, and what exactly will be signed —
// every character of the text that goes into the signature. Names are
// the page's claims and said to be; what Signet read of each document
// (pages, size, SHA-256) is said to be Signet's.
func approvalText(r agent.Request) string {
	who := i18n.T("ui.agent.the_certificate")
	if c := r.Certificate; c != nil {
		// What tells one of a person's keys from another: purpose,
		// issuer, validity and where the key is.
		key := map[string]any{"Name": c.Subject.CommonName, "Purpose": r.Purpose.Words(),
			"Issuer": c.Issuer.CommonName, "Until": i18n.Date(c.NotAfter), "Token": r.Token}
		if r.Token != "" {
			who = i18n.T("ui.agent.who_token", key)
		} else {
			who = i18n.T("ui.agent.who", key)
		}
	}
	if r.Login {
		return i18n.T("ui.agent.login", map[string]any{"Origin": r.Origin, "Who": who})
	}
	if len(r.Documents) > 0 {
		var b strings.Builder
		b.WriteString(i18n.N("ui.agent.sign_docs", len(r.Documents), map[string]any{"Origin": r.Origin, "Who": who}) + "\n")
		for i, name := range r.Documents {
			b.WriteString("\n• " + i18n.T("ui.agent.doc_name", map[string]any{"Name": name}))
			if i < len(r.PDFs) {
				d := r.PDFs[i]
				b.WriteString("\n   " + i18n.T("ui.agent.doc_facts", map[string]any{
					"Pages": i18n.N("docs.pages", d.Pages), "Size": humanSize(d.Size), "SHA256": d.SHA256}))
				if r.Visible != nil && d.SignaturePage > 0 {
					b.WriteString("\n   " + i18n.T("ui.agent.doc_sig_page", map[string]any{"Page": d.SignaturePage, "Pages": d.Pages}))
				}
			}
		}
		b.WriteString("\n\n" + i18n.T("ui.agent.the_signature"))
		b.WriteString("\n   " + i18n.T("ui.agent.level", map[string]any{"Level": r.Level}))
		// The request's texts come cleaned (agent.CleanText), whole:
		// cleaning again changes nothing and guards this screen.
		if r.Reason != "" {
			b.WriteString("\n   " + i18n.T("ui.agent.reason", map[string]any{"Reason": agent.CleanText(r.Reason)}))
		}
		if r.Location != "" {
			b.WriteString("\n   " + i18n.T("ui.agent.location", map[string]any{"Location": agent.CleanText(r.Location)}))
		}
		switch v := r.Visible; {
		case v == nil:
			b.WriteString("\n   " + i18n.T("ui.agent.invisible"))
		default:
			b.WriteString("\n   " + i18n.T("ui.agent.visible", map[string]any{"Width": int(math.Round(v.Width)), "Height": int(math.Round(v.Height))}))
			if v.Image {
				b.WriteString(i18n.T("ui.agent.with_image"))
			}
			if len(v.Lines) == 0 {
				b.WriteString(i18n.T("ui.agent.default_text"))
			}
			for _, line := range v.Lines {
				b.WriteString("\n   " + i18n.T("ui.agent.text", map[string]any{"Text": agent.CleanText(line)}))
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
	return i18n.N("ui.agent.sign_digests", len(r.Digests), data)
}

// previewWidth is the width, in points, a page of an approval shows at.
const previewWidth = 300

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
	if p := doc.SignaturePage; r.Visible != nil && p > 1 && p <= doc.Pages {
		pages = append(pages, p)
	}
	// A visible signature is previewed as it will be drawn: its
	// rectangle and image could cover what the page says.
	data := doc.Data
	if doc.Preview != nil {
		data = doc.Preview
	}
	box := container.NewHBox()
	for _, p := range pages {
		// Rendered sharp, shown large enough to read (the dialog
		// scrolls): a page the person approves unseen is not approved.
		img, err := flow.RenderPDF(ctx, data, p, 2*previewWidth)
		if err != nil {
			return nil
		}
		c := canvas.NewImageFromImage(img)
		c.FillMode = canvas.ImageFillContain
		b := img.Bounds()
		c.SetMinSize(fyne.NewSize(previewWidth, previewWidth*float32(b.Dy())/float32(max(b.Dx(), 1))))
		box.Add(container.NewVBox(widget.NewLabel(i18n.T("ui.agent.preview_page", map[string]any{"Page": p})), c))
	}
	return box
}

// approvalDialog is an open approval: its buttons, armed armDelay after it
// appears (see [App.armLater]).
type approvalDialog struct {
	dialog      dialog.Dialog
	yes, no     *widget.Button
	answer      chan bool
	content     fyne.CanvasObject
	title, verb string
}

// Confirm approves, as the yes button does (tests).
func (d *approvalDialog) Confirm() { d.reply(true) }

// Dismiss declines, as the no button does (tests).
func (d *approvalDialog) Dismiss() { d.reply(false) }

func (d *approvalDialog) reply(ok bool) {
	select {
	case d.answer <- ok:
	default:
	}
	d.dialog.Hide()
}

func (c agentConsent) Approve(ctx context.Context, r agent.Request) error {
	a := c.a
	preview := approvalPreview(ctx, r)
	if err := a.questions.Acquire(ctx); err != nil {
		return err
	}
	defer a.questions.Release()
	d := &approvalDialog{answer: make(chan bool, 1)}
	closed := make(chan struct{})
	defer close(closed)
	a.doWait(func() {
		l := widget.NewLabel(approvalText(r))
		l.Wrapping = fyne.TextWrapWord
		var content fyne.CanvasObject = l
		if preview != nil {
			content = container.NewVBox(l, preview)
		}
		d.content = content
		d.title, d.verb = i18n.T("ui.agent.sign_title"), i18n.T("ui.agent.sign_yes")
		if r.Login {
			d.title, d.verb = i18n.T("ui.agent.login_title"), i18n.T("ui.agent.login_yes")
		}
		d.no = widget.NewButtonWithIcon(i18n.T("ui.decline"), theme.CancelIcon(), func() { d.reply(false) })
		d.yes = widget.NewButtonWithIcon(d.verb, theme.ConfirmIcon(), func() { d.reply(true) })
		d.yes.Importance = widget.HighImportance
		a.armLater(closed, d.no, d.yes)
		body := container.NewBorder(nil, container.NewCenter(container.NewHBox(d.no, d.yes)), nil, nil, container.NewVScroll(content))
		d.dialog = dialog.NewCustomWithoutButtons(d.title, body, a.win)
		// Room for previews; a login or a digest says less. Within
		// the window, whatever its size.
		width, height := float32(680), float32(680)
		if preview == nil {
			width, height = 640, 400
		}
		size := a.win.Canvas().Size()
		d.dialog.Resize(fyne.NewSize(min(width, size.Width-20), min(height, size.Height-20)))
		a.win.Show()
		d.dialog.Show()
		a.win.RequestFocus()
		a.mu.Lock()
		a.approveDlg, a.approveContent = d, content
		a.mu.Unlock()
		if shown := shownHook(); shown != nil {
			go shown("approve", r.Origin, func(yes bool) {
				if yes {
					a.clickWhenArmed(closed, d.yes)
				} else {
					a.clickWhenArmed(closed, d.no)
				}
			})
		}
	})
	defer func() {
		a.mu.Lock()
		if a.approveDlg == d {
			a.approveDlg, a.approveContent = nil, nil
		}
		a.mu.Unlock()
		a.do(func() {
			if d.dialog != nil {
				d.dialog.Hide()
			}
		})
	}()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case ok := <-d.answer:
		if !ok {
			return errDeclined
		}
		return nil
	}
}
