"""The admin area: who may enter, users, reader applications, invitations, pages, the audit log.
Every admin action is audit-logged with before/after; refused actions change nothing."""

import re

import pytest
import sqlalchemy as sa

from soulseer import clock
from soulseer.models import (
    AccountToken,
    ApplicationStatus,
    AuditEntry,
    ContentPage,
    OutboundEmail,
    ReaderApplication,
    User,
)
from soulseer.services.accounts import admin_users
from tests.support.forms import post_with_csrf


def fresh(db, model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


def audit_entries(db):
    db.session.expire_all()
    return db.session.execute(sa.select(AuditEntry).order_by(AuditEntry.id)).scalars().all()


def count(db, model):
    db.session.expire_all()
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar()


def make_application(db, email="selene@example.test", status=ApplicationStatus.SUBMITTED, **fields):
    application = ReaderApplication(
        legal_name=fields.pop("legal_name", "Selene Marsh"),
        email=email,
        phone="+44 20 7946 0958",
        years_of_practice=12,
        specialties=["Tarot", "Dreams"],
        modes=["chat", "video"],
        bio="I have read tarot for twelve years, for people at a crossroads in love and work.",
        why_soulseer="Fair pay.",
        links="https://selene.example.test",
        agreement_version=1,
        status=status,
        **fields,
    )
    db.session.add(application)
    db.session.commit()
    return application


# Who may enter ------------------------------------------------------------------------------

ADMIN_PAGES = [
    "/admin",
    "/admin/users",
    "/admin/users/1",
    "/admin/applications",
    "/admin/applications/1",
    "/admin/invite-reader",
    "/admin/pages",
    "/admin/pages/terms",
    "/admin/audit",
]
ADMIN_POSTS = [
    "/admin/users/1/suspend",
    "/admin/users/1/restore",
    "/admin/users/1/role",
    "/admin/users/1/invitation",
    "/admin/applications/1/decision",
    "/admin/invite-reader",
    "/admin/pages/terms",
    "/admin/pages/terms/preview",
]


@pytest.mark.parametrize("role", ["client", "reader"])
def test_clients_and_readers_get_403_on_every_admin_page_and_action(client, db, person, login, admin, role):
    login(client, person(role))
    make_application(db)
    for url in ADMIN_PAGES:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Not allowed" in response.get_data(as_text=True)
    for url in ADMIN_POSTS:
        assert post_with_csrf(client, url, {"role": "client", "decision": "approve"}).status_code == 403, url
    assert fresh(db, User, admin.id).status == "active"
    assert fresh(db, ReaderApplication, 1).status == ApplicationStatus.SUBMITTED
    assert audit_entries(db) == []


def test_visitors_are_sent_to_sign_in(client):
    for url in ("/admin", "/admin/users", "/reader"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/sign-in" in response.headers["Location"]


def test_only_readers_open_the_reader_dashboard(client, person, login, admin):
    login(client, person("client"))
    assert client.get("/reader").status_code == 403
    login(client, admin)
    assert client.get("/reader").status_code == 403
    login(client, person("reader", display_name="Orion Vale"))
    response = client.get("/reader")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Welcome, Orion Vale" in html
    assert "/account" in html
    assert "coming soon" not in html.lower()


def test_the_reader_dashboard_shows_what_they_applied_with(client, db, person, login):
    reader = person("reader")
    make_application(db, email=reader.email, status=ApplicationStatus.APPROVED, user_id=reader.id)
    login(client, reader)
    html = client.get("/reader").get_data(as_text=True)
    assert "What you applied with" in html
    for text in ("Tarot", "Dreams", "Chat", "Video"):
        assert text in html


def test_the_overview_counts_applications_and_users(admin_client, db, person):
    person("client")
    person("client")
    person("reader")
    person("client", status="suspended")
    make_application(db, email="a@example.test")
    make_application(db, email="b@example.test")
    make_application(db, email="c@example.test", status=ApplicationStatus.KEPT_ON_FILE)
    html = admin_client.get("/admin").get_data(as_text=True)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "2 applications waiting" in text
    assert "1 kept on file" in text
    assert "3 clients" in text and "1 reader" in text and "1 admin" in text and "1 suspended" in text


# Users ----------------------------------------------------------------------------------------


def test_users_are_found_by_email_or_name_in_any_case(admin_client, person):
    person("client", email="moon.child@example.test", display_name="Luna")
    person("reader", email="orion@example.test", display_name="Orion MOONWATER")
    person("client", email="sun@example.test", display_name="Sol")
    html = admin_client.get("/admin/users?q=moon").get_data(as_text=True)
    assert "moon.child@example.test" in html and "orion@example.test" in html
    assert "sun@example.test" not in html
    assert "2 users matching" in html
    assert "1 user matching" in admin_client.get("/admin/users?q=SOL").get_data(as_text=True)
    # LIKE wildcards are searched for literally.
    assert "0 users matching" in admin_client.get("/admin/users?q=%25").get_data(as_text=True)


def test_the_user_list_is_paginated(admin_client, person):
    for n in range(25):
        person("client", email=f"member{n:02d}@example.test")
    first = admin_client.get("/admin/users?q=member").get_data(as_text=True)
    assert "Page 1 of 2" in first and "member24@example.test" in first and "member04@example.test" not in first
    second = admin_client.get("/admin/users?q=member&page=2").get_data(as_text=True)
    assert "Page 2 of 2" in second and "member04@example.test" in second and "member24@example.test" not in second


def test_htmx_search_answers_with_the_list_fragment(admin_client, person):
    person("client", email="moon.child@example.test")
    response = admin_client.get("/admin/users?q=moon", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert 'id="user-list"' in html and "moon.child@example.test" in html
    assert "<html" not in html
    assert "HX-Request" in response.headers["Vary"]


def test_a_user_page_shows_role_status_created_and_last_sign_in(admin_client, person):
    member = person("client", email="cleo@example.test", display_name="Cleo", last_login_at=clock.now())
    html = admin_client.get(f"/admin/users/{member.id}").get_data(as_text=True)
    for text in ("Cleo", "cleo@example.test", "Client", "Active", "Created", "Last sign-in", "UTC"):
        assert text in html
    assert "Suspend" in html and "Change role" in html
    assert admin_client.get("/admin/users/9999").status_code == 404


def test_suspending_ends_the_users_sessions_at_once_and_is_audited(app, admin_client, db, person, login, admin):
    member = person("client", email="cleo@example.test")
    their_browser = login(app.test_client(), member)
    assert their_browser.get("/account").status_code == 200

    response = post_with_csrf(
        admin_client, f"/admin/users/{member.id}/suspend", {"reason": "Spam"}, page=f"/admin/users/{member.id}"
    )
    assert response.status_code == 302
    user = fresh(db, User, member.id)
    assert user.status == "suspended" and user.session_epoch == 1

    # Their very next request is anonymous.
    response = their_browser.get("/account")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]

    [entry] = audit_entries(db)
    assert (entry.actor_id, entry.action, entry.target_type, entry.target_id) == (
        admin.id,
        "user.suspended",
        "User",
        member.id,
    )
    assert entry.before == {"status": "active", "session_epoch": 0}
    assert entry.after == {"status": "suspended", "session_epoch": 1}
    assert entry.reason == "Spam"


def test_restoring_lets_the_user_in_again(admin_client, db, person, admin):
    member = person("client", status="suspended")
    response = post_with_csrf(admin_client, f"/admin/users/{member.id}/restore", {})
    assert response.status_code == 302
    assert fresh(db, User, member.id).status == "active"
    [entry] = audit_entries(db)
    assert entry.action == "user.restored"
    assert entry.before == {"status": "suspended"} and entry.after == {"status": "active"}


def test_suspending_twice_or_restoring_an_active_user_is_refused(admin_client, db, person):
    member = person("client")
    assert post_with_csrf(admin_client, f"/admin/users/{member.id}/restore", {}).status_code == 409
    post_with_csrf(admin_client, f"/admin/users/{member.id}/suspend", {})
    response = post_with_csrf(admin_client, f"/admin/users/{member.id}/suspend", {})
    assert response.status_code == 409
    assert "already suspended" in response.get_data(as_text=True)
    assert len(audit_entries(db)) == 1


def test_changing_a_role_is_audited(admin_client, db, person, admin):
    member = person("client")
    response = post_with_csrf(admin_client, f"/admin/users/{member.id}/role", {"role": "reader", "reason": "Hired"})
    assert response.status_code == 302
    assert fresh(db, User, member.id).role == "reader"
    [entry] = audit_entries(db)
    assert entry.action == "user.role_changed"
    assert entry.before == {"role": "client"} and entry.after == {"role": "reader"} and entry.reason == "Hired"


def test_an_unknown_role_is_refused(admin_client, db, person):
    member = person("client")
    response = post_with_csrf(admin_client, f"/admin/users/{member.id}/role", {"role": "wizard"})
    assert response.status_code == 422
    assert fresh(db, User, member.id).role == "client"
    assert audit_entries(db) == []


@pytest.mark.parametrize(
    ("action", "data"),
    [("suspend", {}), ("role", {"role": "client"}), ("role", {"role": "reader"}), ("restore", {})],
)
def test_an_admin_cannot_suspend_demote_or_change_themselves(admin_client, db, admin, action, data):
    response = post_with_csrf(admin_client, f"/admin/users/{admin.id}/{action}", data)
    assert response.status_code == 403
    assert "This is your own account" in response.get_data(as_text=True)
    me = fresh(db, User, admin.id)
    assert (me.role, me.status, me.session_epoch) == ("admin", "active", 0)
    assert audit_entries(db) == []
    # The page itself says why, instead of offering the buttons.
    html = admin_client.get(f"/admin/users/{admin.id}").get_data(as_text=True)
    assert "Admins cannot suspend, demote or change their own account" in html
    assert "/suspend" not in html


def test_the_services_refuse_self_changes_too(db, admin):
    for action in (
        lambda: admin_users.suspend(admin, admin.id),
        lambda: admin_users.change_role(admin, admin.id, "client"),
    ):
        with pytest.raises(admin_users.OwnAccountRefused):
            action()
    db.session.rollback()
    assert fresh(db, User, admin.id).role == "admin"


def test_another_admin_can_demote_an_admin(admin_client, db, person):
    other = person("admin")
    assert post_with_csrf(admin_client, f"/admin/users/{other.id}/role", {"role": "client"}).status_code == 302
    assert fresh(db, User, other.id).role == "client"


def test_a_deleted_account_cannot_be_changed(admin_client, db, person):
    gone = person("client", status="deleted")
    assert post_with_csrf(admin_client, f"/admin/users/{gone.id}/suspend", {}).status_code == 409
    assert fresh(db, User, gone.id).status == "deleted"


# Reader applications ------------------------------------------------------------------------


def decide(admin_client, application, decision, note=""):
    url = f"/admin/applications/{application.id}"
    return post_with_csrf(admin_client, f"{url}/decision", {"decision": decision, "note": note}, page=url)


def test_the_queue_shows_waiting_applications_and_filters_by_status(admin_client, db):
    make_application(db, email="waiting@example.test", legal_name="Wanda Waiting")
    make_application(db, email="filed@example.test", legal_name="Fiona Filed", status=ApplicationStatus.KEPT_ON_FILE)
    html = admin_client.get("/admin/applications").get_data(as_text=True)
    assert "Wanda Waiting" in html and "Fiona Filed" not in html
    html = admin_client.get("/admin/applications?status=kept_on_file").get_data(as_text=True)
    assert "Fiona Filed" in html and "Wanda Waiting" not in html
    html = admin_client.get("/admin/applications?status=all").get_data(as_text=True)
    assert "Fiona Filed" in html and "Wanda Waiting" in html


def test_an_application_page_shows_everything_the_applicant_wrote(admin_client, db):
    application = make_application(db)
    html = admin_client.get(f"/admin/applications/{application.id}").get_data(as_text=True)
    for text in ("Selene Marsh", "selene@example.test", "+44 20 7946 0958", "Tarot", "Video", "twelve years"):
        assert text in html
    assert 'href="https://selene.example.test" rel="noopener noreferrer nofollow"' in html
    assert admin_client.get("/admin/applications/999").status_code == 404


def test_approval_creates_the_reader_and_emails_the_invitation(admin_client, db, admin):
    application = make_application(db)
    response = decide(admin_client, application, "approve", "Lovely sample reading")
    assert response.status_code == 302

    decided = fresh(db, ReaderApplication, application.id)
    reader = db.session.execute(sa.select(User).filter_by(email="selene@example.test")).scalar_one()
    assert (reader.role, reader.status, reader.display_name) == ("reader", "active", "Selene Marsh")
    assert reader.password_hash is None and reader.email_verified_at is None
    assert decided.status == ApplicationStatus.APPROVED and decided.user_id == reader.id
    assert decided.decided_by_id == admin.id and decided.decided_at and decided.admin_note == "Lovely sample reading"

    [email] = db.session.execute(sa.select(OutboundEmail)).scalars().all()
    assert email.to_address == "selene@example.test"
    assert email.subject == "Your invitation to read on SoulSeer"
    assert re.search(r"http://\S+/invitations/\S+", email.body_text)
    assert "7 days" in email.body_text
    token = db.session.execute(sa.select(AccountToken).filter_by(user_id=reader.id)).scalar_one()
    assert token.purpose == "invitation" and token.used_at is None

    approved, invited = audit_entries(db)
    assert approved.action == "application.approved" and approved.target_type == "ReaderApplication"
    assert approved.before == {"status": "submitted", "admin_note": None, "user_id": None}
    assert approved.after == {"status": "approved", "admin_note": "Lovely sample reading", "user_id": reader.id}
    assert invited.action == "user.invited" and invited.target_id == reader.id
    assert invited.after["application_id"] == application.id


def test_approval_is_refused_when_the_email_has_an_account(admin_client, db, person):
    person("client", email="selene@example.test")
    application = make_application(db)
    html = admin_client.get(f"/admin/applications/{application.id}").get_data(as_text=True)
    assert "already has a SoulSeer account" in html  # warned before deciding

    response = decide(admin_client, application, "approve")
    assert response.status_code == 409
    assert "already has a SoulSeer account, so approval cannot create a reader account" in response.get_data(
        as_text=True
    )
    assert fresh(db, ReaderApplication, application.id).status == ApplicationStatus.SUBMITTED
    assert count(db, User) == 2  # the admin and the client
    assert count(db, OutboundEmail) == 0 and count(db, AccountToken) == 0
    assert audit_entries(db) == []


def test_rejecting_keeps_the_note_and_creates_no_account(admin_client, db):
    application = make_application(db)
    assert decide(admin_client, application, "reject", "No sample reading").status_code == 302
    decided = fresh(db, ReaderApplication, application.id)
    assert decided.status == ApplicationStatus.REJECTED and decided.admin_note == "No sample reading"
    assert count(db, User) == 1 and count(db, OutboundEmail) == 0
    [entry] = audit_entries(db)
    assert entry.action == "application.rejected" and entry.after["status"] == "rejected"


def test_an_application_kept_on_file_can_be_approved_later(admin_client, db):
    application = make_application(db)
    assert decide(admin_client, application, "keep_on_file", "Full for tarot now").status_code == 302
    assert fresh(db, ReaderApplication, application.id).status == ApplicationStatus.KEPT_ON_FILE
    assert decide(admin_client, application, "approve").status_code == 302
    assert fresh(db, ReaderApplication, application.id).status == ApplicationStatus.APPROVED
    assert [e.action for e in audit_entries(db)] == [
        "application.kept_on_file",
        "application.approved",
        "user.invited",
    ]


def test_a_decided_application_cannot_be_decided_again(admin_client, db):
    application = make_application(db)
    decide(admin_client, application, "reject")
    response = decide(admin_client, application, "approve")
    assert response.status_code == 409
    assert "already decided" in response.get_data(as_text=True)
    assert fresh(db, ReaderApplication, application.id).status == ApplicationStatus.REJECTED
    assert count(db, User) == 1 and len(audit_entries(db)) == 1


def test_a_decision_must_be_chosen(admin_client, db):
    application = make_application(db)
    response = decide(admin_client, application, "")
    assert response.status_code == 422
    assert "Choose a decision." in response.get_data(as_text=True)
    assert fresh(db, ReaderApplication, application.id).status == ApplicationStatus.SUBMITTED
    assert audit_entries(db) == []


# Inviting directly, sending again ----------------------------------------------------------


def test_an_admin_invites_a_reader_directly(admin_client, db, admin):
    response = post_with_csrf(
        admin_client,
        "/admin/invite-reader",
        {"display_name": "Iris Nightingale", "email": "Iris@Example.test"},
        page="/admin/invite-reader",
    )
    assert response.status_code == 302
    reader = db.session.execute(sa.select(User).filter_by(email="iris@example.test")).scalar_one()
    assert (reader.role, reader.display_name, reader.password_hash) == ("reader", "Iris Nightingale", None)
    [email] = db.session.execute(sa.select(OutboundEmail)).scalars().all()
    assert email.to_address == "iris@example.test" and "/invitations/" in email.body_text
    [entry] = audit_entries(db)
    assert (entry.actor_id, entry.action, entry.target_id) == (admin.id, "user.invited", reader.id)
    assert entry.after == {"email": "iris@example.test", "role": "reader"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"display_name": "Iris", "email": "ada@example.test"}, "already has a SoulSeer account"),
        ({"display_name": "Iris", "email": "nope"}, "Enter a valid email address."),
        ({"display_name": "", "email": "iris@example.test"}, "Enter the reader&#39;s name."),
    ],
)
def test_a_direct_invitation_with_bad_input_leaves_no_trace(admin_client, db, data, message):
    response = post_with_csrf(admin_client, "/admin/invite-reader", data, page="/admin/invite-reader")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(db, User) == 1 and count(db, OutboundEmail) == 0 and audit_entries(db) == []


def test_an_admin_sends_the_invitation_again_until_it_is_used(admin_client, db, person):
    application = make_application(db)
    decide(admin_client, application, "approve")
    reader = db.session.execute(sa.select(User).filter_by(email="selene@example.test")).scalar_one()
    html = admin_client.get(f"/admin/users/{reader.id}").get_data(as_text=True)
    assert "Send the invitation again" in html

    assert post_with_csrf(admin_client, f"/admin/users/{reader.id}/invitation", {}).status_code == 302
    db.session.expire_all()
    tokens = db.session.execute(sa.select(AccountToken).order_by(AccountToken.id)).scalars().all()
    assert len(tokens) == 2 and tokens[0].used_at is not None and tokens[1].used_at is None
    assert count(db, OutboundEmail) == 2
    assert audit_entries(db)[-1].action == "invitation.resent"

    claimed = person("reader", password_hash="x")
    response = post_with_csrf(admin_client, f"/admin/users/{claimed.id}/invitation", {})
    assert response.status_code == 409
    assert "already been set up" in response.get_data(as_text=True)
    assert count(db, OutboundEmail) == 2


# Content pages ------------------------------------------------------------------------------


@pytest.fixture
def site_pages(db):
    from soulseer.content_pages import CONTENT_PAGES
    from soulseer.services.core import content

    content.seed_pages(CONTENT_PAGES)


def save_page(admin_client, slug, title, body, version):
    url = f"/admin/pages/{slug}"
    data = {"title": title, "body_markdown": body, "version": str(version)}
    return post_with_csrf(admin_client, url, data, page=url)


def test_the_editor_lists_the_site_pages(admin_client, site_pages):
    from soulseer.services.core import content

    assert "how-billing-works" in dict(content.FOOTER_PAGES)
    html = admin_client.get("/admin/pages").get_data(as_text=True)
    for slug, _ in content.FOOTER_PAGES:
        assert f"/admin/pages/{slug}" in html
    assert admin_client.get("/admin/pages/secret").status_code == 404


def test_saving_a_page_makes_a_new_version_and_is_audited(admin_client, client, db, site_pages, admin):
    response = save_page(admin_client, "about", "About us", "We are **SoulSeer**.", 1)
    assert response.status_code == 302
    page = db.session.execute(sa.select(ContentPage).filter_by(slug="about")).scalar_one()
    db.session.refresh(page)
    assert (page.title, page.version, page.updated_by_id) == ("About us", 2, admin.id)
    assert page.body_markdown == "We are **SoulSeer**.\n"
    [entry] = audit_entries(db)
    assert entry.action == "content_page.updated" and entry.target_type == "ContentPage"
    assert entry.before["version"] == 1 and entry.before["title"] == "About SoulSeer"
    assert entry.after == {"title": "About us", "version": 2, "body_markdown": "We are **SoulSeer**.\n"}
    assert "We are <strong>SoulSeer</strong>." in admin_client.get("/pages/about").get_data(as_text=True)


def test_a_save_based_on_an_old_version_is_refused(admin_client, db, site_pages):
    assert save_page(admin_client, "about", "About", "First edit.", 1).status_code == 302
    response = save_page(admin_client, "about", "About", "Second edit from a stale tab.", 1)
    assert response.status_code == 409
    assert "Someone saved this page after you opened it" in response.get_data(as_text=True)
    page = db.session.execute(sa.select(ContentPage).filter_by(slug="about")).scalar_one()
    db.session.refresh(page)
    assert page.version == 2 and page.body_markdown == "First edit.\n"


def test_saving_without_a_change_makes_no_version(admin_client, db, site_pages):
    page = db.session.execute(sa.select(ContentPage).filter_by(slug="help")).scalar_one()
    response = save_page(admin_client, "help", page.title, page.body_markdown, 1)
    assert response.status_code == 409
    assert "Nothing changed" in response.get_data(as_text=True)
    db.session.refresh(page)
    assert page.version == 1 and audit_entries(db) == []


def test_a_page_needs_a_title_and_a_text(admin_client, db, site_pages):
    assert save_page(admin_client, "help", "", "Text", 1).status_code == 422
    assert save_page(admin_client, "help", "Help", "", 1).status_code == 422
    assert audit_entries(db) == []


def test_the_preview_shows_the_sanitised_page_and_saves_nothing(admin_client, db, site_pages):
    url = "/admin/pages/about"
    body = "## Hello\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) and **bold**"
    response = post_with_csrf(
        admin_client,
        f"{url}/preview",
        {"title": "About", "body_markdown": body, "version": "1"},
        page=url,
        headers={"HX-Request": "true"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="page-preview"' in html and "<html" not in html
    assert "<h2>Hello</h2>" in html and "<strong>bold</strong>" in html
    assert "<script>" not in html and "javascript:" not in html
    page = db.session.execute(sa.select(ContentPage).filter_by(slug="about")).scalar_one()
    assert page.version == 1 and audit_entries(db) == []
    # Without JavaScript the same button posts a whole page.
    full = post_with_csrf(admin_client, f"{url}/preview", {"title": "About", "body_markdown": body, "version": "1"})
    assert "<html" in full.get_data(as_text=True) and "<h2>Hello</h2>" in full.get_data(as_text=True)


def test_new_terms_make_everyone_accept_them_again(app, admin_client, db, site_pages, person, login):
    member = person("client", terms_version=1)
    their_browser = login(app.test_client(), member)
    assert their_browser.get("/account").status_code == 200
    assert save_page(admin_client, "terms", "Terms of use", "New terms.", 1).status_code == 302
    response = their_browser.get("/account")
    assert response.status_code == 302 and "/welcome/consent" in response.headers["Location"]


# Audit log ----------------------------------------------------------------------------------


def test_the_audit_log_lists_newest_first_with_before_and_after(admin_client, db, person, admin):
    member = person("client", display_name="Cleo")
    post_with_csrf(admin_client, f"/admin/users/{member.id}/suspend", {"reason": "Spam links"})
    post_with_csrf(admin_client, f"/admin/users/{member.id}/restore", {})
    html = admin_client.get("/admin/audit").get_data(as_text=True)
    assert html.index("user.restored") < html.index("user.suspended")
    assert "Ada Admin" in html and f"user #{member.id}" in html and "Spam links" in html
    assert "&#34;status&#34;: &#34;suspended&#34;" in html or '"status": "suspended"' in html
    filtered = admin_client.get("/admin/audit?action=user.restored").get_data(as_text=True)
    assert "1 entry" in filtered


def test_the_audit_log_is_paginated(admin_client, db, admin):
    for n in range(35):
        db.session.add(AuditEntry(actor_id=admin.id, action=f"test.action{n:02d}", target_type="system"))
    db.session.commit()
    first = admin_client.get("/admin/audit").get_data(as_text=True)
    shown = re.findall(r'<span class="row-title">(test\.action\d+)</span>', first)
    assert "Page 1 of 2" in first and len(shown) == 30 and shown[0] == "test.action34"
    second = admin_client.get("/admin/audit?page=2").get_data(as_text=True)
    shown = re.findall(r'<span class="row-title">(test\.action\d+)</span>', second)
    assert len(shown) == 5 and shown[-1] == "test.action00"
