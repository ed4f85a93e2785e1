package ui

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/signet-sign/signet/agent"
	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/internal/autostart"
	"github.com/signet-sign/signet/internal/bridge"
	"github.com/signet-sign/signet/internal/config"
	"github.com/signet-sign/signet/internal/version"
	"github.com/signet-sign/signet/keys"
)

// settingsView is the open settings dialog, for tests.
type settingsView struct {
	language                            *widget.Select
	modules, tsa, trust, suffix, outDir *widget.Entry
	rsURL                               *widget.Entry
	epID, epSecret                      *widget.Entry
	rsUser, rsPass, rsCode              *widget.Entry
	cmdURL, cmdApp, cmdUser, cmdPass    *widget.Entry
	bioKey, bioSecret                   *widget.Entry
	aaURL, aaRedirect                   *widget.Entry
	aaID, aaSecret, aaInstance          *widget.Entry
	ceURL, ceKey, ceCA                  *widget.Entry
	agentOn, autostart                  *widget.Check
	agentPort                           *widget.Entry
	tabs                                *container.AppTabs
	origins, digestOrigins              *widget.Entry
	dialog                              *dialog.ConfirmDialog
}

// showSettings edits the settings file and the services' credentials
// (kept in the OS keyring, never in the file).
func (a *App) showSettings() {
	s := a.cfg.Settings
	v := &settingsView{}
	multi := func(lines []string) *widget.Entry {
		e := widget.NewMultiLineEntry()
		e.SetText(strings.Join(lines, "\n"))
		e.SetMinRowsVisible(2)
		return e
	}
	line := func(text, placeholder string) *widget.Entry {
		e := widget.NewEntry()
		e.SetText(text)
		e.SetPlaceHolder(placeholder)
		return e
	}
	secret := func(service, user string) *widget.Entry {
		e := widget.NewPasswordEntry()
		if a.secret(service, user) != "" {
			e.SetPlaceHolder(i18n.T("ui.ph.in_keyring"))
		}
		return e
	}
	v.modules = multi(s.PKCS11Modules)
	v.tsa = line(s.TSAURL, i18n.T("ui.ph.tsa"))
	v.trust = multi(s.TrustAnchors)
	v.suffix = line(s.OutputSuffix, "-signed")
	v.outDir = line(s.OutputDir, i18n.T("ui.ph.outdir"))
	v.rsURL = line(s.RemoteSigningURL, "https://api.remotesigning.vn")
	v.epID, v.epSecret = line(a.secret(keyringEParaksts, "client-id"), i18n.T("ui.ph.client_id")), secret(keyringEParaksts, "client-secret")
	v.rsUser, v.rsPass, v.rsCode = line(a.secret(keyringRemoteSigning, "username"), i18n.T("ui.ph.username")),
		secret(keyringRemoteSigning, "password"), line(a.secret(keyringRemoteSigning, "rp-code"), "rpCode")
	v.cmdURL = line(s.CMDURL, i18n.T("ui.ph.cmd_url"))
	v.cmdApp, v.cmdUser, v.cmdPass = line(a.secret(keyringCMD, "application-id"), i18n.T("ui.ph.cmd_app")),
		line(a.secret(keyringCMD, "username"), i18n.T("ui.ph.username")), secret(keyringCMD, "password")
	v.bioKey, v.bioSecret = line(a.secret(keyringBiometrid, "key"), "x-biometrid-key"), secret(keyringBiometrid, "secret")
	v.ceURL, v.ceKey, v.ceCA = line(s.CertEuropeURL, "https://sign.certeurope.fr"),
		line(s.CertEuropeClientKey, i18n.T("ui.ph.ce_key")), line(s.CertEuropeServerCA, i18n.T("ui.ph.ce_ca"))
	v.aaURL, v.aaRedirect = line(s.AadhaarURL, "https://dg.setu.co"), line(s.AadhaarRedirectURL, i18n.T("ui.ph.aa_redirect"))
	v.aaID, v.aaSecret, v.aaInstance = line(a.secret(keyringAadhaar, "client-id"), "x-client-id"),
		secret(keyringAadhaar, "client-secret"), line(a.secret(keyringAadhaar, "product-instance-id"), "x-product-instance-id")

	v.agentOn = widget.NewCheck(i18n.T("ui.agent_allow"), nil)
	v.agentOn.SetChecked(s.Agent || a.agentConnected())
	v.autostart = widget.NewCheck(i18n.T("ui.set.autostart"), nil)
	v.autostart.SetChecked(autostart.Installed())
	v.origins = multi(s.AgentOrigins)
	v.origins.SetPlaceHolder("https://portal.example.lv")
	v.digestOrigins = multi(s.AgentDigestOrigins)
	v.digestOrigins.SetPlaceHolder("https://portal.example.lv")
	v.agentPort = line("", strconv.Itoa(agent.DefaultPort))
	if s.AgentPort != 0 {
		v.agentPort.SetText(strconv.Itoa(s.AgentPort))
	}
	agentNote := widget.NewLabel(i18n.T("ui.set.agent_note", map[string]any{"Port": agentPort(a)}))
	agentNote.Wrapping = fyne.TextWrapWord
	// The language: the system's (empty) or one Signet speaks, by its own
	// name.
	var names []string
	for _, l := range i18n.Languages {
		names = append(names, l.Name)
	}
	// First, the system's language (no choice kept), named with what it
	// is now: the field always shows the language in use.
	system := i18n.T("settings.language_system", map[string]any{"Name": languageName(i18n.Match(i18n.FromEnvironment()))})
	v.language = newSelect(append([]string{system}, names...), nil)
	v.language.SetSelected(system)
	for _, l := range i18n.Languages {
		if l.Tag == i18n.Match(s.Language) && s.Language != "" {
			v.language.SetSelected(l.Name)
		}
	}
	// Each tab scrolls: the services' fields are more than a window's
	// height, and the dialog's buttons must never sit on top of them.
	tab := func(name string, content fyne.CanvasObject) *container.TabItem {
		return container.NewTabItem(name, container.NewVScroll(content))
	}
	tabs := container.NewAppTabs(
		tab(i18n.T("settings.language"), widget.NewForm(func() *widget.FormItem {
			it := widget.NewFormItem(i18n.T("settings.language"), v.language)
			it.HintText = i18n.T("settings.language_restart")
			return it
		}())),
		tab(i18n.T("ui.set.tab_tokens"), widget.NewForm(func() *widget.FormItem {
			it := widget.NewFormItem(i18n.T("ui.set.modules"), v.modules)
			it.HintText = i18n.T("ui.set.modules_hint")
			return it
		}())),
		tab(i18n.T("ui.set.tab_signing"), widget.NewForm(
			widget.NewFormItem(i18n.T("ui.set.tsa"), v.tsa),
			widget.NewFormItem(i18n.T("ui.set.trust"), v.trust),
			widget.NewFormItem(i18n.T("ui.set.suffix"), v.suffix),
			widget.NewFormItem(i18n.T("ui.set.outdir"), v.outDir),
		)),
		tab(i18n.T("ui.set.tab_services"), widget.NewForm(
			widget.NewFormItem(i18n.T("ui.set.ep_id"), v.epID),
			widget.NewFormItem(i18n.T("ui.set.ep_secret"), v.epSecret),
			widget.NewFormItem(i18n.T("ui.set.rs_url"), v.rsURL),
			widget.NewFormItem(i18n.T("ui.set.rs_user"), v.rsUser),
			widget.NewFormItem(i18n.T("ui.set.rs_pass"), v.rsPass),
			widget.NewFormItem(i18n.T("ui.set.rs_code"), v.rsCode),
			widget.NewFormItem(i18n.T("ui.set.cmd_url"), v.cmdURL),
			widget.NewFormItem(i18n.T("ui.set.cmd_app"), v.cmdApp),
			widget.NewFormItem(i18n.T("ui.set.cmd_user"), v.cmdUser),
			widget.NewFormItem(i18n.T("ui.set.cmd_pass"), v.cmdPass),
			widget.NewFormItem(i18n.T("ui.set.bio_key"), v.bioKey),
			widget.NewFormItem(i18n.T("ui.set.bio_secret"), v.bioSecret),
			widget.NewFormItem(i18n.T("ui.set.aa_url"), v.aaURL),
			widget.NewFormItem(i18n.T("ui.set.aa_redirect"), v.aaRedirect),
			widget.NewFormItem(i18n.T("ui.set.aa_id"), v.aaID),
			widget.NewFormItem(i18n.T("ui.set.aa_secret"), v.aaSecret),
			widget.NewFormItem(i18n.T("ui.set.aa_instance"), v.aaInstance),
			widget.NewFormItem(i18n.T("ui.set.ce_url"), v.ceURL),
			widget.NewFormItem(i18n.T("ui.set.ce_key"), v.ceKey),
			widget.NewFormItem(i18n.T("ui.set.ce_ca"), v.ceCA),
		)),
		tab(i18n.T("ui.set.tab_agent"), container.NewVBox(v.agentOn, v.autostart, agentNote, widget.NewForm(
			func() *widget.FormItem {
				it := widget.NewFormItem(i18n.T("ui.set.agent_port"), v.agentPort)
				it.HintText = i18n.T("ui.set.agent_port_hint", map[string]any{"Default": agent.DefaultPort})
				return it
			}(),
			widget.NewFormItem(i18n.T("ui.set.origins"), v.origins),
			func() *widget.FormItem {
				it := widget.NewFormItem(i18n.T("ui.set.digest_origins"), v.digestOrigins)
				it.HintText = i18n.T("ui.set.digest_origins_hint")
				return it
			}()))),
		// Which Signet this is, as 'signet --version' says it: what a
		// bug report needs.
		tab(i18n.T("ui.set.tab_about"), func() fyne.CanvasObject {
			l := widget.NewLabel(version.Info().String())
			l.Selectable = true
			return l
		}()),
	)
	v.tabs = tabs
	v.dialog = dialog.NewCustomConfirm(i18n.T("ui.settings"), i18n.T("ui.save"), i18n.T("ui.cancel"), tabs, func(ok bool) {
		if ok {
			if err := a.saveSettings(v); err != nil {
				a.showError(i18n.T("ui.err.settings_not_saved"), err)
			}
		}
	}, a.win)
	size := a.win.Canvas().Size()
	v.dialog.Resize(fyne.NewSize(min(size.Width-20, 680), min(size.Height-20, 460)))
	a.keyed(v.dialog, v.dialog.Confirm)
	a.mu.Lock()
	a.settings = v
	a.mu.Unlock()
}

// lines are the non-empty lines of s, trimmed.
func lines(s string) []string {
	var out []string
	for l := range strings.Lines(s) {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// saveSettings checks and stores what the dialog holds.
func (a *App) saveSettings(v *settingsView) error {
	next := *a.cfg.Settings
	next.PKCS11Modules = lines(v.modules.Text)
	next.TSAURL = strings.TrimSpace(v.tsa.Text)
	next.TrustAnchors = lines(v.trust.Text)
	next.OutputSuffix = strings.TrimSpace(v.suffix.Text)
	next.OutputDir = strings.TrimSpace(v.outDir.Text)
	next.RemoteSigningURL = strings.TrimSpace(v.rsURL.Text)
	next.CMDURL = strings.TrimSpace(v.cmdURL.Text)
	next.AadhaarURL = strings.TrimSpace(v.aaURL.Text)
	next.CertEuropeURL = strings.TrimSpace(v.ceURL.Text)
	next.CertEuropeClientKey = strings.TrimSpace(v.ceKey.Text)
	next.CertEuropeServerCA = strings.TrimSpace(v.ceCA.Text)
	next.AadhaarRedirectURL = strings.TrimSpace(v.aaRedirect.Text)
	next.Language = ""
	for _, l := range i18n.Languages {
		if l.Name == v.language.Selected {
			next.Language = l.Tag
		}
	}
	next.Agent = v.agentOn.Checked
	next.AgentPort = 0
	if p := strings.TrimSpace(v.agentPort.Text); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return errors.New(i18n.T("ui.err.agent_port", map[string]any{"Port": p}))
		}
		if n != agent.DefaultPort {
			next.AgentPort = n
		}
	}
	if v.autostart.Checked != autostart.Installed() {
		if err := setAutostart(v.autostart.Checked); err != nil {
			return err
		}
	}
	next.AgentOrigins = lines(v.origins.Text)
	next.AgentDigestOrigins = lines(v.digestOrigins.Text)
	for _, o := range append(slices.Clone(next.AgentOrigins), next.AgentDigestOrigins...) {
		if !agent.ValidOrigin(o) {
			return i18n.Errorf("ui.set.err_origin", map[string]any{"Origin": o})
		}
	}
	if strings.ContainsAny(next.OutputSuffix, `/\`) {
		return i18n.Errorf("ui.set.err_suffix", nil)
	}
	if _, err := keys.LoadCertificates(next.TrustAnchors); err != nil {
		return i18n.Errorf("ui.set.err_anchors", map[string]any{"Err": err.Error()}, err)
	}
	if a.cfg.SettingsPath != "" {
		if err := config.Save(a.cfg.SettingsPath, &next); err != nil {
			return err
		}
	}
	if a.cfg.Secrets != nil {
		for _, c := range []struct {
			service, user string
			e             *widget.Entry
		}{
			{keyringEParaksts, "client-id", v.epID}, {keyringEParaksts, "client-secret", v.epSecret},
			{keyringRemoteSigning, "username", v.rsUser}, {keyringRemoteSigning, "password", v.rsPass},
			{keyringRemoteSigning, "rp-code", v.rsCode},
			{keyringCMD, "application-id", v.cmdApp}, {keyringCMD, "username", v.cmdUser}, {keyringCMD, "password", v.cmdPass},
			{keyringBiometrid, "key", v.bioKey}, {keyringBiometrid, "secret", v.bioSecret},
			{keyringAadhaar, "client-id", v.aaID}, {keyringAadhaar, "client-secret", v.aaSecret},
			{keyringAadhaar, "product-instance-id", v.aaInstance},
		} {
			if c.e.Text == "" || c.e.Text == a.secret(c.service, c.user) {
				continue
			}
			if err := a.cfg.Secrets.Set(c.service, c.user, c.e.Text); err != nil {
				return i18n.Errorf("ui.set.err_keyring", map[string]any{"What": c.user, "Err": err.Error()}, err)
			}
		}
		v.epSecret.SetText("")
		v.rsPass.SetText("")
		v.cmdPass.SetText("")
		v.bioSecret.SetText("")
		v.aaSecret.SetText("")
	}
	modulesChanged := strings.Join(next.PKCS11Modules, "\n") != strings.Join(a.cfg.Settings.PKCS11Modules, "\n")
	portWas := a.cfg.Settings.AgentPort
	*a.cfg.Settings = next
	a.loadAnchors()
	if modulesChanged && a.cfg.Reload != nil {
		mods := a.cfg.Reload(next.PKCS11Modules)
		a.mu.Lock()
		old := a.cfg.Modules
		a.cfg.Modules = mods
		a.mu.Unlock()
		if old != nil {
			old.Close()
		}
		a.run(a.signer.refresh)
	}
	// The agent is a process of its own: started, stopped, or told to
	// read the settings file again.
	if link := a.cfg.Agent; link != nil {
		switch connected := a.agentConnected(); {
		case connected && next.Agent && next.AgentPort != portWas:
			// Another port: the agent started again on it (in the
			// background: stopping waits for the old one to go).
			a.mu.Lock()
			a.agentURL = ""
			a.mu.Unlock()
			a.run(func() {
				if err := link.Stop(); err != nil {
					a.do(func() { a.showError(i18n.T("ui.err.agent_start"), err) })
					return
				}
				a.connectAgent()
			})
		case next.Agent && !connected:
			a.connectAgent()
		case !next.Agent && connected:
			a.mu.Lock()
			a.agentURL = ""
			a.mu.Unlock()
			a.run(func() {
				if err := link.Stop(); err != nil {
					a.do(func() { a.showError(i18n.T("ui.err.agent_start"), err) })
				}
			})
		case connected:
			if err := link.Reload(); err != nil {
				return err
			}
		}
	}
	a.options.updateTSANote()
	a.setStatus("%s", i18n.T("ui.status.settings_saved"))
	if lang := effectiveLanguage(next.Language); lang != i18n.Current() {
		a.offerRestart(lang)
	}
	return nil
}

// effectiveLanguage is the language the app speaks with this choice: the
// one chosen, else the system's.
func effectiveLanguage(chosen string) string {
	if chosen != "" {
		return i18n.Match(chosen)
	}
	return i18n.Match(i18n.FromEnvironment())
}

// offerRestart asks, in the language chosen, to start again in it: the
// window's words are built once, so the language changes with a new
// start (the documents on the list are kept).
func (a *App) offerRestart(lang string) {
	l := i18n.For(lang)
	msg := i18n.In(l, "ui.restart_msg", -1, map[string]any{"Language": languageName(lang)})
	d := dialog.NewConfirm(i18n.In(l, "ui.restart_title", -1), msg, func(ok bool) {
		if ok {
			a.restartNow()
		}
	}, a.win)
	d.SetConfirmText(i18n.In(l, "ui.restart_now", -1))
	d.SetDismissText(i18n.In(l, "ui.restart_later", -1))
	a.mu.Lock()
	a.restartDialog = d
	a.mu.Unlock()
	a.keyed(d, d.Confirm)
}

// restartNow ends the window so that Main starts it again with the same
// documents (unless work is under way: then it says so).
func (a *App) restartNow() {
	if a.isBusy() {
		a.showError(i18n.T("ui.err.busy_restart"), errors.New(i18n.T("ui.err.busy_restart_why")))
		return
	}
	var files []string
	for _, e := range a.docs.all() {
		files = append(files, e.path)
	}
	a.mu.Lock()
	a.restart = append([]string{}, files...) // non-nil: restart
	a.mu.Unlock()
	a.fyne.Quit()
}

// Restart tells whether the window ended to start again, and with which
// documents.
func (a *App) Restart() (files []string, ok bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.restart, a.restart != nil
}

// executable is the program the autostart entry runs: signet, the
// command line beside this window program (tests set it).
var executable = bridge.CLIProgram

// setAutostart starts the agent at login, or no longer (an XDG autostart
// entry running this program with "agent", as signet agent
// --install-autostart writes).
func setAutostart(on bool) error {
	if !on {
		_, err := autostart.Remove()
		return err
	}
	exe, err := autostart.Program(executable)
	if err != nil {
		return err
	}
	_, err = autostart.Install(exe)
	return err
}

// languageName is the own name of the language tag, English when Signet
// does not speak it.
func languageName(tag string) string {
	for _, l := range i18n.Languages {
		if l.Tag == tag {
			return l.Name
		}
	}
	return i18n.Languages[0].Name
}

// agentPort is the agent's port as set.
func agentPort(a *App) int {
	if a.cfg.Settings.AgentPort != 0 {
		return a.cfg.Settings.AgentPort
	}
	return agent.DefaultPort
}
