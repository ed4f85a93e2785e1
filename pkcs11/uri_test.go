package pkcs11

import (
	"errors"
	"strings"
	"testing"
)

func TestParseURI(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want map[string]string // attribute → unescaped value
		out  string            // canonical String(), "" = same as in
	}{
		{
			name: "ok RFC 7512 example",
			in:   "pkcs11:token=The%20Software%20PKCS%2311%20Softtoken;manufacturer=Snake%20Oil,%20Inc.;model=1.0;object=my-certificate;type=cert;id=%69%95%3E%5C%F4%BD%EC%91;serial=",
			want: map[string]string{"token": "The Software PKCS#11 Softtoken", "manufacturer": "Snake Oil, Inc.", "object": "my-certificate", "type": "cert", "id": "\x69\x95\x3e\x5c\xf4\xbd\xec\x91", "serial": ""},
			out:  "pkcs11:token=The%20Software%20PKCS%2311%20Softtoken;manufacturer=Snake%20Oil,%20Inc.;model=1.0;serial=;object=my-certificate;id=%69%95%3E%5C%F4%BD%EC%91;type=cert",
		},
		{
			name: "ok UTF-8 label",
			in:   "pkcs11:token=J%C4%81nis%20B%C4%93rzi%C5%86%C5%A1;id=%01",
			want: map[string]string{"token": "Jānis Bērziņš", "id": "\x01"},
		},
		{
			name: "ok empty matches all",
			in:   "pkcs11:",
			want: map[string]string{},
		},
		{
			name: "ok query module and vendor",
			in:   "pkcs11:object=a;x-vendor=1?module-path=/usr/lib/softhsm/libsofthsm2.so&module-name=softhsm2",
			want: map[string]string{"object": "a", "x-vendor": "1", "module-path": "/usr/lib/softhsm/libsofthsm2.so", "module-name": "softhsm2"},
			out:  "pkcs11:object=a;x-vendor=1?module-name=softhsm2&module-path=/usr/lib/softhsm/libsofthsm2.so",
		},
		{
			name: "ok semicolon and ampersand in value",
			in:   "pkcs11:object=a%3Bb&c",
			want: map[string]string{"object": "a;b&c"},
		},
		{
			name: "ok scheme case",
			in:   "PKCS11:slot-id=3",
			want: map[string]string{"slot-id": "3"},
			out:  "pkcs11:slot-id=3",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, err := ParseURI(tc.in)
			if err != nil {
				t.Fatalf("ParseURI: %v", err)
			}
			for name, want := range tc.want {
				if got, ok := u.Get(name); !ok || got != want {
					t.Errorf("%s = %q (present %v), want %q", name, got, ok, want)
				}
			}
			out := tc.out
			if out == "" {
				out = tc.in
			}
			if got := u.String(); got != out {
				t.Errorf("String() = %s\nwant       %s", got, out)
			}
			again, err := ParseURI(u.String())
			if err != nil || again.String() != u.String() {
				t.Errorf("round trip: %v, %v", again, err)
			}
		})
	}
}

func TestParseURIErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in, mention string
	}{
		{"fail no scheme", "token=x", "pkcs11:"},
		{"fail other scheme", "file:/x", "pkcs11:"},
		{"fail pin-value", "pkcs11:token=x?pin-value=1234", "pin-value"},
		{"fail pin-source", "pkcs11:token=x?pin-source=file:/pin", "pin-source"},
		{"fail unknown attribute", "pkcs11:tokn=x", "tokn"},
		{"fail query attribute in path", "pkcs11:module-path=/x", "module-path"},
		{"fail duplicate", "pkcs11:token=a;token=b", "twice"},
		{"fail no equals", "pkcs11:token", "name=value"},
		{"fail bad escape", "pkcs11:object=%G1", "percent"},
		{"fail slot-id", "pkcs11:slot-id=one", "slot-id"},
		{"fail type", "pkcs11:type=key", "type"},
		{"fail relative module path", "pkcs11:?module-path=lib.so", "absolute"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseURI(tc.in)
			if !errors.Is(err, ErrBadURI) {
				t.Fatalf("ParseURI(%q) err = %v, want ErrBadURI", tc.in, err)
			}
			if !strings.Contains(err.Error(), tc.mention) {
				t.Errorf("error %q does not mention %q", err, tc.mention)
			}
		})
	}
	// A PIN pasted into a URI must not be echoed back in the error.
	_, err := ParseURI("pkcs11:token=x?pin-value=SECRET4711")
	if err == nil || strings.Contains(err.Error(), "SECRET4711") {
		t.Errorf("error %v echoes the PIN", err)
	}
}

func FuzzParseURI(f *testing.F) {
	for _, s := range []string{
		"pkcs11:token=a;id=%01?module-name=x",
		"pkcs11:object=J%C4%81nis;type=cert",
		"pkcs11:",
		"pkcs11:slot-id=3;x-a=b?x-q=%2F",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseURI(s)
		if err != nil {
			return
		}
		// Whatever parses formats to a URI that parses to the same.
		again, err := ParseURI(u.String())
		if err != nil {
			t.Fatalf("String() of %q = %q does not parse: %v", s, u, err)
		}
		if again.String() != u.String() {
			t.Fatalf("round trip %q → %q → %q", s, u, again)
		}
	})
}
