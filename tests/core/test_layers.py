"""Services, the ledger and the models never read the request, the session, `g` or the signed-in user:
views pass them plain values."""

import ast
from pathlib import Path

import soulseer

PACKAGE = Path(soulseer.__file__).parent
RULE_LAYERS = ("services", "ledger", "models")
REQUEST_NAMES = {("flask", "request"), ("flask", "session"), ("flask", "g"), ("flask_login", "current_user")}


def request_imports(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in {"flask", "flask_login"}:
            found += [f"{node.module}.{a.name}" for a in node.names if (node.module, a.name) in REQUEST_NAMES]
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            found += [f"{node.value.id}.{node.attr}"] if (node.value.id, node.attr) in REQUEST_NAMES else []
    return found


def test_the_rule_layers_never_import_the_request_the_session_or_the_current_user():
    offenders = {
        str(path.relative_to(PACKAGE)): names
        for layer in RULE_LAYERS
        for path in sorted((PACKAGE / layer).rglob("*.py"))
        if (names := request_imports(path))
    }
    assert offenders == {}


def test_the_check_sees_every_way_of_importing_them(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from flask import current_app, request\n"
        "def f():\n"
        "    from flask_login import current_user\n"
        "    import flask\n"
        "    return flask.session\n"
    )
    assert request_imports(sample) == ["flask.request", "flask_login.current_user", "flask.session"]
