package pkcs11

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	p11 "github.com/miekg/pkcs11"
)

// Module is a loaded PKCS#11 library (a "module" in the standard's words).
//
// A library can be initialized only once per process, and C_Finalize ends
// it for every user, so modules are shared: opening the same path twice
// returns the same *Module, and the library is finalized when the last
// user has called Close. Pair every [Open] with exactly one Close.
type Module struct {
	path string
	ctx  *p11.Ctx
	info ModuleInfo
	refs int // guarded by modulesMu
}

// ModuleInfo is what a module says about itself (C_GetInfo).
type ModuleInfo struct {
	Path            string `json:"path"`
	Manufacturer    string `json:"manufacturer"`
	Description     string `json:"description"`
	CryptokiVersion string `json:"cryptokiVersion"`
	LibraryVersion  string `json:"libraryVersion"`
}

var (
	modulesMu sync.Mutex
	modules   = map[string]*Module{}
)

// Open loads and initializes the PKCS#11 module at path.
func Open(path string) (*Module, error) {
	key, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %v", ErrModule, path, err)
	}
	if resolved, err := filepath.EvalSymlinks(key); err == nil {
		key = resolved
	}
	modulesMu.Lock()
	defer modulesMu.Unlock()
	if m, ok := modules[key]; ok {
		m.refs++
		return m, nil
	}
	if _, err := os.Stat(key); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w %q: no such file", ErrModule, path)
		}
		return nil, fmt.Errorf("%w %q: %v", ErrModule, path, err)
	}
	// miekg/pkcs11 returns nil when dlopen fails or the library has no
	// C_GetFunctionList; it keeps dlerror to itself.
	ctx := p11.New(key)
	if ctx == nil {
		return nil, fmt.Errorf("%w %q: not a PKCS#11 library for this system", ErrModule, path)
	}
	if err := ctx.Initialize(); err != nil && !errors.Is(err, p11.Error(p11.CKR_CRYPTOKI_ALREADY_INITIALIZED)) {
		ctx.Destroy()
		return nil, fmt.Errorf("%w %q: initialize: %v", ErrModule, path, err)
	}
	gi, err := ctx.GetInfo()
	if err != nil {
		ctx.Finalize()
		ctx.Destroy()
		return nil, fmt.Errorf("%w %q: get info: %v", ErrModule, path, err)
	}
	m := &Module{
		path: key,
		ctx:  ctx,
		refs: 1,
		info: ModuleInfo{
			Path:            key,
			Manufacturer:    cleanText(gi.ManufacturerID),
			Description:     cleanText(gi.LibraryDescription),
			CryptokiVersion: fmt.Sprintf("%d.%d", gi.CryptokiVersion.Major, gi.CryptokiVersion.Minor),
			LibraryVersion:  fmt.Sprintf("%d.%d", gi.LibraryVersion.Major, gi.LibraryVersion.Minor),
		},
	}
	modules[key] = m
	return m, nil
}

// Close releases this user's hold on the module; the last Close finalizes
// and unloads it. Keys and tokens from the module must not be used after.
func (m *Module) Close() error {
	modulesMu.Lock()
	defer modulesMu.Unlock()
	if m.refs == 0 {
		return nil
	}
	m.refs--
	if m.refs > 0 {
		return nil
	}
	delete(modules, m.path)
	err := m.ctx.Finalize()
	m.ctx.Destroy()
	if err != nil {
		return fmt.Errorf("finalize PKCS#11 module %q: %w", m.path, err)
	}
	return nil
}

// IsProxy tells whether the module is p11-kit's proxy, which re-exports
// the modules registered with p11-kit: its tokens are also reached
// directly, through their own module. Known by its file
// (p11-kit-proxy.so is a link to libp11-kit.so.0) or by what it says of
// itself.
func (m *Module) IsProxy() bool {
	base := filepath.Base(m.path)
	return strings.HasPrefix(base, "libp11-kit.so") || strings.HasPrefix(base, "p11-kit-proxy") ||
		(m.info.Manufacturer == "PKCS#11 Kit" && strings.Contains(m.info.Description, "Proxy"))
}

// Path is the module's absolute path, symlinks resolved.
func (m *Module) Path() string { return m.path }

// Info is what the module says about itself.
func (m *Module) Info() ModuleInfo { return m.info }

// cleanText trims the blank (and, from some vendors, NUL) padding of the
// fixed-width text fields of PKCS#11 structures.
func cleanText(s string) string {
	return strings.TrimRight(s, " \x00")
}
