package cmd

import (
	"fmt"
	"strings"
	"unicode"
)

// UserID normalises a phone number as a person types it to the form the
// specification gives for UserId: "+351 966666666" — the country code
// with its plus sign, one space, the national number. Spaces, dots,
// dashes and brackets are dropped; "00" stands for "+"; a bare nine-digit
// number starting with 9 is Portuguese. A foreign number must say where
// its country code ends ("+44 7700900123"), since that cannot be guessed.
func UserID(typed string) (string, error) {
	s := strings.TrimSpace(typed)
	if s == "" {
		return "", fmt.Errorf("no phone number: type the number of your Chave Móvel Digital, e.g. 912 345 678")
	}
	if rest, ok := strings.CutPrefix(s, "00"); ok {
		s = "+" + rest
	}
	cc := ""
	if rest, ok := strings.CutPrefix(s, "+"); ok {
		// The country code ends at the first separator, or is 351.
		rest = strings.TrimLeft(rest, " ")
		if i := strings.IndexFunc(rest, func(r rune) bool { return !unicode.IsDigit(r) }); i > 0 {
			cc, s = rest[:i], rest[i:]
		} else if p, ok := strings.CutPrefix(rest, "351"); ok {
			cc, s = "351", p
		} else {
			return "", fmt.Errorf("phone number %q: put a space after the country code, e.g. +44 7700900123", typed)
		}
	}
	var digits strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
		case r == ' ' || r == '.' || r == '-' || r == '(' || r == ')':
		default:
			return "", fmt.Errorf("phone number %q: %q is not a digit", typed, r)
		}
	}
	n := digits.String()
	if cc == "" {
		cc = "351"
	}
	if cc == "351" {
		if len(n) != 9 || n[0] != '9' {
			return "", fmt.Errorf("phone number %q: a Portuguese mobile number has nine digits and starts with 9", typed)
		}
	} else if len(cc) > 3 || len(n) < 4 || len(n) > 14 {
		return "", fmt.Errorf("phone number %q is not an international mobile number", typed)
	}
	return "+" + cc + " " + n, nil
}
