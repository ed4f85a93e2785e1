package ui

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestNoWordsOutsideTheCatalogue: what the app's widgets and dialogs are
// built with comes from the catalogue (i18n), never from a string
// literal: a literal there is a sentence some languages would not get.
func TestNoWordsOutsideTheCatalogue(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(af, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			pkg, ok := sel.X.(*ast.Ident)
			if !ok || (pkg.Name != "widget" && pkg.Name != "dialog") {
				return true
			}
			for _, a := range call.Args {
				lit, ok := a.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					continue
				}
				if s, _ := strconv.Unquote(lit.Value); strings.TrimSpace(s) != "" {
					t.Errorf("%s: %s.%s(%s): words for people go through i18n.T", fset.Position(lit.Pos()), pkg.Name, sel.Sel.Name, lit.Value)
				}
			}
			return true
		})
	}
}
