package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/internal/escape"
	"github.com/signet-sign/signet/pkcs11"
)

type moduleJSON struct {
	pkcs11.ModuleInfo
	Error string        `json:"error,omitempty"`
	Slots []pkcs11.Slot `json:"slots"`
	// Repeated counts the slots of a proxy (p11-kit's) that are listed
	// already, through their own module.
	Repeated int `json:"repeated,omitempty"`
}

func (a *app) tokensCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "tokens",
		Short: i18n.T("cmd.tokens.short"),
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			mods, err := a.loadModules()
			if err != nil {
				return err
			}
			defer mods.Close()
			// Each reader once: a proxy's slots that a direct module
			// lists already are counted, not repeated.
			var out []moduleJSON
			var shown []pkcs11.Slot
			for _, m := range pkcs11.ByPreference(mods.Loaded) {
				entry := moduleJSON{ModuleInfo: m.Info(), Slots: []pkcs11.Slot{}}
				slots, err := m.Slots()
				if err != nil {
					entry.Error = err.Error()
				}
			next:
				for _, s := range slots {
					if m.IsProxy() {
						for _, seen := range shown {
							if pkcs11.SameSlot(seen, s) {
								entry.Repeated++
								continue next
							}
						}
					}
					entry.Slots = append(entry.Slots, s)
				}
				shown = append(shown, entry.Slots...)
				out = append(out, entry)
			}
			failed := make([]string, 0, len(mods.Failed))
			for path := range mods.Failed {
				failed = append(failed, path)
			}
			slices.Sort(failed)
			if asJSON {
				for _, path := range failed {
					out = append(out, moduleJSON{ModuleInfo: pkcs11.ModuleInfo{Path: path}, Error: mods.Failed[path].Error(), Slots: []pkcs11.Slot{}})
				}
				if out == nil {
					out = []moduleJSON{}
				}
				return writeJSON(a.stdout, out)
			}
			if len(mods.Loaded) == 0 {
				_, err := mods.Tokens() // says why there is nothing
				return err
			}
			for _, path := range failed {
				fmt.Fprintf(a.stderr, "signet: warning: %v\n", mods.Failed[path])
			}
			for _, m := range out {
				printModule(a.stdout, m)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func printModule(w io.Writer, m moduleJSON) {
	fmt.Fprintf(w, "%s · %s %s (Cryptoki %s)\n", m.Path, m.Manufacturer, m.Description, m.CryptokiVersion)
	if m.Error != "" {
		fmt.Fprintf(w, "  cannot list slots: %s\n", m.Error)
	}
	if len(m.Slots) == 0 && m.Error == "" && m.Repeated == 0 {
		fmt.Fprintln(w, "  no slots (no reader connected, or its service is not running)")
	}
	for _, s := range m.Slots {
		fmt.Fprintf(w, "  slot %d · %s\n", s.ID, s.Description)
		switch {
		case s.Token == nil:
			fmt.Fprintln(w, "    no token")
		case !s.Token.Flags.Initialized:
			fmt.Fprintln(w, "    blank token (not initialized)")
		default:
			t := s.Token
			fmt.Fprintf(w, "    token %q · %s %s, serial %s\n", t.Label, t.Manufacturer, t.Model, t.Serial)
			fmt.Fprintf(w, "    %s\n", strings.Join(flagWords(t.Flags), " · "))
			fmt.Fprintf(w, "    %s\n", pkcs11.TokenURI(t))
		}
	}
	if m.Repeated > 0 {
		fmt.Fprintf(w, "  %d more: the readers and tokens listed above, reached again through this proxy\n", m.Repeated)
	}
}

// flagWords says a token's flags the way a person needs them.
func flagWords(f pkcs11.TokenFlags) []string {
	var words []string
	if f.LoginRequired {
		words = append(words, "PIN required")
	} else {
		words = append(words, "no PIN required")
	}
	if f.ProtectedAuthPath {
		words = append(words, "PIN entered on the reader's keypad")
	}
	switch {
	case f.UserPIN.Locked:
		words = append(words, "PIN LOCKED")
	case f.UserPIN.FinalTry:
		words = append(words, "PIN: final try")
	case f.UserPIN.CountLow:
		words = append(words, "PIN: a wrong try was counted")
	default:
		words = append(words, "PIN ok")
	}
	if f.UserPIN.ToBeChanged {
		words = append(words, "PIN must be changed")
	}
	if f.WriteProtected {
		words = append(words, "read-only")
	}
	return words
}

// writeJSON prints v as JSON, with what could reorder or hide text on a
// terminal escaped (escape.JSON): names in it come from files.
func writeJSON(w io.Writer, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(escape.JSON(b.Bytes()))
	return err
}

// noArgs refuses positional arguments as a usage error.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageError{fmt.Errorf("%s takes no arguments, got %q", cmd.CommandPath(), args[0])}
	}
	return nil
}

// minArgs wants at least n positional arguments, as a usage error.
func minArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := cobra.MinimumNArgs(n)(cmd, args); err != nil {
			return usageError{err}
		}
		return nil
	}
}
