"""SQL uses bound parameters only: no value ever becomes part of the SQL text.

Every ``execute``/``executemany``/``executescript`` and sqlite-utils ``query`` call in lineage/
is read with ast; SQL built by an f-string, ``%``, ``+`` or ``.format`` may only splice in
allow-listed pieces: module-level constants (UPPER_CASE names), literals, and placeholder
lists such as ``",".join("?" * n)``. A variable holding SQL must be built the same way."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
SQL_METHODS = {"execute", "executemany", "executescript", "query"}


def is_placeholders(node: ast.AST) -> bool:
    """``",".join("?" * n)`` or ``", ".join("?" for ...)`` and the like: only question marks."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "join"):
        return False
    sep, [arg] = node.func.value, node.args or [None]
    if not (isinstance(sep, ast.Constant) and set(sep.value) <= set(", ")):
        return False
    if isinstance(arg, ast.BinOp) and isinstance(arg.op, ast.Mult):
        return any(isinstance(side, ast.Constant) and side.value in ("?", ["?"]) for side in (arg.left, arg.right))
    if isinstance(arg, ast.GeneratorExp | ast.ListComp):
        return isinstance(arg.elt, ast.Constant) and arg.elt.value == "?"
    return False


def allowed_piece(node: ast.AST, safe_names: set[str]) -> bool:
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.Name):
        return node.id.isupper() or node.id in safe_names
    if isinstance(node, ast.Subscript):  # SQL_PIECES[key]: a constant table of SQL
        return isinstance(node.value, ast.Name) and node.value.id.isupper()
    if isinstance(node, ast.List):
        return all(allowed_piece(e, safe_names) for e in node.elts)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "join":
        sep, args = node.func.value, node.args
        if isinstance(sep, ast.Constant) and len(args) == 1 and allowed_piece(args[0], safe_names):
            return True  # " AND ".join(clauses), the clauses all allowed
    if isinstance(node, ast.FormattedValue):
        return allowed_piece(node.value, safe_names)
    if isinstance(node, ast.JoinedStr):
        return all(allowed_piece(v, safe_names) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return allowed_piece(node.left, safe_names) and allowed_piece(node.right, safe_names)
    if isinstance(node, ast.Tuple):
        return all(allowed_piece(e, safe_names) for e in node.elts)
    if isinstance(node, ast.IfExp):
        return allowed_piece(node.body, safe_names) and allowed_piece(node.orelse, safe_names)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return allowed_piece(node.func.value, safe_names) and all(allowed_piece(a, safe_names) for a in node.args)
    return is_placeholders(node)


def safe_sql_names(function: ast.AST) -> set[str]:
    """Local names whose every assignment in ``function`` is allowed SQL (a fixed point)."""
    assigned: dict[str, list[ast.AST]] = {}
    for node in ast.walk(function):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    assigned.setdefault(target.id, []).append(node.value)
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            assigned.setdefault(node.target.id, []).append(node.value)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            assigned.setdefault(node.target.id, []).append(node.value)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "append":
            if isinstance(node.func.value, ast.Name) and node.args:
                assigned.setdefault(node.func.value.id, []).append(node.args[0])
    for node in ast.walk(function):  # where, params = [], []: each name gets its own value
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Tuple):
            values = node.value.elts if isinstance(node.value, ast.Tuple) else [None] * len(node.targets[0].elts)
            for target, value in zip(node.targets[0].elts, values, strict=False):
                if isinstance(target, ast.Name):
                    assigned.setdefault(target.id, []).append(value if value is not None else node.value)
    safe: set[str] = set()
    while True:
        more = {n for n, values in assigned.items() if n not in safe and all(allowed_piece(v, safe) for v in values)}
        if not more:
            return safe
        safe |= more


def violations(source: str, name: str) -> list[str]:
    tree = ast.parse(source)
    found = []
    scopes = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)] + [tree]
    for scope in scopes:
        safe = safe_sql_names(scope)
        for node in ast.walk(scope):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr not in SQL_METHODS or not node.args:
                continue
            if not allowed_piece(node.args[0], safe):
                found.append(f"{name}:{node.lineno}: SQL built from {ast.unparse(node.args[0])[:80]}")
    return sorted(set(found))


def test_sql_in_lineage_uses_bound_parameters_only():
    found = []
    for path in sorted((ROOT / "lineage").rglob("*.py")):
        found += violations(path.read_text("utf-8"), str(path.relative_to(ROOT)))
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    ("source", "bad"),
    [
        ('db.execute("SELECT * FROM nodes WHERE id = ?", (x,))', False),
        ('db.execute(f"SELECT * FROM {TABLE} WHERE id = ?", (x,))', False),
        ("db.execute(f\"SELECT * FROM t WHERE id IN ({','.join('?' * len(ids))})\", ids)", False),
        ("db.execute(f\"SELECT * FROM t WHERE name = '{name}'\")", True),
        ("db.execute(\"SELECT * FROM t WHERE name = '%s'\" % name)", True),
        ('db.execute("SELECT * FROM t WHERE name = " + name)', True),
        ('db.execute("SELECT * FROM t WHERE name = {}".format(name))', True),
        ('def f(name):\n    sql = "SELECT " + name\n    db.execute(sql)', True),
        ('def f():\n    sql = "SELECT *"\n    sql += " WHERE a = ?"\n    db.execute(sql, (1,))', False),
        ('db.query(f"SELECT {col} FROM t")', True),
        (
            'def f(k):\n    w = []\n    if k:\n        w.append("kind = ?")\n    db.execute("SELECT" + " AND ".join(w))',
            False,
        ),
        ('def f(k):\n    w = []\n    w.append(f"kind = \'{k}\'")\n    db.execute("SELECT" + " AND ".join(w))', True),
        ('def f(k):\n    db.execute(f"SELECT {WHERE[k]}")', False),
        ('def f(k):\n    db.execute(f"SELECT {where[k]}")', True),
    ],
)
def test_the_scan_tells_bound_parameters_from_spliced_values(source, bad):
    assert bool(violations(source, "x.py")) == bad
