// Package redact hides credentials in URLs before they reach an error
// message, a log or a web page: https://user:secret@tsa.example/ becomes
// https://user:xxxxx@tsa.example/ (net/url's Redacted form).
package redact

import (
	"net/url"
	"regexp"
	"strings"
)

// URL returns s with the password of its user information hidden; a
// string that is not a URL comes back unchanged.
func URL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil || strings.ContainsAny(s, " \t\n") {
		return Text(s)
	}
	return u.Redacted()
}

// userinfo matches the user information of a URL inside any text:
// scheme://user:password@ (RFC 3986 3.2.1).
var userinfo = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://[^\s/?#@:]*):[^\s/?#@]*@`)

// Text hides the password of every URL in s, for messages that carry
// URLs among other words (errors from lower layers).
func Text(s string) string {
	return userinfo.ReplaceAllString(s, "${1}:xxxxx@")
}

// anyURL matches a URL inside text: scheme://authority, then path, query
// and fragment up to white space or a quote.
var anyURL = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*)://([^\s/?#"'<>]*)[^\s"'<>]*`)

// Hosts reduces every URL in s to its scheme and host, for messages that
// leave Signet for a web page: a service's path and query can carry an
// access token (https://tsa.example/ts?token=…), user information a
// password; where a service lives is all a page needs to know.
func Hosts(s string) string {
	return anyURL.ReplaceAllStringFunc(s, func(m string) string {
		// Punctuation after a URL belongs to the sentence.
		core := strings.TrimRight(m, ".,;:)")
		sub := anyURL.FindStringSubmatch(core)
		if sub == nil {
			return m
		}
		host := strings.TrimRight(sub[2], ".,;:)")
		if i := strings.LastIndexByte(host, '@'); i >= 0 {
			host = host[i+1:]
		}
		return sub[1] + "://" + host + m[len(core):]
	})
}
