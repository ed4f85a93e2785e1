package agent

import (
	"net"
	"net/url"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// Origins as decisions are made on them. A browser sends an origin's host
// as the page's address had it: Chromium keeps a trailing dot
// (http://quiet.example.:8765), and a host may come in Unicode or in its
// IDNA form. Every decision (allow-lists, "don't ask again", the
// question limit) is made on one canonical form, computed once per
// request; the origin as sent is kept for the CORS answer (the browser
// compares it byte for byte) and for what a login token signs (the origin
// Signet saw, as Web eID's format asks).

// ValidOrigin reports a web origin: http(s)://host[:port], nothing more.
func ValidOrigin(o string) bool {
	_, ok := CanonicalOrigin(o)
	return ok
}

// CanonicalOrigin is origin's canonical form: scheme and host in lower
// case, the host in its ASCII (IDNA) form without trailing dots, the
// scheme's default port left out. ok is false when origin is not a web
// origin (http or https, a host, nothing after it).
func CanonicalOrigin(origin string) (_ string, ok bool) {
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.User != nil || u.Fragment != "" ||
		u.Opaque != "" || strings.HasSuffix(origin, "?") || strings.HasSuffix(origin, "#") {
		return "", false
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", false
	}
	host, port := u.Hostname(), u.Port()
	if strings.HasSuffix(u.Host, ":") { // "host:" with an empty port
		return "", false
	}
	if ip := net.ParseIP(host); ip != nil {
		if v4 := ip.To4(); v4 != nil {
			host = v4.String()
		} else {
			host = "[" + ip.String() + "]"
		}
	} else {
		host = strings.TrimRight(host, ".")
		if host == "" {
			return "", false
		}
		ascii, err := idna.Lookup.ToASCII(host)
		if err != nil || !utf8.ValidString(host) {
			return "", false
		}
		// The ASCII form must be its own: a name that maps to one which
		// does not map to itself again would be one site under two keys.
		host = strings.ToLower(ascii)
		if again, err := idna.Lookup.ToASCII(host); err != nil || again != host {
			return "", false
		}
	}
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	}
	if port != "" {
		host += ":" + port
	}
	return scheme + "://" + host, true
}

// registrableDomain is the domain a person would name (example.com for
// a.b.example.com) of a canonical origin; the host itself for IP
// addresses, localhost and names the public-suffix list cannot place.
func registrableDomain(canonical string) string {
	u, err := url.Parse(canonical)
	if err != nil {
		return canonical
	}
	host := u.Hostname()
	if net.ParseIP(host) != nil {
		return host
	}
	if d, err := publicsuffix.EffectiveTLDPlusOne(host); err == nil {
		return d
	}
	return host
}

// loopbackOrigin: a page served from this machine (localhost, 127.0.0.0/8,
// [::1]), a secure context for browsers even over http.
func loopbackOrigin(canonical string) bool {
	u, err := url.Parse(canonical)
	if err != nil {
		return false
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); ip != nil {
		return ip.IsLoopback()
	}
	return host == "localhost" || strings.HasSuffix(host, ".localhost")
}
