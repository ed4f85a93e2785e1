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
				fmt.Fprintln(a.stderr, i18n.T("cli.warning", map[string]any{"Error": i18n.Line(mods.Failed[path])}))
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
	// What a module and its tokens say of themselves is shown escaped: a
	// device could send terminal control sequences in a label.
	fmt.Fprintf(w, "%s · %s %s (Cryptoki %s)\n", shown(m.Path), shown(m.Manufacturer), shown(m.Description), m.CryptokiVersion) // i18n:skip: names
	if m.Error != "" {
		fmt.Fprintln(w, "  "+i18n.T("cli.tokens.cannot_list", map[string]any{"Error": shown(m.Error)}))
	}
	if len(m.Slots) == 0 && m.Error == "" && m.Repeated == 0 {
		fmt.Fprintln(w, "  "+i18n.T("cli.tokens.no_slots"))
	}
	for _, s := range m.Slots {
		fmt.Fprintln(w, "  "+i18n.T("cli.tokens.slot", map[string]any{"ID": s.ID, "Description": shown(s.Description)}))
		switch {
		case s.Token == nil:
			fmt.Fprintln(w, "    "+i18n.T("cli.tokens.no_token"))
		case !s.Token.Flags.Initialized:
			fmt.Fprintln(w, "    "+i18n.T("cli.tokens.blank"))
		default:
			t := s.Token
			fmt.Fprintln(w, "    "+i18n.T("cli.tokens.token", map[string]any{"Label": shown(t.Label), "Manufacturer": shown(t.Manufacturer), "Model": shown(t.Model), "Serial": shown(t.Serial)}))
			fmt.Fprintf(w, "    %s\n", strings.Join(flagWords(t.Flags), " · "))
			fmt.Fprintf(w, "    %s\n", pkcs11.TokenURI(t))
		}
	}
	if m.Repeated > 0 {
		fmt.Fprintln(w, "  "+i18n.T("cli.tokens.repeated", map[string]any{"Count": m.Repeated}))
	}
}

// flagWords says a token's flags the way a person needs them.
func flagWords(f pkcs11.TokenFlags) []string {
	var words []string
	if f.LoginRequired {
		words = append(words, i18n.T("cli.tokens.pin_required"))
	} else {
		words = append(words, i18n.T("cli.tokens.no_pin"))
	}
	if f.ProtectedAuthPath {
		words = append(words, i18n.T("cli.tokens.pinpad"))
	}
	switch {
	case f.UserPIN.Locked:
		words = append(words, i18n.T("cli.tokens.pin_locked"))
	case f.UserPIN.FinalTry:
		words = append(words, i18n.T("cli.tokens.pin_final"))
	case f.UserPIN.CountLow:
		words = append(words, i18n.T("cli.tokens.pin_low"))
	default:
		words = append(words, i18n.T("cli.tokens.pin_ok"))
	}
	if f.UserPIN.ToBeChanged {
		words = append(words, i18n.T("cli.tokens.pin_change"))
	}
	if f.WriteProtected {
		words = append(words, i18n.T("cli.tokens.read_only"))
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
		return usageError{i18n.Errorf("cli.no_args", map[string]any{"Command": cmd.CommandPath(), "Arg": args[0]})}
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
