package escape

import (
	"strings"
	"testing"
)

func TestText(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"ok idempotent", Text("x\n\x1b\u202e"), `x\n\x1b\u202e`},
		{"ok plain", "līgums 2026.pdf", "līgums 2026.pdf"},
		{"ok Hindi and Vietnamese kept", "अनुबंध Nguyễn", "अनुबंध Nguyễn"},
		{"ok a forged line", "a.txt\n  ✓ valid — SPOOFED", `a.txt\n  ✓ valid — SPOOFED`},
		{"ok terminal escapes", "\x1b]0;title\x07\x1b[2J", `\x1b]0;title\x07\x1b[2J`},
		{"ok bidi override", "invoice\u202efdp.exe", `invoice\u202efdp.exe`},
		{"ok zero width and separators", "a\u200bb\u2028c", `a\u200bb\u2028c`},
		{"ok C1 control", "a\u009bb", `a\u009bb`},
		{"ok invalid UTF-8", "a\xffb", `a\xffb`},
		{"ok backslashes kept, escaping twice changes nothing", `a\nb`, `a\nb`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Text(tc.in); got != tc.want {
				t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestCutAndList(t *testing.T) {
	if got := Cut(strings.Repeat("ā", 10), 4); got != "āāāā… (6 more characters)" {
		t.Errorf("Cut = %q", got)
	}
	names := make([]string, 2_000_000)
	for i := range names {
		names[i] = "f"
	}
	names[0] = "x\ny"
	if got := List(names, 3); got != `x\ny, f, f and 1999997 more` {
		t.Errorf("List = %q", got)
	}
}

func TestJSON(t *testing.T) {
	in := []byte(`{"name":"a\u202eb","x":"c` + "\u202e" + `d\u007f` + "\x7f" + `","ok":"Nguyễn"}`)
	got := string(JSON(in))
	want := `{"name":"a\u202eb","x":"c\u202ed\u007f\u007f","ok":"Nguyễn"}`
	if got != want {
		t.Errorf("JSON = %s, want %s", got, want)
	}
}
