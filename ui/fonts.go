package ui

import (
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/signet-sign/signet/i18n"
)

// Fyne's own font has no Devanagari: Hindi falls back to a system font,
// and that fallback asks for no weight, so bold Hindi (headings, names
// of checks, titles) came out regular. For Hindi the bold face is a
// system Devanagari bold font, Fyne's bold font behind it for Latin
// (Fyne tries the theme's font first, then its own, for each letter).

// devanagariBold are where distributions put a bold Devanagari font
// (Debian and Ubuntu's fonts-noto-core, Fedora, Arch; SIL Annapurna).
var devanagariBold = []string{
	"/usr/share/fonts/truetype/noto/NotoSansDevanagari-Bold.ttf",
	"/usr/share/fonts/google-noto/NotoSansDevanagari-Bold.ttf",
	"/usr/share/fonts/noto/NotoSansDevanagari-Bold.ttf",
	"/usr/share/fonts/truetype/annapurna/AnnapurnaSIL-Bold.ttf",
}

// scriptTheme is the default theme with a bold face for the language's
// script when Fyne's has none.
type scriptTheme struct {
	fyne.Theme
	bold fyne.Resource
}

func (t *scriptTheme) Font(s fyne.TextStyle) fyne.Resource {
	if s.Bold && !s.Monospace && !s.Italic && !s.Symbol {
		return t.bold
	}
	return t.Theme.Font(s)
}

// languageTheme is the theme for the current language: the default one,
// or for Hindi with a Devanagari bold face when the system has one (nil:
// keep the default).
func languageTheme() fyne.Theme {
	if i18n.Current() != "hi" {
		return nil
	}
	for _, path := range devanagariBold {
		if data, err := os.ReadFile(path); err == nil {
			return &scriptTheme{Theme: theme.DefaultTheme(), bold: fyne.NewStaticResource("devanagari-bold.ttf", data)}
		}
	}
	return nil
}
