"""One guard for the whole admin area: every page, in every section, whatever section is added
later. The pages are read from the blueprint itself, so a new page is covered the day it exists."""

import pytest
from flask import Flask

from soulseer.blueprints.admin import bp as admin_bp


def admin_page_rules():
    """Every GET rule of the admin blueprint (a bare app holds only it, to list its rules)."""
    bare = Flask("admin-rules")
    bare.register_blueprint(admin_bp)
    rules = [r for r in bare.url_map.iter_rules() if r.endpoint.startswith("admin.") and "GET" in r.methods]
    return sorted(rules, key=lambda r: r.rule)


RULES = admin_page_rules()


def url_for_rule(rule):
    """A concrete URL for the rule: any id or slug will do, the guard answers before the view."""
    values = {name: (1 if name.endswith("_id") else "terms") for name in rule.arguments}
    return rule.build(values)[1]


def test_the_list_is_every_admin_page_of_the_app(app):
    in_app = sorted(r.rule for r in app.url_map.iter_rules() if r.endpoint.startswith("admin.") and "GET" in r.methods)
    assert [r.rule for r in RULES] == in_app
    assert len(in_app) >= 15  # overview, users, applications, readers, readings, ledger, events, pages, audit...


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.endpoint)
@pytest.mark.parametrize("role", ["client", "reader"])
def test_clients_and_readers_get_403(client, login, person, rule, role):
    login(client, person(role))
    response = client.get(url_for_rule(rule))
    assert response.status_code == 403
    assert "Not allowed" in response.get_data(as_text=True)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.endpoint)
def test_visitors_are_sent_to_sign_in(client, rule):
    url = url_for_rule(rule)
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")
