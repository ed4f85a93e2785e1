package cli

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/keys"
	"github.com/signet-sign/signet/pkcs11"
)

type certJSON struct {
	URI   string `json:"uri"`
	Token string `json:"token"`
	Label string `json:"label"`
	ID    string `json:"id"`
	// Key: "private" (seen), "public-only" (private key hidden until
	// login), "none".
	Key                string `json:"key"`
	AlwaysAuthenticate *bool  `json:"alwaysAuthenticate,omitempty"`
	keys.CertificateSummary
	Certificate string `json:"certificate"` // DER, base64
}

func keyWord(k pkcs11.KeyPresence) string {
	switch k {
	case pkcs11.KeyPrivate:
		return "private"
	case pkcs11.KeyPublicOnly:
		return "public-only"
	}
	return "none"
}

func (a *app) certsCommand() *cobra.Command {
	var (
		asJSON, all, login bool
		tokenURI           string
	)
	cmd := &cobra.Command{
		Use:   "certs",
		Short: i18n.T("cmd.certs.short"),
		Long: `List the certificates on the tokens, each with the PKCS#11 URI that selects
it for signing. CA certificates stored on cards are left out unless --all.

Tokens hide private keys until you log in; --login asks each token's PIN
to show them, and whether a key asks its PIN again before every signature.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			filter := pkcs11.NewURI()
			if tokenURI != "" {
				var err error
				if filter, err = pkcs11.ParseURI(tokenURI); err != nil {
					return usageError{fmt.Errorf("--token: %w", err)}
				}
			}
			mods, err := a.loadModules()
			if err != nil {
				return err
			}
			defer mods.Close()
			tokens, err := mods.Tokens()
			if err != nil {
				return err
			}
			var out []certJSON
			matched := 0
			for _, t := range tokens {
				if !t.Flags.Initialized || !filter.MatchesToken(t) {
					continue
				}
				matched++
				var certs []*pkcs11.Certificate
				if login {
					certs, err = t.CertificatesAfterLogin(cmd.Context(), a.prompter())
				} else {
					certs, err = t.Certificates()
				}
				if err != nil {
					return err
				}
				for _, c := range certs {
					if c.Cert.IsCA && !all {
						continue
					}
					entry := certJSON{
						URI:                c.URI().String(),
						Token:              t.Label,
						Label:              c.Label,
						ID:                 hex.EncodeToString(c.ID),
						Key:                keyWord(c.Key),
						CertificateSummary: keys.Summarize(c.Cert),
						Certificate:        base64.StdEncoding.EncodeToString(c.Cert.Raw),
					}
					if c.Key == pkcs11.KeyPrivate {
						entry.AlwaysAuthenticate = &c.AlwaysAuthenticate
					}
					out = append(out, entry)
				}
			}
			if tokenURI != "" && matched == 0 {
				return i18n.Errorf("cli.certs.no_token_matches", map[string]any{"URI": filter.String()}, pkcs11.ErrTokenNotFound)
			}
			if asJSON {
				if out == nil {
					out = []certJSON{}
				}
				return writeJSON(a.stdout, out)
			}
			if len(out) == 0 {
				fmt.Fprintln(a.stderr, i18n.T("cli.certs.none"))
				return nil
			}
			for i, c := range out {
				if i > 0 {
					fmt.Fprintln(a.stdout)
				}
				printCert(a.stdout, c, time.Now())
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().BoolVar(&all, "all", false, "include CA certificates")
	cmd.Flags().BoolVar(&login, "login", false, "log in to each token to show its private keys (asks the PIN)")
	cmd.Flags().StringVar(&tokenURI, "token", "", "only tokens matching this PKCS#11 URI")
	cmd.Flags().StringVar(&a.pinFile, "pin-file", "", "read the PIN from this file with --login (unattended use only)")
	return cmd
}

func printCert(w io.Writer, c certJSON, now time.Time) {
	name := c.Name
	if name == "" {
		name = c.Subject
	}
	size := ""
	if c.KeySize > 0 && !strings.HasPrefix(c.KeyType, "EC") {
		size = fmt.Sprintf(" %d", c.KeySize)
	}
	// What the token and the certificate say is shown escaped (see
	// printModule).
	fmt.Fprintf(w, "%s · %s · %s%s\n", shown(name), c.Purpose.Words(), c.KeyType, size)
	// A certificate a service holds has no token, label or key here.
	onToken := c.URI != "" || c.Token != ""
	var rows [][2]string
	if onToken {
		fmt.Fprintf(w, "  %s\n", c.URI)
		rows = append(rows, [2]string{i18n.T("cli.cert.token"), i18n.T("cli.cert.token_value", map[string]any{"Token": shown(c.Token), "Label": shown(c.Label), "ID": c.ID})})
	}
	const layout = "2006-01-02 15:04Z"
	usage := strings.Join(c.KeyUsage, ", ")
	if len(c.ExtKeyUsage) > 0 {
		usage += "; " + strings.Join(c.ExtKeyUsage, ", ")
	}
	rows = append(rows,
		[2]string{i18n.T("cli.cert.issuer"), shown(c.Issuer)},
		[2]string{i18n.T("cli.cert.serial"), c.Serial},
		[2]string{i18n.T("cli.cert.valid"), i18n.T("cli.cert.valid_value", map[string]any{"From": c.NotBefore.Format(layout), "To": c.NotAfter.Format(layout)}) + validity(c, now)},
		[2]string{i18n.T("cli.cert.usage"), usage})
	if onToken {
		key := i18n.T("cli.cert.key_none")
		switch c.Key {
		case "private":
			key = i18n.T("cli.cert.key_present")
			if c.AlwaysAuthenticate != nil && *c.AlwaysAuthenticate {
				key = i18n.T("cli.cert.key_present_always")
			}
		case "public-only":
			key = i18n.T("cli.cert.key_public_only")
		}
		rows = append(rows, [2]string{i18n.T("cli.cert.key"), key})
	}
	// The labels in a column as wide as the widest in this language.
	width := 0
	for _, r := range rows {
		width = max(width, utf8.RuneCountInString(r[0]))
	}
	for _, r := range rows {
		fmt.Fprintf(w, "  %s%s  %s\n", r[0], strings.Repeat(" ", width-utf8.RuneCountInString(r[0])), r[1])
	}
}

func validity(c certJSON, now time.Time) string {
	switch {
	case now.Before(c.NotBefore):
		return " " + i18n.T("cli.cert.not_yet_valid")
	case now.After(c.NotAfter):
		return " " + i18n.T("cli.cert.expired")
	}
	return ""
}
