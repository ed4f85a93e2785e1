package agent

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Text a page sends (document names, reason, location, the lines of a
// visible signature) is shown to the person before they approve, and the
// reason, location and lines are then written into the PDF. What is
// shown must be what is signed, and nothing in it may pass for Signet's
// own words or hide: [CleanText] makes the one form used for both.

// Limits on the text of a PDF request, checked before anyone is asked:
// longer text is refused, never cut, so that the person sees every
// character that will be signed. (openapi.yaml states them.)
const (
	// MaxText bounds the reason, the location and each visible line, in
	// characters after cleaning.
	MaxText = 500
	// MaxLines bounds the lines of a visible signature's text.
	MaxLines = 8
	// maxDisplayName bounds a document name shown to the person: a name
	// is not signed, only shown, so a long one is cut.
	maxDisplayName = 80
	// maxMarks bounds the combining marks kept on one base character:
	// real scripts use a few (Vietnamese two), stacks of dozens draw over
	// the lines around them.
	maxMarks = 4
)

// CleanText is text from a page as the person is shown it and as it is
// signed. Removed: control characters (a newline would fake a line of
// the dialog), formatting, bidirectional and other default-ignorable
// code points (which reorder or hide text), blank lookalikes that are no
// white space (Hangul fillers, the braille blank), combining marks with
// no letter to sit on or that overlay the text (U+0336 strikes the
// letters around it), and marks past maxMarks on one letter. Runs of
// white space become one space; none leads or trails.
func CleanText(s string) string {
	var b strings.Builder
	space := false // a space is owed before the next character
	marks := -1    // marks on the last base character; -1: no base
	for _, r := range s {
		switch {
		case unicode.IsSpace(r): // line breaks and tabs included
			space = b.Len() > 0
			marks = -1
			continue
		case r == utf8.RuneError, unicode.IsControl(r), ignorable(r):
			continue
		case unicode.In(r, unicode.Mn, unicode.Me):
			if marks < 0 || marks >= maxMarks || overlay(r) {
				continue
			}
			marks++
			b.WriteRune(r)
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
		marks = 0
	}
	return b.String()
}

// ignorable: code points that draw nothing or change how the text
// around them is drawn.
func ignorable(r rune) bool {
	return unicode.In(r, unicode.Cf, unicode.Bidi_Control, unicode.Join_Control,
		unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector) ||
		r == '\u2800' // BRAILLE PATTERN BLANK: an empty cell, not a space
}

// overlay: a combining mark of canonical combining class 1 (Overlay),
// drawn across its base: U+0334–U+0338 and their kin.
func overlay(r rune) bool {
	return norm.NFD.PropertiesString(string(r)).CCC() == 1
}

// DisplayName makes a document name a page gave safe to show:
// [CleanText], cut to maxDisplayName characters.
func DisplayName(name string) string {
	name = CleanText(name)
	if utf8.RuneCountInString(name) <= maxDisplayName {
		return name
	}
	n := 0
	for i := range name {
		if n == maxDisplayName {
			return strings.TrimRight(name[:i], " ") + "…"
		}
		n++
	}
	return name
}
