package pkcs11

import (
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// URI is a PKCS#11 URI (RFC 7512), such as
//
//	pkcs11:token=Jānis%20Bērziņš;serial=0123;object=Signature;id=%02
//
// Every attribute present must match; an absent one matches anything.
//
// We keep our own parser rather than github.com/stefanberger/go-pkcs11uri:
// that package formats attributes in Go map order (a listed URI would change
// from run to run), rejects type=data through a typo in its pattern, and
// hands out pin-value, which Signet refuses (PINs never go in URIs).
type URI struct {
	path  map[string]string // unescaped values
	query map[string]string
}

// Path attributes of RFC 7512 section 2.3, in the order [URI.String]
// writes them.
var uriPathAttrs = []string{
	"token", "manufacturer", "model", "serial",
	"slot-description", "slot-manufacturer", "slot-id",
	"library-description", "library-manufacturer", "library-version",
	"object", "id", "type",
}

// Query attributes of RFC 7512 section 2.3 that Signet accepts.
var uriQueryAttrs = []string{"module-name", "module-path"}

// Object types of RFC 7512 section 2.3 ("type").
var uriTypes = []string{"public", "private", "cert", "secret-key", "data"}

// ParseURI parses s. Errors name the offending attribute, never its value,
// so that a URI pasted with a secret in it is not echoed.
func ParseURI(s string) (*URI, error) {
	scheme, rest, ok := strings.Cut(s, ":")
	if !ok || !strings.EqualFold(scheme, "pkcs11") {
		return nil, fmt.Errorf("%w: must start with \"pkcs11:\"", ErrBadURI)
	}
	pathPart, queryPart, hasQuery := strings.Cut(rest, "?")
	u := &URI{path: map[string]string{}, query: map[string]string{}}
	if pathPart != "" {
		for _, attr := range strings.Split(pathPart, ";") {
			if err := u.add(attr, false); err != nil {
				return nil, err
			}
		}
	}
	if hasQuery && queryPart != "" {
		for _, attr := range strings.Split(queryPart, "&") {
			if err := u.add(attr, true); err != nil {
				return nil, err
			}
		}
	}
	return u, nil
}

func (u *URI) add(attr string, inQuery bool) error {
	name, raw, ok := strings.Cut(attr, "=")
	if !ok || name == "" {
		return fmt.Errorf("%w: %q is not of the form name=value", ErrBadURI, name)
	}
	value, err := url.PathUnescape(raw)
	if err != nil {
		return fmt.Errorf("%w: attribute %q: bad percent-encoding", ErrBadURI, name)
	}
	target := u.path
	switch {
	case name == "pin-value" || name == "pin-source":
		return fmt.Errorf("%w: %q: Signet never takes a PIN from a URI; it asks for it (use --pin-file for unattended use)", ErrBadURI, name)
	case inQuery && slices.Contains(uriQueryAttrs, name):
		target = u.query
	case !inQuery && slices.Contains(uriPathAttrs, name):
	case strings.HasPrefix(name, "x-"): // vendor extension (RFC 7512 section 2.3)
		if inQuery {
			target = u.query
		}
	default:
		return fmt.Errorf("%w: unknown attribute %q", ErrBadURI, name)
	}
	if _, dup := target[name]; dup {
		return fmt.Errorf("%w: attribute %q appears twice", ErrBadURI, name)
	}
	switch name {
	case "slot-id":
		if _, err := strconv.ParseUint(value, 10, 64); err != nil {
			return fmt.Errorf("%w: slot-id must be a decimal number", ErrBadURI)
		}
	case "type":
		if !slices.Contains(uriTypes, value) {
			return fmt.Errorf("%w: type must be one of %s", ErrBadURI, strings.Join(uriTypes, ", "))
		}
	case "module-path":
		if !filepath.IsAbs(value) {
			return fmt.Errorf("%w: module-path must be an absolute path", ErrBadURI)
		}
	}
	target[name] = value
	return nil
}

// Get returns the unescaped value of a path or query attribute.
func (u *URI) Get(name string) (string, bool) {
	if v, ok := u.path[name]; ok {
		return v, true
	}
	v, ok := u.query[name]
	return v, ok
}

// Set sets a path attribute (or a query attribute for module-name and
// module-path). An empty value removes it.
func (u *URI) Set(name, value string) *URI {
	target := u.path
	if slices.Contains(uriQueryAttrs, name) {
		target = u.query
	}
	if value == "" {
		delete(target, name)
	} else {
		target[name] = value
	}
	return u
}

// NewURI returns an empty URI, which matches everything.
func NewURI() *URI {
	return &URI{path: map[string]string{}, query: map[string]string{}}
}

// String writes the URI with attributes in a fixed order, so that the URI
// of an object reads the same every time it is listed.
func (u *URI) String() string {
	var b strings.Builder
	b.WriteString("pkcs11:")
	first := true
	write := func(sep, name, value string, inQuery bool) {
		if !first {
			b.WriteString(sep)
		}
		first = false
		b.WriteString(name)
		b.WriteByte('=')
		b.WriteString(uriEscape(value, name == "id", inQuery))
	}
	for _, name := range append(slices.Clone(uriPathAttrs), sortedVendor(u.path)...) {
		if v, ok := u.path[name]; ok {
			write(";", name, v, false)
		}
	}
	if len(u.query) > 0 {
		b.WriteByte('?')
		first = true
		for _, name := range append(slices.Clone(uriQueryAttrs), sortedVendor(u.query)...) {
			if v, ok := u.query[name]; ok {
				write("&", name, v, true)
			}
		}
	}
	return b.String()
}

func sortedVendor(attrs map[string]string) []string {
	var names []string
	for name := range attrs {
		if strings.HasPrefix(name, "x-") {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// uriEscape percent-encodes value for a URI attribute. RFC 7512 section 2.3
// allows unreserved characters and ":[]@!$'()*+,=" in both parts, "&" in
// the path and "/?|" in the query. The id is binary and, as the RFC
// recommends, encoded entirely.
func uriEscape(value string, all, inQuery bool) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(value); i++ {
		c := value[i]
		keep := !all && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			strings.IndexByte("-._~:[]@!$'()*+,=", c) >= 0 ||
			!inQuery && c == '&' ||
			inQuery && strings.IndexByte("/?|", c) >= 0)
		if keep {
			b.WriteByte(c)
		} else {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&0xf])
		}
	}
	return b.String()
}

// matches reports whether attribute name is absent or equal to value.
func (u *URI) matches(name, value string) bool {
	v, ok := u.path[name]
	return !ok || v == value
}

// MatchesModule reports whether the module fits the library-* attributes
// and the module-name / module-path query attributes.
func (u *URI) MatchesModule(m *Module) bool {
	info := m.Info()
	if !u.matches("library-description", info.Description) ||
		!u.matches("library-manufacturer", info.Manufacturer) ||
		!u.matches("library-version", info.LibraryVersion) {
		return false
	}
	if p, ok := u.query["module-path"]; ok {
		// RFC 7512: module-path names the module file, or a directory
		// holding it.
		if r, err := filepath.EvalSymlinks(p); err == nil {
			p = r
		}
		if p != m.Path() && p != filepath.Dir(m.Path()) {
			return false
		}
	}
	if name, ok := u.query["module-name"]; ok {
		// RFC 7512: the name without "lib" prefix or file extension.
		base := filepath.Base(m.Path())
		base = strings.TrimPrefix(base, "lib")
		if i := strings.IndexByte(base, '.'); i >= 0 {
			base = base[:i]
		}
		if name != base {
			return false
		}
	}
	return true
}

// MatchesToken reports whether the token (and its slot) fit the URI.
func (u *URI) MatchesToken(t *Token) bool {
	if !u.MatchesModule(t.module) {
		return false
	}
	if !u.matches("token", t.Label) || !u.matches("manufacturer", t.Manufacturer) ||
		!u.matches("model", t.Model) || !u.matches("serial", t.Serial) ||
		!u.matches("slot-id", strconv.FormatUint(uint64(t.slotID), 10)) {
		return false
	}
	_, byDesc := u.path["slot-description"]
	_, byMfr := u.path["slot-manufacturer"]
	if byDesc || byMfr {
		si, err := t.module.ctx.GetSlotInfo(t.slotID)
		if err != nil {
			return false
		}
		if !u.matches("slot-description", cleanText(si.SlotDescription)) ||
			!u.matches("slot-manufacturer", cleanText(si.ManufacturerID)) {
			return false
		}
	}
	return true
}

// TokenURI is the URI that selects exactly this token: its label, which a
// person recognizes, and its serial, which tells apart two cards with the
// same label (eID cards often label tokens "PIN1"/"PIN2").
func TokenURI(t *Token) *URI {
	return NewURI().Set("token", t.Label).Set("serial", t.Serial)
}
