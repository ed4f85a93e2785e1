package ui

import (
	"go/ast"
	"go/token"
	"strconv"
	"testing"

	"github.com/signet-sign/signet/internal/wordcheck"
)

// TestNoWordsOutsideTheCatalogue: what the app's widgets and dialogs are
// built with, and the texts and placeholders set on them later, come from
// the catalogue (i18n), never from a string literal: a literal there is a
// sentence some languages would not get.
func TestNoWordsOutsideTheCatalogue(t *testing.T) {
	fset, files, err := wordcheck.Sources()
	if err != nil {
		t.Fatal(err)
	}
	for f, af := range files {
		if f != "tour.go" {
			for _, w := range wordcheck.Formatted(fset, af, nil) {
				t.Errorf("%s: %s: words for people go through i18n.T", w.Pos, w.Literal)
			}
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
			setter := sel.Sel.Name == "SetText" || sel.Sel.Name == "SetPlaceHolder" || sel.Sel.Name == "showError" || sel.Sel.Name == "setStatus"
			if !setter && (!ok || (pkg.Name != "widget" && pkg.Name != "dialog")) {
				return true
			}
			if setter && f == "tour.go" {
				return true // the tour types what a person would
			}
			if setter {
				pkg = &ast.Ident{Name: "(widget)"}
			}
			for _, a := range call.Args {
				lit, ok := a.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					continue
				}
				if s, _ := strconv.Unquote(lit.Value); wordcheck.IsWords(s) {
					t.Errorf("%s: %s.%s(%s): words for people go through i18n.T", fset.Position(lit.Pos()), pkg.Name, sel.Sel.Name, lit.Value)
				}
			}
			return true
		})
	}
}
