package ui

import (
	"os"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"golang.org/x/image/font/sfnt"

	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/internal/softhsmtest"
	"github.com/signet-sign/signet/internal/version"
)

// TestLanguagesInTheApp: in each language the main window's button, the
// PIN dialog and a verification report speak it, and the button's words
// fit at the default window size.
func TestLanguagesInTheApp(t *testing.T) {
	t.Cleanup(func() { i18n.Set("en") })
	for _, l := range i18n.Languages {
		t.Run(l.Tag, func(t *testing.T) {
			i18n.Set(l.Tag)
			h := newHarness(t, nil, nil)
			// The app's own theme and fonts, as people see them (the
			// test theme's metrics differ).
			test.ApplyTheme(t, theme.DefaultTheme())
			h.app.win.Resize(fyne.NewSize(1280, 760))
			h.docs("a.pdf", "b.pdf")
			want := i18n.N("app.sign_button", 2)
			if h.app.signBtn.Text != want {
				t.Errorf("button %q, want %q", h.app.signBtn.Text, want)
			}
			if min, got := h.app.signBtn.MinSize().Width, h.app.signBtn.Size().Width; min > got {
				t.Errorf("the button's words need %.0f, it has %.0f", min, got)
			}
			// The three columns and the toolbar fit the default window.
			if min, got := h.app.win.Content().MinSize().Width, h.app.win.Canvas().Size().Width; min > got {
				t.Errorf("the window's content needs %.0f points, the default window has %.0f", min, got)
			}
			if got := describeDocument(h.app.docs.entry(0)).details; !strings.HasPrefix(got, i18n.N("docs.pages", 1)) || !strings.HasSuffix(got, i18n.T("docs.not_signed")) {
				t.Errorf("row %q", got)
			}
			h.choose(softhsmtest.MainToken, "P-256 signing")
			test.Tap(h.app.signBtn)
			sd := h.answer(softhsmtest.PIN)
			// The sentence is the language's: with the key's description
			// as it is shown, the template in this language fills to it.
			explained := secretExplanation(sd.req)
			key := sd.req.Key
			if i := strings.Index(explained, "Zoë Ørsted"); i >= 0 {
				key = explained[i:]
				key = key[:strings.Index(key, ")")+1]
			}
			if sd.title != i18n.T("pin.title.token") || explained != i18n.T("pin.explain.token_key", map[string]any{"Token": sd.req.Token, "Key": key}) {
				t.Errorf("PIN dialog %q: %q", sd.title, explained)
			}
			rows := h.results()
			if len(rows) != 2 || !rows[0].OK || rows[0].Verdict != i18n.N("docs.signatures_unchecked", 1) {
				t.Fatalf("results %+v (%v)", rows, h.lastError())
			}
			h.add(rows[0].Output)
			e := h.app.docs.entry(2)
			h.app.showReport(e)
			h.app.mu.Lock()
			body := h.app.report
			h.app.mu.Unlock()
			if !strings.Contains(texts(body), i18n.T("report.not_fully_checked")) {
				t.Errorf("report:\n%s", texts(body))
			}
		})
	}
}

// TestSettingsScrollAndSpeak (issue 31, 1 and 3): every settings tab
// scrolls (the services' fields are taller than the dialog, whose buttons
// must not cover them), and in Latvian the tabs' names, the placeholders
// and the agent's note are Latvian.
func TestSettingsScrollAndSpeak(t *testing.T) {
	t.Cleanup(func() { i18n.Set("en") })
	i18n.Set("lv")
	h := newHarness(t, nil, nil)
	test.ApplyTheme(t, theme.DefaultTheme())
	h.app.showSettings()
	v := h.app.settings
	var names []string
	for _, it := range v.tabs.Items {
		names = append(names, it.Text)
		sc, ok := it.Content.(*container.Scroll)
		if !ok {
			t.Errorf("tab %q does not scroll", it.Text)
			continue
		}
		if it.Text == i18n.T("ui.set.tab_services") && sc.Content.MinSize().Height <= 460 {
			t.Errorf("the services' fields (%.0f high) fit the dialog: the test would not see them cut", sc.Content.MinSize().Height)
		}
	}
	for _, english := range []string{"Tokens", "Signing", "Services", "Agent"} {
		for _, n := range names {
			if n == english {
				t.Errorf("tab %q is not translated", n)
			}
		}
	}
	for _, e := range []*widget.Entry{v.tsa, v.outDir, v.cmdURL, v.ceCA, v.aaRedirect} {
		if strings.Contains(e.PlaceHolder, "needed") || strings.Contains(e.PlaceHolder, "beside") || strings.Contains(e.PlaceHolder, "documented") ||
			strings.Contains(e.PlaceHolder, "if any") || strings.Contains(e.PlaceHolder, "your public") {
			t.Errorf("placeholder %q is English", e.PlaceHolder)
		}
	}
	if !strings.Contains(texts(v.tabs.Items[4].Content), "Aģents klausās") {
		t.Errorf("the agent's note is not Latvian:\n%s", texts(v.tabs.Items[4].Content))
	}
	// issue 31, 16: the About tab says the version as --version does.
	if about := texts(v.tabs.Items[5].Content); v.tabs.Items[5].Text != "Par Signet" || !strings.Contains(about, "Signet "+version.Signet) {
		t.Errorf("about tab %q: %s", v.tabs.Items[5].Text, about)
	}
}

// TestLanguageChangeOffersRestart (issue 31, 11): choosing another
// language and saving offers, in that language, to start again in it;
// yes ends the window with the documents kept for the new start. The
// same language offers nothing.
func TestLanguageChangeOffersRestart(t *testing.T) {
	t.Cleanup(func() { i18n.Set("en") })
	i18n.Set("en")
	t.Setenv("SIGNET_LANG", "")
	t.Setenv("LANG", "C")
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	h := newHarness(t, nil, nil)
	docs := h.docs("a.pdf")
	h.app.showSettings()
	h.app.settings.language.SetSelected("Latviešu")
	h.app.settings.dialog.Confirm()
	h.app.mu.Lock()
	offer := h.app.restartDialog
	h.app.mu.Unlock()
	if offer == nil {
		t.Fatal("no restart offered")
	}
	said := allTexts(h.app.win.Canvas().Overlays().Top())
	if !strings.Contains(said, "Signet runās Latviešu valodā no nākamās palaišanas") {
		t.Errorf("the offer is not in Latvian:\n%s", said)
	}
	offer.Confirm()
	files, ok := h.app.Restart()
	if !ok || len(files) != 1 || files[0] != docs[0] {
		t.Errorf("restart %v with %q", ok, files)
	}

	// Saved again with the language in use: no offer.
	h.app.mu.Lock()
	h.app.restartDialog = nil
	h.app.mu.Unlock()
	i18n.Set("lv")
	h.app.showSettings()
	h.app.settings.dialog.Confirm()
	if h.app.restartDialog != nil {
		t.Error("a restart offered with the language unchanged")
	}
}

// TestSmallScreen (issue 31, 15): in every language the window fits an
// 800×600 screen — the documents beside the key and the options in tabs,
// the toolbar's buttons as icons (the menu has their words) — and at
// 1280×760 the three columns and the toolbar's words show.
func TestSmallScreen(t *testing.T) {
	t.Cleanup(func() { i18n.Set("en") })
	for _, l := range i18n.Languages {
		t.Run(l.Tag, func(t *testing.T) {
			i18n.Set(l.Tag)
			h := newHarness(t, nil, nil)
			test.ApplyTheme(t, theme.DefaultTheme())
			h.docs("a.pdf")
			for _, tc := range []struct {
				size fyne.Size
				mode int // at least
			}{
				{fyne.NewSize(800, 600), 2},
				{fyne.NewSize(1280, 760), 3},
			} {
				h.app.win.Resize(tc.size)
				if min := h.app.win.Content().MinSize(); min.Width > tc.size.Width || min.Height > tc.size.Height {
					t.Errorf("%v: the window needs %v", tc.size, min)
				}
				h.app.win.Content().Refresh()
				if got := h.app.columns.Mode(); got < tc.mode {
					t.Errorf("%v: %d columns, want %d", tc.size, got, tc.mode)
				}
				// The toolbar's words show only where they fit: no
				// button over another.
				if words := h.app.toolbar.wordsWidth(); !h.app.toolbar.Compact() && words > h.app.toolbar.Size().Width {
					t.Errorf("%v: the toolbar's words need %.0f, it has %.0f", tc.size, words, h.app.toolbar.Size().Width)
				}
				if tc.size.Width == 1280 && h.app.toolbar.Compact() {
					t.Errorf("%v: the toolbar hides its words", tc.size)
				}
			}
		})
	}
}

// TestHindiBold (issue 31, 15): Hindi headings keep their bold — the
// theme's bold face for Hindi is a Devanagari bold font of the system
// (the packages install fonts-noto-core).
func TestHindiBold(t *testing.T) {
	t.Cleanup(func() { i18n.Set("en") })
	i18n.Set("en")
	if languageTheme() != nil {
		t.Error("a script theme for English")
	}
	i18n.Set("hi")
	th := languageTheme()
	if th == nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("no Devanagari bold font (fonts-noto-core) under CI")
		}
		t.Skip("no Devanagari bold font installed (fonts-noto-core)")
	}
	bold := th.Font(fyne.TextStyle{Bold: true})
	f, err := sfnt.Parse(bold.Content())
	if err != nil {
		t.Fatal(err)
	}
	var b sfnt.Buffer
	if g, err := f.GlyphIndex(&b, 'ह'); err != nil || g == 0 {
		t.Errorf("the bold face %s has no Devanagari", bold.Name())
	}
	if th.Font(fyne.TextStyle{}) != theme.DefaultTheme().Font(fyne.TextStyle{}) {
		t.Error("the regular face changed")
	}
}
