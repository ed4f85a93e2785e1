package pkcs11

import (
	"os"
	"path/filepath"
	"runtime"
)

// KnownModule is a PKCS#11 module installed at a well-known place by a
// middleware package.
type KnownModule struct {
	Name string
	Path string
}

// knownModules lists, per GOOS, where middleware installs its module. The
// order is the order of preference when several are present: generic
// middleware, national eID middleware, software tokens, and the p11-kit
// proxy last: it re-exposes every module registered with p11-kit, so the
// tokens it shows twice are dropped in favour of the direct module (see
// [ListTokens]) while it still brings in modules we do not
// know by name.
//
// Sources: each project's packaging (Debian's opensc-pkcs11, softhsm2 and
// p11-kit-modules; Latvia's latvia-eid-middleware installs under
// /opt/latvia-eid; Portugal's pteid-mw under /usr/local/lib).
var knownModules = map[string][]KnownModule{
	"linux": {
		{"OpenSC", "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"},
		{"OpenSC", "/usr/lib/aarch64-linux-gnu/opensc-pkcs11.so"},
		{"OpenSC", "/usr/lib64/opensc-pkcs11.so"},
		{"OpenSC", "/usr/lib/opensc-pkcs11.so"},
		{"Latvia eID (eParaksts)", "/opt/latvia-eid/lib/eidlv-pkcs11.so"},
		{"Portugal Cartão de Cidadão", "/usr/local/lib/libpteidpkcs11.so"},
		{"Portugal Cartão de Cidadão", "/usr/lib/x86_64-linux-gnu/libpteidpkcs11.so"},
		{"Belgium eID", "/usr/lib/x86_64-linux-gnu/libbeidpkcs11.so.0"},
		{"SafeNet eToken", "/usr/lib/libeTPkcs11.so"},
		{"SoftHSM2", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"},
		{"SoftHSM2", "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so"},
		{"SoftHSM2", "/usr/lib/softhsm/libsofthsm2.so"},
		{"SoftHSM2", "/usr/lib64/pkcs11/libsofthsm2.so"},
		{"p11-kit proxy", "/usr/lib/x86_64-linux-gnu/p11-kit-proxy.so"},
		{"p11-kit proxy", "/usr/lib/aarch64-linux-gnu/p11-kit-proxy.so"},
		{"p11-kit proxy", "/usr/lib64/p11-kit-proxy.so"},
	},
	"darwin": {
		{"OpenSC", "/Library/OpenSC/lib/opensc-pkcs11.so"},
		{"Latvia eID (eParaksts)", "/Library/latvia-eid/lib/eidlv-pkcs11.bundle/Contents/MacOS/eidlv-pkcs11"},
		{"Portugal Cartão de Cidadão", "/usr/local/lib/libpteidpkcs11.dylib"},
		{"SafeNet eToken", "/Library/Frameworks/eToken.framework/Versions/Current/libeToken.dylib"},
		{"SoftHSM2", "/usr/local/lib/softhsm/libsofthsm2.so"},
		{"SoftHSM2", "/opt/homebrew/lib/softhsm/libsofthsm2.so"},
	},
	"windows": {
		{"OpenSC", `C:\Windows\System32\opensc-pkcs11.dll`},
		{"Portugal Cartão de Cidadão", `C:\Windows\System32\pteidpkcs11.dll`},
		{"Belgium eID", `C:\Windows\System32\beidpkcs11.dll`},
		{"SafeNet eToken", `C:\Windows\System32\eTPKCS11.dll`},
		{"SoftHSM2", `C:\SoftHSM2\lib\softhsm2-x64.dll`},
	},
}

// KnownModules returns the well-known module locations for this system,
// whether installed or not.
func KnownModules() []KnownModule {
	return append([]KnownModule(nil), knownModules[runtime.GOOS]...)
}

// FindModules returns the module paths to use: the configured ones first
// (whether or not they exist, so that a wrong path in the configuration is
// reported rather than ignored), then the well-known ones that are
// installed. A library reached through several paths is listed once.
func FindModules(configured []string) []string {
	var paths []string
	seen := map[string]bool{}
	add := func(p string, mustExist bool) {
		key := p
		if r, err := filepath.EvalSymlinks(p); err == nil {
			key = r
		} else if mustExist {
			return
		}
		if seen[key] {
			return
		}
		seen[key] = true
		paths = append(paths, p)
	}
	for _, p := range configured {
		add(p, false)
	}
	for _, k := range knownModules[runtime.GOOS] {
		if _, err := os.Stat(k.Path); err == nil {
			add(k.Path, true)
		}
	}
	return paths
}
