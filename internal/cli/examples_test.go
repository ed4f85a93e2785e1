package cli

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// TestExamples (issue 31, 17): every command a person runs shows
// examples in its help, and each example parses: its command exists and
// its flags are that command's, with values of the right kind.
func TestExamples(t *testing.T) {
	a := &app{}
	root := a.rootCommand()
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		if !c.Runnable() || c.Name() == "help" || strings.HasPrefix(c.CommandPath(), "signet completion") || c == root {
			return
		}
		if c.Example == "" {
			t.Errorf("%s: no examples", c.CommandPath())
			return
		}
		for _, line := range exampleLines(c.Example) {
			args := shellWords(line)
			if len(args) == 0 || args[0] != "signet" {
				t.Errorf("%s: example %q is not a signet command", c.CommandPath(), line)
				continue
			}
			found, rest, err := root.Find(args[1:])
			if err != nil || found != c {
				t.Errorf("%s: example %q runs %s (%v)", c.CommandPath(), line, found.CommandPath(), err)
				continue
			}
			found.InitDefaultHelpFlag()
			if err := found.ParseFlags(rest); err != nil {
				t.Errorf("%s: example %q: %v", c.CommandPath(), line, err)
			}
			found.Flags().VisitAll(func(f *pflag.Flag) { f.Changed = false })
		}
	}
	walk(root)
}

// exampleLines are an example's commands: comments left out, a line
// ending in a backslash joined with the next.
func exampleLines(s string) []string {
	var out []string
	var cur string
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "#") || l == "" {
			continue
		}
		if strings.HasSuffix(l, `\`) {
			cur += strings.TrimSuffix(l, `\`) + " "
			continue
		}
		out = append(out, cur+l)
		cur = ""
	}
	return out
}

// shellWords splits a line as a shell does for these examples: at
// spaces, with single quotes keeping spaces and semicolons.
func shellWords(s string) []string {
	var out []string
	var w strings.Builder
	quoted, in := false, false
	for _, r := range s {
		switch {
		case r == '\'':
			quoted, in = !quoted, true
		case r == ' ' && !quoted:
			if in {
				out = append(out, w.String())
				w.Reset()
				in = false
			}
		default:
			w.WriteRune(r)
			in = true
		}
	}
	if in {
		out = append(out, w.String())
	}
	return out
}
