// Package escape makes text that comes from a file safe to print or show:
// a name, a subject or a message from a container, a PDF or a service
// can hold a newline that fakes a line of Signet's own output (a forged
// "✓ valid"), terminal escape sequences (a window title, a cleared
// screen), or bidirectional and invisible characters that reorder or
// hide what is read. [Text] writes every such character as an escape a
// person can see; [Cut] bounds a line's length.
package escape

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Text returns s with control characters, bidirectional and other
// formatting characters, default-ignorable code points and invalid UTF-8
// written as visible escapes (\n, \t, \x1b, \u202e, \xff). Everything
// else is kept: the letters of every script, spaces, and backslashes (so
// that escaping twice changes nothing: a name that spells "\n" itself
// shows as such, which prints no line of its own).
func Text(s string) string {
	if !needs(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case hidden(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// needs reports whether s has anything Text changes.
func needs(s string) bool {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && n == 1) || r < 0x20 || r == 0x7f || hidden(r) {
			return true
		}
		i += n
	}
	return false
}

// hidden: C1 controls, formatting (bidi included), default-ignorable and
// line/paragraph separators.
func hidden(r rune) bool {
	return unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp, unicode.Bidi_Control,
		unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector)
}

// Cut bounds s to max runes, ending it with "…" and how much was left
// out when it is longer: no single line of output grows without bound.
func Cut(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	n := 0
	for i := range s {
		if n == max {
			return fmt.Sprintf("%s… (%d more characters)", s[:i], utf8.RuneCountInString(s[i:]))
		}
		n++
	}
	return s
}

// List joins names (each escaped) with ", ", naming at most max of them
// and counting the rest: a manifest of two million names says so in one
// short line.
func List(names []string, max int) string {
	shown := names
	if len(shown) > max {
		shown = shown[:max]
	}
	out := make([]string, len(shown))
	for i, n := range shown {
		out[i] = Cut(Text(n), 200)
	}
	s := strings.Join(out, ", ")
	if rest := len(names) - len(shown); rest > 0 {
		s += fmt.Sprintf(" and %d more", rest)
	}
	return s
}

// JSON rewrites, in JSON text b, every character Text would escape and
// encoding/json does not (formatting and bidirectional characters, C1
// controls, DEL) as a \u escape: the same strings to a JSON reader, and
// nothing that reorders or hides text on a terminal that shows it. Such
// characters can only stand inside JSON strings, where \u escapes are
// valid.
func JSON(b []byte) []byte {
	if !needs(string(b)) {
		return b
	}
	var out strings.Builder
	out.Grow(len(b))
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		switch {
		case r == utf8.RuneError && n == 1, r == '\\', r < 0x20:
			out.Write(b[i : i+n]) // invalid bytes are encoding/json's; the rest is escaped already
		case r == 0x7f || hidden(r):
			if r > 0xffff {
				r1, r2 := utf16.EncodeRune(r)
				fmt.Fprintf(&out, `\u%04x\u%04x`, r1, r2)
			} else {
				fmt.Fprintf(&out, `\u%04x`, r)
			}
		default:
			out.Write(b[i : i+n])
		}
		i += n
	}
	return []byte(out.String())
}
