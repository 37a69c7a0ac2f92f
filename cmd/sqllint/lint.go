package main

import (
	"cmp"
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/packages"
)

type finding struct {
	pos token.Position
	msg string
}

func (f finding) String() string { return f.pos.String() + ": " + f.msg }

// before orders findings by file, line and column.
func (f finding) before(g finding) bool {
	return cmp.Or(cmp.Compare(f.pos.Filename, g.pos.Filename), cmp.Compare(f.pos.Line, g.pos.Line), cmp.Compare(f.pos.Column, g.pos.Column)) < 0
}

// builders are the functions that assemble strings at run time.
var builders = map[string]bool{
	"fmt.Sprintf": true, "fmt.Sprint": true, "fmt.Sprintln": true,
	"fmt.Fprintf": true, "fmt.Fprint": true, "fmt.Fprintln": true,
	"fmt.Appendf": true, "fmt.Append": true, "fmt.Appendln": true,
	"strings.Join": true, "strings.Replace": true, "strings.ReplaceAll": true,
	"io.WriteString": true,
}

// lint loads the packages matching patterns (tests included) from dir and
// reports every finding.
func lint(dir string, patterns []string) ([]finding, error) {
	cfg := &packages.Config{
		Dir:   dir,
		Tests: true,
		Mode:  packages.NeedName | packages.NeedFiles | packages.NeedSyntax | packages.NeedTypes | packages.NeedTypesInfo,
	}
	pkgs, err := packages.Load(cfg, patterns...)
	if err != nil {
		return nil, err
	}
	var loadErrs []string
	packages.Visit(pkgs, nil, func(p *packages.Package) {
		for _, e := range p.Errors {
			loadErrs = append(loadErrs, e.Error())
		}
	})
	if len(loadErrs) > 0 {
		return nil, fmt.Errorf("load: %s", strings.Join(loadErrs, "; "))
	}

	seen := map[string]bool{} // a file is in both a package and its test variant
	var out []finding
	for _, p := range pkgs {
		flow := newFlow(p.TypesInfo, p.Syntax)
		for _, file := range p.Syntax {
			name := p.Fset.File(file.Pos()).Name()
			if seen[name] || ast.IsGenerated(file) {
				continue
			}
			seen[name] = true
			out = append(out, lintFile(p.Fset, flow, file)...)
		}
	}
	return out, nil
}

func lintFile(fset *token.FileSet, flow *flow, file *ast.File) []finding {
	info := flow.info
	var out []finding
	report := func(n ast.Node, format string, args ...any) {
		out = append(out, finding{pos: fset.Position(n.Pos()), msg: fmt.Sprintf(format, args...)})
	}
	ast.Inspect(file, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			fn := calledFunc(info, n)
			if fn == nil {
				return true
			}
			if builders[qualified(fn)] || fn.Name() == "WriteString" {
				for _, arg := range n.Args {
					if sql := flow.sql(arg); sql != "" {
						report(n, "SQL built with %s: %s", qualified(fn), sql)
						return false
					}
				}
			}
		case *ast.BinaryExpr:
			if n.Op == token.ADD && !isConstant(info, n) {
				if sql := flow.sql(n); sql != "" {
					report(n, "SQL built with +: %s", sql)
					return false // one finding per expression, not one per operand
				}
			}
		case *ast.AssignStmt:
			if n.Tok == token.ADD_ASSIGN {
				sql := flow.sql(n.Rhs[0])
				if sql == "" {
					sql = flow.sql(n.Lhs[0]) // appending to SQL
				}
				if sql != "" {
					report(n, "SQL built with +=: %s", sql)
					return false
				}
			}
		}
		return true
	})
	return out
}

// calledFunc is the function or method a call invokes, if it is a named one.
func calledFunc(info *types.Info, call *ast.CallExpr) *types.Func {
	var id *ast.Ident
	switch f := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
		id = f
	case *ast.SelectorExpr:
		id = f.Sel
	default:
		return nil
	}
	fn, _ := info.Uses[id].(*types.Func)
	return fn
}

// qualified names a function as pkg.Name, or Type.Name for a method.
func qualified(fn *types.Func) string {
	if fn.Pkg() == nil {
		return fn.Name()
	}
	if sig, ok := fn.Type().(*types.Signature); ok && sig.Recv() != nil {
		recv := types.TypeString(sig.Recv().Type(), func(p *types.Package) string { return p.Name() })
		return strings.TrimPrefix(recv, "*") + "." + fn.Name()
	}
	return fn.Pkg().Name() + "." + fn.Name()
}

// isConstant reports an expression the compiler folds: literals joined at
// compile time carry no run-time data.
func isConstant(info *types.Info, e ast.Expr) bool {
	tv, ok := info.Types[e]
	return ok && tv.Value != nil && tv.Value.Kind() == constant.String
}
