package pdf

import (
	"strings"
	"testing"
	"time"
)

// TestDefaultLinesLanguage: the words of a visible signature's default
// lines in the language asked, the date the same everywhere; Hindi, which
// the signature font cannot draw, in English.
func TestDefaultLinesLanguage(t *testing.T) {
	at := time.Date(2026, 12, 3, 10, 4, 5, 0, time.FixedZone("", 2*3600))
	for lang, want := range map[string]string{
		"":   "Digitally signed by Zoë Ørsted",
		"lv": "Elektroniski parakstījis Zoë Ørsted",
		"pt": "Assinado digitalmente por Zoë Ørsted",
		"vi": "Ký số bởi Zoë Ørsted",
		"fr": "Signé numériquement par Zoë Ørsted",
		"hi": "Digitally signed by Zoë Ørsted",
	} {
		lines := defaultLines(lang, "Zoë Ørsted", at, "R", "L")
		if lines[0] != want || len(lines) != 4 || !strings.HasSuffix(lines[1], "2026-12-03 10:04:05 +02:00") {
			t.Errorf("%q: %q", lang, lines)
		}
		for _, l := range lines {
			if !canDraw(l) {
				t.Errorf("%q: the font cannot draw %q", lang, l)
			}
		}
	}
}
