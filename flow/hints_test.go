package flow

import (
	"go/ast"
	"go/parser"
	"go/token"
	"testing"
)

// TestHintsFromTheCatalogue: every hint a person reads comes from the
// catalogue (i18n.T), in the language they read: Hint returns no literal
// words.
func TestHintsFromTheCatalogue(t *testing.T) {
	for _, path := range []string{"hints.go", "../internal/cli/hints.go"} {
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			ret, ok := n.(*ast.ReturnStmt)
			if !ok || len(ret.Results) != 1 {
				return true
			}
			if lit, ok := ret.Results[0].(*ast.BasicLit); ok && lit.Kind == token.STRING && lit.Value != `""` {
				t.Errorf("%s: the hint %s is not in the catalogue", fset.Position(lit.Pos()), lit.Value)
			}
			return true
		})
	}
}
