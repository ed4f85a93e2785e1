package ui

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/signet-sign/signet/flow"
	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/internal/escape"
	"github.com/signet-sign/signet/prompt"
)

// showError shows err once, in words, with what the person can do about
// it. A cancellation by the person is not an error to show.
func (a *App) showError(title string, err error) {
	if err == nil || errors.Is(err, prompt.ErrCancelled) {
		return
	}
	a.mu.Lock()
	a.lastError = err
	a.mu.Unlock()
	d := dialog.NewCustom(title, i18n.T("ui.ok"), a.errorContent(err), a.win)
	d.Resize(fyne.NewSize(520, 0))
	a.keyed(d, nil)
	a.setStatus("%s", title)
}

// errorContent is the message with its hint.
func (a *App) errorContent(err error) fyne.CanvasObject {
	// An error can quote what a file holds: shown escaped.
	said, detail := i18n.Explain(err)
	if said == "" {
		said = i18n.T("err.unexplained")
	}
	msg := widget.NewLabel(sentence(escape.Text(said)))
	msg.Wrapping = fyne.TextWrapWord
	items := []fyne.CanvasObject{container.NewBorder(nil, nil, widget.NewIcon(theme.ErrorIcon()), nil, msg)}
	if detail != "" {
		items = append(items, detailLabel(detail))
	}
	if h := flow.Hint(err); h != "" {
		hint := widget.NewLabel(i18n.T("ui.what_to_do", map[string]any{"Hint": sentence(h)}))
		hint.Wrapping = fyne.TextWrapWord
		hint.Importance = widget.MediumImportance
		items = append(items, hint)
	}
	return container.NewVBox(items...)
}

// detailLabel shows an error's technical detail as such: small, in a
// fixed-width face, English as it came (not a sentence of the app's).
func detailLabel(detail string) *widget.Label {
	l := widget.NewLabelWithStyle(i18n.T("ui.details", map[string]any{"Detail": escape.Text(detail)}), fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	l.Wrapping = fyne.TextWrapWord
	l.SizeName = theme.SizeNameCaptionText
	return l
}

// errorParts is err in the person's language as far as it can say
// itself, and its English detail (i18n.Explain), escaped: an error can
// quote what a file holds.
func (a *App) errorParts(err error) (said, detail string) {
	said, detail = i18n.Explain(err)
	if said == "" {
		said = i18n.T("err.unexplained")
	}
	return escape.Text(said), escape.Text(detail)
}

// capitalize starts s with a capital letter.
func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// sentence starts a message with a capital and ends it with a period.
func sentence(s string) string {
	s = capitalize(strings.TrimSpace(s))
	if s == "" {
		return s
	}
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "?") && !strings.HasSuffix(s, "!") {
		s += "."
	}
	return s
}
