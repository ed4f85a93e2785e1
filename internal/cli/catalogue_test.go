package cli

import (
	"go/ast"
	"strings"
	"testing"

	"github.com/signet-sign/signet/internal/wordcheck"
)

// TestNoWordsOutsideTheCatalogue: what the commands say to a person, on
// standard output or in an error, comes from the catalogue, so that
// --lang and the locale choose its words as they do the app's. Machine
// output (--json, --report jsonl) stays English and carries no words
// outside its field names; a line that is no text for people says so
// with an "i18n:skip" comment.
//
// The reference text stays English, as the man pages made from it do:
// a command's usage line, Long and Example, and the flags' descriptions. Its Short
// is translated (the command lists of --help).
func TestNoWordsOutsideTheCatalogue(t *testing.T) {
	fset, files, err := wordcheck.Sources()
	if err != nil {
		t.Fatal(err)
	}
	for f, af := range files {
		if f == "examples.go" {
			continue
		}
		for _, w := range wordcheck.Formatted(fset, af, reference) {
			t.Errorf("%s: %s: words for people go through i18n", w.Pos, w.Literal)
		}
	}
}

// reference tells the command line's reference text: a command's Use,
// Long or Example, a flag's definition or shared description (…Help).
func reference(n ast.Node) bool {
	switch n := n.(type) {
	case *ast.KeyValueExpr:
		k, ok := n.Key.(*ast.Ident)
		return ok && (k.Name == "Use" || k.Name == "Long" || k.Name == "Example")
	case *ast.ValueSpec:
		// A flag's description shared by several commands: requireChainHelp.
		for _, name := range n.Names {
			if strings.HasSuffix(name.Name, "Help") {
				return true
			}
		}
	case *ast.CallExpr:
		sel, ok := n.Fun.(*ast.SelectorExpr)
		if !ok {
			return false
		}
		if inner, ok := sel.X.(*ast.CallExpr); ok {
			if f, ok := inner.Fun.(*ast.SelectorExpr); ok && (f.Sel.Name == "Flags" || f.Sel.Name == "PersistentFlags") {
				return true // cmd.Flags().String("name", "", "description")
			}
		}
		switch name := sel.Sel.Name; {
		case strings.HasSuffix(name, "Var") || strings.HasSuffix(name, "VarP"):
			return true // f.StringVar(&v, "name", "", "description")
		case name == "MarkDeprecated" || name == "MarkHidden":
			return true
		}
	}
	return false
}
