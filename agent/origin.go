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

// browserForm reports whether origin is written as browsers write one:
// its canonical form, but for trailing dots on the host, which Chromium
// keeps. Browsers serialize origins in lower case, in ASCII, without the
// default port; an origin written otherwise does not come from a browser
// and is refused, so that what the person is shown (the origin as sent)
// and what decisions are made on (the canonical form) never differ but
// for that dot.
func browserForm(origin, canonical string) bool {
	if origin == canonical {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	host := u.Hostname()
	trimmed := strings.TrimRight(host, ".")
	if trimmed == host || strings.HasPrefix(u.Host, "[") {
		return false
	}
	rebuilt := u.Scheme + "://" + trimmed
	if p := u.Port(); p != "" {
		rebuilt += ":" + p
	}
	return rebuilt == canonical
}

// registrableDomain is the domain a person would name (example.com for
// a.b.example.com) of a canonical origin: the site the limits on
// questions count by. For an IP address, its network (a /24 for IPv4, a
// /64 for IPv6); for localhost and names the public-suffix list cannot
// place, the host itself.
func registrableDomain(canonical string) string {
	u, err := url.Parse(canonical)
	if err != nil {
		return canonical
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); ip != nil {
		// One network is one site: whoever has one IPv6 address has its
		// /64, and neighbouring IPv4 addresses are one provider's.
		bits := 64
		if ip.To4() != nil {
			ip, bits = ip.To4(), 24
		}
		return (&net.IPNet{IP: ip.Mask(net.CIDRMask(bits, 8*len(ip))), Mask: net.CIDRMask(bits, 8*len(ip))}).String()
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
