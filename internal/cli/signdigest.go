package cli

import (
	"crypto"
	"crypto/rsa"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/signet-sign/signet/flow"
	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/keys"
)

// digestAlgs are the --alg values.
var digestAlgs = map[string]crypto.Hash{
	"sha256": crypto.SHA256,
	"sha384": crypto.SHA384,
	"sha512": crypto.SHA512,
}

// parseAlg accepts "sha256", "SHA-256", "sha-256".
func parseAlg(s string) (crypto.Hash, error) {
	h, ok := digestAlgs[strings.ReplaceAll(strings.ToLower(s), "-", "")]
	if !ok {
		return 0, i18n.Errorf("cli.alg", map[string]any{"Alg": s})
	}
	return h, nil
}

// decodeDigest reads a digest given in hex or base64 (standard or URL
// alphabet, padded or not) and checks its length against h.
//
// A string of hex digits is always read as hex, whatever its length: a
// SHA-256 digest in hex (64 characters) is also valid base64 for 48 bytes,
// and reading it so under --alg sha384 would sign garbage. A real base64
// digest of 32 bytes or more is all hex digits with negligible odds.
func decodeDigest(s string, h crypto.Hash) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, i18n.Errorf("cli.digest_empty", nil)
	}
	var d []byte
	if strings.Trim(s, "0123456789abcdefABCDEF") == "" {
		b, err := hex.DecodeString(s)
		if err != nil {
			return nil, fmt.Errorf("--digest: %w", err)
		}
		d = b
	}
	if d == nil {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
			if b, err := enc.DecodeString(s); err == nil {
				d = b
				break
			}
		}
	}
	if d == nil {
		return nil, i18n.Errorf("cli.digest_encoding", nil)
	}
	if len(d) != h.Size() {
		return nil, i18n.Errorf("cli.digest_size", map[string]any{"Got": len(d), "Alg": h.String(), "Want": h.Size()})
	}
	return d, nil
}

type signatureJSON struct {
	Signature   string   `json:"signature"`
	Algorithm   string   `json:"algorithm"`
	Certificate string   `json:"certificate"`
	Chain       []string `json:"chain"`
}

func (a *app) signDigestCommand() *cobra.Command {
	var (
		keyRef, alg, digest string
		pss, asJSON         bool
	)
	cmd := &cobra.Command{
		Use:   "sign-digest --key URI|FILE --alg sha256 --digest DIGEST",
		Short: i18n.T("cmd.signdigest.short"),
		Long: `Sign a digest (a hash computed elsewhere, in hex or base64) with a token key
or a PKCS#12 file, and print the signature in base64. This is the step
between a signing service's digest and its finalization.

RSA keys sign PKCS#1 v1.5 (or RSA-PSS with --pss); EC keys sign ECDSA and
the signature is DER-encoded. The PIN is asked on the terminal.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			for flag, v := range map[string]string{"--key": keyRef, "--digest": digest} {
				if v == "" {
					return usageError{i18n.Errorf("cli.flag_required", map[string]any{"Flag": flag})}
				}
			}
			h, err := parseAlg(alg)
			if err != nil {
				return usageError{err}
			}
			d, err := decodeDigest(digest, h)
			if err != nil {
				return usageError{err}
			}
			mods, err := a.loadModules()
			if err != nil {
				return err
			}
			defer mods.Close()
			signer, err := flow.OpenSigner(cmd.Context(), mods, keyRef, a.prompter())
			if err != nil {
				return err
			}
			defer signer.Close()
			// The person runs this themselves, so it is not refused; but a
			// bare digest signed with an authentication key can stand for
			// a login, and they should know.
			if err := keys.CheckSigning(signer.Certificate()); err != nil {
				fmt.Fprintln(a.stderr, i18n.T("cli.digest_auth_key", map[string]any{"Error": i18n.Line(err)}))
			}

			var opts crypto.SignerOpts = h
			name := "PKCS#1 v1.5" // i18n:skip: names, machine output
			switch signer.Public().(type) {
			case *rsa.PublicKey:
				if pss {
					opts = &rsa.PSSOptions{Hash: h, SaltLength: rsa.PSSSaltLengthEqualsHash}
					name = "RSA-PSS"
				} else {
					name = "RSA PKCS#1 v1.5" // i18n:skip: names, machine output
				}
			default:
				if pss {
					return usageError{i18n.Errorf("cli.pss_rsa_only", nil)}
				}
				name = "ECDSA"
			}
			sig, err := signer.SignContext(cmd.Context(), d, opts)
			if err != nil {
				return err
			}
			if !asJSON {
				fmt.Fprintln(a.stdout, base64.StdEncoding.EncodeToString(sig))
				return nil
			}
			out := signatureJSON{
				Signature:   base64.StdEncoding.EncodeToString(sig),
				Algorithm:   fmt.Sprintf("%s with %v", name, h), // i18n:skip: machine output (--json)
				Certificate: base64.StdEncoding.EncodeToString(signer.Certificate().Raw),
			}
			for _, c := range signer.Chain() {
				out.Chain = append(out.Chain, base64.StdEncoding.EncodeToString(c.Raw))
			}
			return writeJSON(a.stdout, out)
		},
	}
	cmd.Flags().StringVar(&keyRef, "key", "", "key: a pkcs11: URI from 'signet certs', or a .p12/.pfx file")
	cmd.Flags().StringVar(&alg, "alg", "sha256", "digest algorithm: sha256, sha384 or sha512")
	cmd.Flags().StringVar(&digest, "digest", "", "the digest, hex or base64")
	cmd.Flags().BoolVar(&pss, "pss", false, "sign RSA-PSS instead of PKCS#1 v1.5 (RSA keys)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON with the signature, certificate and chain")
	cmd.Flags().StringVar(&a.pinFile, "pin-file", "", "read the PIN (or key file password) from this file (unattended use only)")
	return cmd
}
