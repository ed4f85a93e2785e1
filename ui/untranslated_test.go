package ui

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/BurntSushi/toml"

	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/internal/config"
	"github.com/signet-sign/signet/internal/softhsmtest"
	"github.com/signet-sign/signet/remote/aadhaar"
)

// TestNoEnglishOnScreen (issue 31, 3): in each other language, the words
// that reach the widgets of the screens a person walks through — the
// list, a signing's results, a report, an error, the certificate's
// details, the settings, the extend question — are that language's.
// A word of the English catalogue the language's catalogue never uses is
// English that slipped through, whether a literal, a formatted string or
// an error from below. What comes from the person's data (file names,
// token and key labels, certificate names) is not looked at, nor an
// error's technical detail, which is shown as such (fixed-width).
func TestNoEnglishOnScreen(t *testing.T) {
	t.Cleanup(func() { i18n.Set("en") })
	for _, l := range i18n.Languages[1:] {
		t.Run(l.Tag, func(t *testing.T) {
			i18n.Set(l.Tag)
			english := englishOnly(t, l.Tag)
			h := newHarness(t, &config.Config{TSAURL: "http://127.0.0.1:9/tsa"}, nil)
			var data []string // the person's data, as shown
			for _, c := range h.app.signer.all() {
				data = append(data, c.Name, c.Label, c.Token, c.Subject, c.Issuer)
			}
			data = append(data, h.dir, h.env.PKI.Root.Cert.Subject.CommonName, h.env.PKI.Intermediate.Cert.Subject.CommonName,
				"-signed", "-extended", "Signature1", "Signature2") // the default names of copies, the signature's field
			for _, lang := range i18n.Languages {
				data = append(data, lang.Name) // each language by its own name
			}
			look := func(where string, o fyne.CanvasObject) {
				t.Helper()
				for _, s := range shownTexts(o) {
					for _, d := range data {
						if d != "" {
							s = strings.ReplaceAll(s, d, "")
						}
					}
					for _, w := range words(s) {
						if english[strings.ToLower(w)] {
							t.Errorf("%s: English %q in %q", where, w, s)
							break
						}
					}
				}
			}
			top := func() fyne.CanvasObject { return h.app.win.Canvas().Overlays().Top() }
			h.docs("līgums.pdf", "bojāts.pdf")
			h.choose(softhsmtest.MainToken, "P-256 signing")
			look("main window", h.app.win.Content())
			h.app.docs.list.Select(0)
			test.Tap(h.app.signBtn)
			h.answer(softhsmtest.PIN)
			h.results()
			look("results", top())
			top().Hide()
			h.add(h.app.lastResults[0].Output)
			h.app.showReport(h.app.docs.entry(2))
			look("report", top())
			top().Hide()
			h.app.showReport(h.app.docs.entry(1))
			look("report of a broken file", top())
			top().Hide()
			// Signed again: the first signature's report names the
			// changes after it.
			h.app.docs.list.Select(2)
			h.app.mu.Lock()
			h.app.lastResults = nil
			h.app.mu.Unlock()
			test.Tap(h.app.signBtn)
			h.answer(softhsmtest.PIN)
			h.results()
			top().Hide()
			h.add(h.app.lastResults[0].Output)
			h.app.showReport(h.app.docs.entry(3))
			look("report of a document signed twice", top())
			top().Hide()
			h.app.signer.showDetails()
			look("certificate details", top())
			top().Hide()
			h.app.docs.list.Select(2)
			h.app.extendForArchive(h.app.docs.entry(2))
			look("extend", top())
			top().Hide()
			// The Aadhaar signers as the service reports them: how far
			// the request is, and a signer's failed attempt (issue 31, 3:
			// a service's error codes are said too).
			var st *aadhaarStatus
			h.off(func() { st = h.app.showAadhaarStatus(func() {}) })
			st.update(h.app, &aadhaar.Request{ID: "req-7", Signers: []aadhaar.Signer{
				{DisplayName: "Asha Rao", Status: aadhaar.SignerSigned},
				{DisplayName: "Ravi Kumar", Status: aadhaar.SignerPending, ErrCode: "otp_expired", URL: "https://esign.example/s/2"},
			}})
			data = append(data, "req-7", "Asha Rao", "Ravi Kumar")
			look("Aadhaar signers", top())
			top().Hide()
			h.app.showSettings()
			for _, it := range h.app.settings.tabs.Items {
				look("settings tab "+it.Text, it.Content)
			}
			top().Hide()
		})
	}
}

// englishOnly are the words (five letters or more) of the English
// catalogue that the language's catalogue never uses.
func englishOnly(t *testing.T, tag string) map[string]bool {
	theirs := map[string]bool{}
	for _, s := range catalogueTexts(t, tag) {
		for _, w := range words(s) {
			theirs[strings.ToLower(w)] = true
		}
	}
	out := map[string]bool{}
	for _, s := range catalogueTexts(t, "en") {
		for _, w := range words(s) {
			if w := strings.ToLower(w); len(w) >= 5 && !theirs[w] {
				out[w] = true
			}
		}
	}
	return out
}

// catalogueTexts are every message of a language's catalogue, each
// plural form its own.
func catalogueTexts(t *testing.T, tag string) []string {
	t.Helper()
	var m map[string]any
	if _, err := toml.DecodeFile(filepath.Join("..", "i18n", "locales", tag+".toml"), &m); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, v := range m {
		switch v := v.(type) {
		case string:
			out = append(out, v)
		case map[string]any:
			for _, f := range v {
				if s, ok := f.(string); ok {
					out = append(out, s)
				}
			}
		}
	}
	return out
}

var template = regexp.MustCompile(`{{[^}]*}}`)

// words are the runs of letters of s, templates' fields left out.
func words(s string) []string {
	return strings.FieldsFunc(template.ReplaceAllString(s, " "), func(r rune) bool { return !unicode.IsLetter(r) })
}

// shownTexts are the texts widgets under o show a person: labels (an
// error's fixed-width detail aside), buttons, placeholders, choices,
// cards, forms.
func shownTexts(o fyne.CanvasObject) []string {
	var out []string
	walkObjects(o, func(o fyne.CanvasObject) {
		switch w := o.(type) {
		case *widget.Label:
			if !w.TextStyle.Monospace {
				out = append(out, w.Text)
			}
		case *widget.Button:
			out = append(out, w.Text)
		case *widget.Entry:
			out = append(out, w.PlaceHolder)
		case *widget.Select:
			out = append(out, w.PlaceHolder)
			out = append(out, w.Options...)
		case *widget.RadioGroup:
			out = append(out, w.Options...)
		case *widget.Check:
			out = append(out, w.Text)
		case *widget.Card:
			out = append(out, w.Title, w.Subtitle)
		}
	})
	return out
}
