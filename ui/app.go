// Package ui is Signet's desktop app: Fyne screens that show and ask. All
// the work (finding tokens, signing, verifying, talking to services) is
// done by the flow, pkcs11, pdf and remote packages, the same code the CLI
// and the agent use.
//
// Long work runs in goroutines; every widget change from them goes through
// fyne.Do. Secrets typed into the app are handed to the core as []byte and
// the entry is emptied at once.
package ui

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/signet-sign/signet/flow"
	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/internal/bridge"
	"github.com/signet-sign/signet/internal/config"
	"github.com/signet-sign/signet/internal/turns"
	"github.com/signet-sign/signet/internal/version"
	"github.com/signet-sign/signet/keys"
	"github.com/signet-sign/signet/pdf"
	"github.com/signet-sign/signet/remote/eparaksts"
)

// Secrets stores service credentials: the OS keyring in the app, a map in
// tests.
type Secrets interface {
	Get(service, user string) (string, error)
	Set(service, user, value string) error
}

// Config is what the app is built from.
type Config struct {
	// Modules are the PKCS#11 modules; the caller loads and closes them.
	Modules *flow.Modules
	// Settings are the settings file's content; SettingsPath where they
	// are saved (empty: not saved).
	Settings     *config.Config
	SettingsPath string
	// Roots are extra trust anchors for verification, besides the
	// system's and the settings' trust anchors.
	Roots []*x509.Certificate
	// Poll is how often the tokens are listed again to notice cards
	// coming and going; 0 means every watchInterval, negative never
	// (tests).
	Poll time.Duration
	// Secrets holds service credentials.
	Secrets Secrets
	// Reload, when set, loads the PKCS#11 modules again after the
	// settings changed them.
	Reload func(paths []string) *flow.Modules
	// EParaksts replaces the profile's endpoints (tests).
	EParaksts *eparaksts.Endpoints
	// Agent ties the window to the agent process (signet agent), nil
	// for none: connected when the window was offered to a running agent
	// or the settings turn the agent on.
	Agent AgentLink
}

// AgentLink is the window's tie to the agent process, which serves web
// pages and asks its questions in this window (bridge.Link; tests run
// the agent in the test).
type AgentLink interface {
	// Connected reports whether this window is the agent's.
	Connected() bool
	// Connect starts the agent when none runs and makes this window
	// its: the agent's questions come to w. It returns the agent's URL.
	Connect(w bridge.Window) (url string, err error)
	// Stop ends the agent; Reload tells it the settings file changed.
	Stop() error
	Reload() error
}

// Version is the app's version.
const Version = version.Signet

// App is the app's main window and its state.
type App struct {
	fyne fyne.App
	win  fyne.Window
	cfg  Config

	docs    *documents
	signer  *signerPanel
	options *signOptions
	status  *widget.Label
	signBtn *widget.Button

	prompter *dialogPrompter

	// uiMu serializes widget changes made from goroutines. The app's
	// driver runs them one by one on its main goroutine anyway; the test
	// driver runs them at once, on the calling goroutine.
	uiMu sync.Mutex

	mu sync.Mutex
	// busy is set while a signing runs: the token list is not polled then.
	busy bool
	// tasks counts background work, for tests to wait on.
	tasks sync.WaitGroup
	// lastError is the last error shown, for tests.
	lastError error
	// lastResults are the last signing results shown, for tests.
	lastResults []resultRow
	// anchors are the settings' trust anchors, read.
	anchors []*x509.Certificate
	// The open dialogs that tests answer.
	secretDlg  *secretDialog
	confirmDlg *dialog.ConfirmDialog
	progress   *progressView
	placement  *placementView
	settings   *settingsView
	report     fyne.CanvasObject
	originDlg  *originDialog
	approveDlg *approvalDialog
	aadhaarDlg *aadhaarStatus
	// aadhaarPoll overrides how often a request's status is read (tests).
	aadhaarPoll time.Duration
	// questions: one question to the person at a time (PINs, codes,
	// agent questions), in the order they came.
	questions turns.Queue
	// approveContent is what the open approval shows (for tests).
	approveContent fyne.CanvasObject
	// agentURL is the connected agent's, "" without one.
	agentURL string
	// wanted: the person asked for this window (a second start); a window
	// the agent started for a page's question then stays.
	wanted bool
	stop   context.CancelFunc
	// alive ends when the app closes (stop): background waits end with it.
	alive context.Context
	// reportScroll is the last verification report's scroll (the tour
	// shows its end).
	reportScroll *container.Scroll
	reportPath   string // the document of the report shown last
	// menu is the window's main menu (its shortcuts); dialogs those that
	// answer Enter and Escape, the top one last (UI goroutine only).
	menu    *fyne.MainMenu
	dialogs []*keyedDialog
	// restart: the window ended to start again in another language, with
	// these documents (non-nil when it did); restartDialog offered it.
	restart       []string
	restartDialog *dialog.ConfirmDialog
	// preview shows the selected document's pages; toolbar and columns
	// fit the window's width.
	preview *preview
	toolbar *toolbar
	columns *columns
	bottom  *fyne.Container // the status and the Sign button
	// extendChoice is the level choice of the last extend dialog (tests).
	extendChoice *widget.Select
	// watching is closed when the token watcher has stopped: Close waits
	// for it, so that no module call is under way when the modules are
	// finalized (C_Finalize beside a C_GetSlotList is undefined).
	watching chan struct{}
}

// New builds the app's main window on a (the real app, or a test app).
func New(a fyne.App, cfg Config) *App {
	if cfg.Settings == nil {
		cfg.Settings = &config.Config{}
	}
	app := &App{fyne: a, cfg: cfg}
	app.loadAnchors()
	app.win = a.NewWindow("Signet")
	app.prompter = &dialogPrompter{app: app}
	app.docs = newDocuments(app)
	app.signer = newSignerPanel(app)
	app.options = newSignOptions(app)
	app.status = widget.NewLabel("")
	app.status.Truncation = fyne.TextTruncateEllipsis
	app.signBtn = widget.NewButtonWithIcon(i18n.T("ui.sign"), theme.DocumentCreateIcon(), app.startSigning)
	app.signBtn.Importance = widget.HighImportance

	app.toolbar = newToolbar([]*widget.Button{
		widget.NewButtonWithIcon(i18n.T("ui.open_pdf"), theme.FileIcon(), app.docs.openDialog),
		widget.NewButtonWithIcon(i18n.T("ui.open_folder"), theme.FolderOpenIcon(), app.docs.openFolderDialog),
		app.docs.reportBtn,
		app.docs.removeBtn,
		app.docs.extendBtn,
	}, widget.NewButtonWithIcon(i18n.T("ui.settings"), theme.SettingsIcon(), app.showSettings))
	app.preview = newPreview(app)
	list := container.NewBorder(widget.NewLabelWithStyle(i18n.T("ui.documents"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), nil, nil, nil, app.docs.view())
	// The document in view below the list: what is signed is seen.
	left := container.NewVSplit(list, app.preview.box)
	left.Offset = 0.34
	// Three columns, read left to right: what, with which key, how (three
	// tabs on a small screen, the Sign button below them).
	middle := container.NewVScroll(app.signer.view())
	right := container.NewVScroll(app.options.view())
	app.columns = newColumns(paneNames(), left, middle, right)
	app.bottom = container.NewBorder(nil, nil, nil, app.signBtn, app.status)
	app.win.SetContent(container.NewBorder(app.toolbar, container.NewVBox(widget.NewSeparator(), app.bottom), nil, nil, app.columns))
	app.win.Resize(fyne.NewSize(1280, 760))
	app.win.SetOnDropped(func(_ fyne.Position, uris []fyne.URI) {
		var paths []string
		for _, u := range uris {
			if u.Scheme() == "file" {
				paths = append(paths, u.Path())
			}
		}
		app.AddFiles(paths)
	})
	app.win.SetMainMenu(app.mainMenu())
	app.win.Canvas().SetOnTypedKey(app.typedKey)
	app.updateSignButton()

	ctx, cancel := context.WithCancel(context.Background())
	app.stop, app.alive = cancel, ctx
	// The tokens are listed in the background: a slow module (a reader
	// waking up) must not hold the window back.
	app.run(app.signer.refresh)
	if cfg.Poll >= 0 {
		poll := cfg.Poll
		if poll == 0 {
			poll = watchInterval
		}
		app.watching = make(chan struct{})
		go func() {
			defer close(app.watching)
			app.signer.watch(ctx, poll)
		}()
	}
	app.win.SetOnClosed(cancel)
	if cfg.Agent != nil && (cfg.Agent.Connected() || cfg.Settings.Agent) {
		app.connectAgent()
	}
	return app
}

// Window is the main window.
func (a *App) Window() fyne.Window { return a.win }

// Close stops the background work (the agent, a process of its own,
// goes on).
func (a *App) Close() {
	a.stop()
	if a.watching != nil {
		<-a.watching
	}
}

// AddFiles adds documents to the list.
func (a *App) AddFiles(paths []string) { a.docs.add(paths) }

// handOver is a second start of the window, handing this one its files:
// it comes to the front with them.
func (a *App) handOver(files []string) {
	a.do(func() {
		a.mu.Lock()
		a.wanted = true // the person's now: it stays when a page is answered
		a.mu.Unlock()
		a.win.Show()
		a.win.RequestFocus()
		if len(files) > 0 {
			a.AddFiles(files)
		}
	})
}

// verifyOptions are the trust settings of every verification the app
// shows: the given roots and the settings' trust anchors, read when the
// settings change (loadAnchors), not on every verification.
func (a *App) verifyOptions() pdf.VerifyOptions {
	a.mu.Lock()
	defer a.mu.Unlock()
	roots := append(append([]*x509.Certificate(nil), a.cfg.Roots...), a.anchors...)
	// Chains a signature does not carry whole are completed from the
	// issuer cache; the report's online check may fetch them.
	return pdf.VerifyOptions{ExtraRoots: roots, Issuers: &keys.ChainSource{Anchors: roots, CacheDir: keys.IssuerCacheDir(), Offline: true}}
}

// watchInterval is how often the app looks whether a card came or went:
// a card put in shows within about this long after pcscd has it (the
// look is cheap: slot presence only, see signerPanel.watch).
const watchInterval = time.Second

// chainOptions complete the chain a signature carries (flow.ChainOptions)
// with the trust anchors and the issuer cache, as the settings say; an
// incomplete chain is said in a dialog while the signing goes on.
func (a *App) chainOptions() flow.ChainOptions {
	o := flow.DefaultChainOptions(a.verifyOptions().ExtraRoots)
	a.mu.Lock()
	o.Require = a.cfg.Settings.RequireChain
	a.mu.Unlock()
	o.Warn = func(err error) {
		var ice *flow.IncompleteChainError
		if errors.As(err, &ice) {
			a.inform(i18n.T("ui.chain_incomplete", map[string]any{"Name": ice.Below, "Issuer": ice.Issuer, "URL": strings.Join(ice.URLs, ", ")}))
		}
	}
	return o
}

// loadAnchors reads the settings' trust anchors; unreadable ones are
// refused when the settings are saved, so an error here leaves them out.
func (a *App) loadAnchors() {
	anchors, _ := keys.LoadCertificates(a.cfg.Settings.TrustAnchors)
	a.mu.Lock()
	a.anchors = anchors
	a.mu.Unlock()
}

// modules are the PKCS#11 modules loaded now (the settings may reload
// them).
func (a *App) modules() *flow.Modules {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.cfg.Modules
}

// setStatus shows a line in the status bar; call on the UI goroutine.
func (a *App) setStatus(format string, args ...any) {
	a.status.SetText(fmt.Sprintf(format, args...))
}

// updateSignButton says what the button will do.
func (a *App) updateSignButton() {
	if a.signBtn == nil || a.docs == nil {
		return // still being built
	}
	if a.bottom != nil {
		defer a.bottom.Refresh() // the button as wide as its words
	}
	take, _ := a.docs.signable()
	n := len(take)
	switch {
	case n == 0:
		a.signBtn.SetText(i18n.T("ui.sign"))
		a.signBtn.Disable()
		return
	case a.signer != nil && a.signer.method != nil && a.signer.method.Selected == methodLocal() && !a.signer.choiceSigns():
		// An authentication certificate can be looked at, not signed
		// with (keys.CheckSigning says why in its details).
		a.signBtn.SetText(i18n.T("ui.not_signing_cert"))
		a.signBtn.Disable()
		return
	default:
		a.signBtn.SetText(i18n.N("app.sign_button", n))
	}
	a.signBtn.Enable()
}

// do runs f on the UI goroutine (fyne.Do), one at a time.
func (a *App) do(f func()) {
	fyne.Do(func() {
		a.uiMu.Lock()
		defer a.uiMu.Unlock()
		f()
	})
}

// doWait is do, returning once f has run: for a dialog that the caller
// must be able to take down as soon as it returns. Not from the UI
// goroutine.
func (a *App) doWait(f func()) {
	fyne.DoAndWait(func() {
		a.uiMu.Lock()
		defer a.uiMu.Unlock()
		f()
	})
}

// run runs f in the background, counted for tests.
func (a *App) run(f func()) {
	a.tasks.Add(1)
	go func() {
		defer a.tasks.Done()
		f()
	}()
}

func (a *App) setBusy(b bool) {
	a.mu.Lock()
	a.busy = b
	a.mu.Unlock()
}

func (a *App) isBusy() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.busy
}

// dialogSize is the size of a file dialog: 800×560, within the window
// (at 800×600 a fixed size would leave its buttons off screen).
func (a *App) dialogSize() fyne.Size {
	c := a.win.Canvas().Size()
	return fyne.NewSize(min(800, c.Width-16), min(560, c.Height-16))
}
