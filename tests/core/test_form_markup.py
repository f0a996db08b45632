"""The form helpers' markup (partials/_forms.html): no attribute written as "None", errors tied to
their fields, and ids unique on pages with several forms. The browser's axe tour checks every page
(tests/e2e/test_accessibility.py); these catch the same mistakes in a second, without a browser."""

from collections import Counter
from html.parser import HTMLParser

from soulseer.services.accounts import passwords
from tests.conftest import csrf_token_from


class Elements(HTMLParser):
    """Every start tag's attributes, in order."""

    def __init__(self, html):
        super().__init__()
        self.found = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))

    def ids(self):
        return [attrs["id"] for _, attrs in self.found if "id" in attrs]

    def named(self, name):
        return [attrs for tag, attrs in self.found if attrs.get("name") == name and tag in ("input", "textarea")]


def test_a_form_without_errors_writes_no_aria_state_and_no_none(client):
    html = client.get("/sign-up").get_data(as_text=True)
    assert '="None"' not in html
    email = Elements(html).named("email")[0]
    assert "aria-invalid" not in email and "aria-describedby" not in email


def test_a_field_with_an_error_is_invalid_and_described_by_its_message(client):
    token = csrf_token_from(client.get("/sign-up").get_data(as_text=True))
    response = client.post("/sign-up", data={"email": "not an email", "csrf_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and '="None"' not in html
    page = Elements(html)
    email = page.named("email")[0]
    assert email["aria-invalid"] == "true"
    described = email["aria-describedby"].split()
    assert described and set(described) <= set(page.ids())
    assert [a for t, a in page.found if a.get("id") == "email-error"][0].get("class") == "field-error"


def test_the_account_page_names_each_field_once(client, make_user, login):
    user = make_user(consented=True, password_hash=passwords.hash_password("violet-harbor-lantern"))
    html = login(client, user).get("/account").get_data(as_text=True)
    page = Elements(html)
    repeated = [name for name, n in Counter(page.ids()).items() if n > 1]
    assert repeated == []
    passwords_fields = page.named("password")
    assert [field["id"] for field in passwords_fields] == ["email-password", "delete-password"]
    labels = {attrs.get("for") for tag, attrs in page.found if tag == "label"}
    assert {"email-password", "delete-password"} <= labels
    assert len(page.named("csrf_token")) >= 4 and all("id" not in f for f in page.named("csrf_token"))


def test_the_admin_user_page_names_each_reason_once(client, make_user, login):
    admin = make_user(role="admin", consented=True)
    someone = make_user(consented=True)
    html = login(client, admin).get(f"/admin/users/{someone.id}").get_data(as_text=True)
    page = Elements(html)
    assert [name for name, n in Counter(page.ids()).items() if n > 1] == []
    assert len(page.named("reason")) >= 2
