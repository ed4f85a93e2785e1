// Package config reads Signet's settings file, a TOML file people can edit:
//
//	# PKCS#11 modules to load in addition to the well-known ones.
//	pkcs11_modules = ["/opt/latvia-eid/lib/eidlv-pkcs11.so"]
//
// Secrets never go here: PINs are asked, API credentials live in the OS
// keyring.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/BurntSushi/toml"
	"github.com/google/renameio/v2"
)

// Config is the settings file's content.
type Config struct {
	// PKCS11Modules are module paths loaded before the well-known ones.
	PKCS11Modules []string `toml:"pkcs11_modules"`
	// TSAURL is the RFC 3161 timestamp authority for levels B-T and up.
	TSAURL string `toml:"tsa_url,omitempty"`
	// TrustAnchors are extra root certificates (PEM/DER files or
	// directories) for verification and B-LT.
	TrustAnchors []string `toml:"trust_anchors,omitempty"`
	// RequireChain refuses to sign when the signer's certificate chain
	// cannot be completed up to a root (from the token, the trust
	// anchors, the system's roots, the issuer cache and the
	// certificate's caIssuers URL); false signs with the chain as far
	// as it goes, after saying so.
	RequireChain bool `toml:"require_chain,omitempty"`
	// OutputSuffix names signed copies: "report.pdf" → "report-signed.pdf"
	// with "-signed" (the default).
	OutputSuffix string `toml:"output_suffix,omitempty"`
	// OutputDir, when set, receives the signed copies instead of the
	// originals' folders.
	OutputDir string `toml:"output_dir,omitempty"`
	// Language overrides the system's locale for the app's words (a tag
	// of i18n.Languages); empty follows the system.
	Language string `toml:"language,omitempty"`
	// EParakstsProfile is "prep" (test) or "prod".
	EParakstsProfile string `toml:"eparaksts_profile,omitempty"`
	// RemoteSigningURL is another Remote Signing deployment than the
	// documented one; RemoteSigningAgreement the person's agreement UUID.
	RemoteSigningURL       string `toml:"remotesigning_url,omitempty"`
	RemoteSigningAgreement string `toml:"remotesigning_agreement,omitempty"`
	// CMDPhone is the person's Chave Móvel Digital phone number; CMDVia
	// "ama" (AMA's service, hashes only; the default) or "biometrid"
	// (uploads the document); CMDURL another deployment than the
	// documented one of that service; CMDCifra the file of AMA's
	// encryption certificate when it is not the built-in one.
	CMDPhone string `toml:"cmd_phone,omitempty"`
	CMDVia   string `toml:"cmd_via,omitempty"`
	CMDURL   string `toml:"cmd_url,omitempty"`
	CMDCifra string `toml:"cmd_cifra,omitempty"`
	// AadhaarURL is another Aadhaar eSign deployment than production
	// (the sandbox, say); AadhaarRedirectURL the public page signers are
	// sent to after signing.
	AadhaarURL         string `toml:"aadhaar_url,omitempty"`
	AadhaarRedirectURL string `toml:"aadhaar_redirect_url,omitempty"`
	// CertEurope: another SignAPI deployment than production, the
	// client certificate (a .p12 file or a pkcs11: URI), an extra CA for
	// the server's certificate, the OTP channel ("sms", the default when
	// unset, "email", or "none") and
	// the holder a one-time certificate is issued to.
	CertEuropeURL       string `toml:"certeurope_url,omitempty"`
	CertEuropeClientKey string `toml:"certeurope_client_key,omitempty"`
	CertEuropeServerCA  string `toml:"certeurope_server_ca,omitempty"`
	CertEuropeOTP       string `toml:"certeurope_otp,omitempty"`
	CertEuropeFirstname string `toml:"certeurope_firstname,omitempty"`
	CertEuropeLastname  string `toml:"certeurope_lastname,omitempty"`
	CertEuropeEmail     string `toml:"certeurope_email,omitempty"`
	CertEuropeMobile    string `toml:"certeurope_mobile,omitempty"`
	CertEuropeCountry   string `toml:"certeurope_country,omitempty"`
	// Agent turns the localhost signing API on in the app; AgentPort is
	// its port (0: the default) and AgentOrigins the web origins the
	// person allowed for good; AgentDigestOrigins those of them also
	// allowed to ask for signatures over bare digests, data Signet cannot
	// show (none unless the person says so).
	Agent              bool     `toml:"agent,omitempty"`
	AgentPort          int      `toml:"agent_port,omitempty"`
	AgentOrigins       []string `toml:"agent_origins,omitempty"`
	AgentDigestOrigins []string `toml:"agent_digest_origins,omitempty"`
}

// Save writes c to path atomically (a failure leaves the old file), with
// the directory made when missing.
func Save(path string, c *Config) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	var b bytes.Buffer
	b.WriteString("# Signet settings. Secrets never go here: they live in the OS keyring.\n")
	if err := toml.NewEncoder(&b).Encode(c); err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	if err := renameio.WriteFile(path, b.Bytes(), 0o600); err != nil {
		return fmt.Errorf("save settings %s: %w", path, err)
	}
	return nil
}

// Path is where the settings file lives: $SIGNET_CONFIG, or signet/config.toml
// in the user's configuration directory.
func Path() (string, error) {
	if p := os.Getenv("SIGNET_CONFIG"); p != "" {
		return p, nil
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find the configuration directory: %w", err)
	}
	return filepath.Join(dir, "signet", "config.toml"), nil
}

// Load reads the settings file at path. A missing file is an empty
// configuration; a file that does not parse, or has settings Signet does
// not know (a typo would otherwise be ignored silently), is an error.
func Load(path string) (*Config, error) {
	var c Config
	md, err := toml.DecodeFile(path, &c)
	if errors.Is(err, fs.ErrNotExist) {
		return &Config{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read settings %s: %w", path, err)
	}
	if undecoded := md.Undecoded(); len(undecoded) > 0 {
		return nil, fmt.Errorf("read settings %s: unknown setting %q", path, undecoded[0].String())
	}
	return &c, nil
}
