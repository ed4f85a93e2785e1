package ui

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// TestNoWordsOutsideTheCatalogue: what the app's widgets and dialogs are
// built with, and the texts and placeholders set on them later, come from
// the catalogue (i18n), never from a string literal: a literal there is a
// sentence some languages would not get.
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
		af, err := parser.ParseFile(fset, f, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		if f != "tour.go" {
			formattedWords(t, fset, af)
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
				if s, _ := strconv.Unquote(lit.Value); isWords(s) {
					t.Errorf("%s: %s.%s(%s): words for people go through i18n.T", fset.Position(lit.Pos()), pkg.Name, sel.Sel.Name, lit.Value)
				}
			}
			return true
		})
	}
}

// formattedWords catches the shapes a widget's text is built in besides a
// literal argument (issue 31, 3): a sentence in fmt.Sprintf, fmt.Errorf
// or errors.New, a phrase joined with +, a label in a table of rows. Any
// literal with two words or more is one, outside an i18n call and the
// keys of template data.
func formattedWords(t *testing.T, fset *token.FileSet, af *ast.File) {
	skip := map[ast.Node]bool{}
	skipLines := map[int]bool{} // a line marked "i18n:skip" says why it is no text for people
	for _, g := range af.Comments {
		if strings.Contains(g.Text(), "i18n:skip") {
			skipLines[fset.Position(g.Pos()).Line] = true
		}
	}
	ast.Inspect(af, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ImportSpec, *ast.Field:
			return false // paths, struct tags
		case *ast.CallExpr:
			if sel, ok := n.Fun.(*ast.SelectorExpr); ok {
				pkg, _ := sel.X.(*ast.Ident)
				switch {
				case pkg == nil:
				case pkg.Name == "i18n" || pkg.Name == "log" || pkg.Name == "slog":
					for _, a := range n.Args {
						skip[a] = true
					}
				case pkg.Name == "fmt" && (sel.Sel.Name == "Sprintf" || sel.Sel.Name == "Errorf") || pkg.Name == "errors" && sel.Sel.Name == "New":
					// A format with a single word is a sentence too
					// ("Page %s").
					if lit, ok := n.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING && !skipLines[fset.Position(lit.Pos()).Line] {
						if f, _ := strconv.Unquote(lit.Value); wordRun.MatchString(fmtVerb.ReplaceAllString(f, "")) {
							t.Errorf("%s: %s: words for people go through i18n.T", fset.Position(lit.Pos()), lit.Value)
							skip[lit] = true
						}
					}
				}
			}
		case *ast.KeyValueExpr:
			skip[n.Key] = true
		case *ast.BinaryExpr:
			if n.Op == token.EQL || n.Op == token.NEQ {
				skip[n.X], skip[n.Y] = true, true // a name compared, not shown
			}
		case *ast.BasicLit:
			if n.Kind != token.STRING || skip[n] || skipLines[fset.Position(n.Pos()).Line] {
				return true
			}
			s, _ := strconv.Unquote(n.Value)
			if isWords(s) && strings.Contains(strings.TrimSpace(s), " ") && len(strings.FieldsFunc(fmtVerb.ReplaceAllString(s, ""), func(r rune) bool { return !unicode.IsLetter(r) })) >= 2 {
				t.Errorf("%s: %s: words for people go through i18n.T", fset.Position(n.Pos()), n.Value)
			}
		}
		return true
	})
}

// isWords tells a literal people read as words: letters, and not an
// example value such as a URL or a phone number, which no language
// translates.
func isWords(s string) bool {
	if strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://") {
		return false
	}
	s = fmtVerb.ReplaceAllString(s, "") // "%s" is no word
	return strings.IndexFunc(s, unicode.IsLetter) >= 0
}

// wordRun is a word: three letters in a row.
var wordRun = regexp.MustCompile(`\pL{3}`)

var fmtVerb = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z]`)
