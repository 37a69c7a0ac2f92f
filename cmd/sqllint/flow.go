package main

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"strconv"
)

// flow knows, for each string variable of a package (package-level or
// local), every expression assigned to it anywhere in the package: its
// initialiser and each =, := and +=. A variable holds SQL when any of them
// does, wherever the assignment stands: a flow-insensitive view, which errs
// towards reporting.
type flow struct {
	info *types.Info
	defs map[*types.Var][]ast.Expr
}

func newFlow(info *types.Info, files []*ast.File) *flow {
	f := &flow{info: info, defs: map[*types.Var][]ast.Expr{}}
	assign := func(id *ast.Ident, value ast.Expr) {
		obj := info.Defs[id]
		if obj == nil {
			obj = info.Uses[id] // := that redeclares, =, +=
		}
		if v, ok := obj.(*types.Var); ok && isString(v.Type()) {
			f.defs[v] = append(f.defs[v], value)
		}
	}
	for _, file := range files {
		ast.Inspect(file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.AssignStmt:
				if len(n.Lhs) != len(n.Rhs) {
					return true // values of a call: nothing to trace
				}
				for i, lhs := range n.Lhs {
					if id, ok := ast.Unparen(lhs).(*ast.Ident); ok {
						assign(id, n.Rhs[i])
					}
				}
			case *ast.ValueSpec:
				if len(n.Values) == len(n.Names) {
					for i, id := range n.Names {
						assign(id, n.Values[i])
					}
				}
			}
			return true
		})
	}
	return f
}

// sql describes the SQL text that e holds, or is "" when it holds none
// that can be seen: a constant (literal or named) that reads like SQL, a
// variable assigned one, or a concatenation or formatting call with one
// among its operands.
func (f *flow) sql(e ast.Expr) string {
	return f.trace(e, map[*types.Var]bool{})
}

func (f *flow) trace(e ast.Expr, seen map[*types.Var]bool) string {
	e = ast.Unparen(e)
	if tv, ok := f.info.Types[e]; ok && tv.Value != nil {
		if tv.Value.Kind() != constant.String || !looksLikeSQL(constant.StringVal(tv.Value)) {
			return ""
		}
		text := strconv.Quote(shorten(constant.StringVal(tv.Value)))
		if id := name(e); id != "" {
			return id + " = " + text
		}
		return text
	}
	switch e := e.(type) {
	case *ast.Ident:
		v, ok := f.info.Uses[e].(*types.Var)
		if !ok || seen[v] {
			return ""
		}
		seen[v] = true
		for _, def := range f.defs[v] {
			if sql := f.trace(def, seen); sql != "" {
				return e.Name + ", holding " + sql
			}
		}
	case *ast.BinaryExpr:
		if e.Op == token.ADD {
			if sql := f.trace(e.X, seen); sql != "" {
				return sql
			}
			return f.trace(e.Y, seen)
		}
	case *ast.CallExpr:
		if fn := calledFunc(f.info, e); fn != nil && builders[qualified(fn)] {
			for _, arg := range e.Args {
				if sql := f.trace(arg, seen); sql != "" {
					return sql
				}
			}
		}
	case *ast.CompositeLit: // the parts given to strings.Join
		for _, elt := range e.Elts {
			if kv, ok := elt.(*ast.KeyValueExpr); ok {
				elt = kv.Value
			}
			if sql := f.trace(elt, seen); sql != "" {
				return sql
			}
		}
	}
	return ""
}

// name is the name of a named constant, or "".
func name(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return e.Sel.Name
	}
	return ""
}

func isString(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&types.IsString != 0
}

// shorten keeps a finding on one readable line.
func shorten(s string) string {
	if r := []rune(s); len(r) > 60 {
		return string(r[:60]) + "…"
	}
	return s
}
