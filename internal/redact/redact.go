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
