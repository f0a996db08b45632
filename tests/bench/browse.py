"""The browse page with 1,000 readers in the database, beside the minimal page in the same run."""

import random

import sqlalchemy as sa

from tests.bench.web import page_beside_minimal

READERS = 1000
FIRST = ["Luna", "Orion", "Sage", "Iris", "Rowan", "Celeste", "Mira", "Theo", "Amara", "Juniper", "Soren", "Wren"]
LAST = ["Starweaver", "Vale", "Moonwater", "Nightingale", "Ashgrove", "Marin", "Solenne", "Blackwood", "Hale", "Quill"]
WORDS = ["Tarot", "gentle", "honest", "stars", "clarity", "spirit", "dreams", "love", "career", "healing"]


def seed_readers(count=READERS):
    """Bulk-insert `count` readers with profiles and specialties (three multi-row statements).

    Through the session, against the live server's Redis: the commit moves the marketplace version
    the live server's browse cache is keyed by (services/marketplace/page_cache.py), as any change does."""
    from soulseer import clock, create_app
    from soulseer.extensions import db
    from soulseer.models import ReaderProfile, Specialty, User, reader_profile_specialties
    from tests.conftest import LIVE_REDIS_URL

    rng = random.Random(5)
    app = create_app({"REDIS_URL": LIVE_REDIS_URL})
    with app.app_context():
        if db.session.execute(sa.select(sa.func.count()).select_from(ReaderProfile)).scalar_one() >= count:
            return
        specialties = list(db.session.execute(sa.select(Specialty.id, Specialty.name)).all())
        users = [
            {
                "email": f"bench-reader-{n}@example.test",
                "display_name": f"{FIRST[n % 12]} {LAST[n // 12 % 10]} {n}",
                "role": "reader",
            }
            for n in range(count)
        ]
        user_ids = (
            db.session.execute(sa.insert(User).returning(User.id, sort_by_parameter_order=True), users).scalars().all()
        )
        profiles, chosen = [], []
        # Seen now: the idle job (every 60 s) would otherwise take the online ones offline in the
        # middle of a measurement, publishing some 400 status events at once.
        now = clock.now()
        for n, user_id in enumerate(user_ids):
            picks = rng.sample(specialties, rng.randint(1, 4))
            tagline = " ".join(rng.sample(WORDS, 4))
            name = users[n]["display_name"]
            chosen.append(picks)
            profiles.append(
                {
                    "user_id": user_id,
                    "slug": f"bench-reader-{n}",
                    "display_name": name,
                    "tagline": tagline,
                    "bio": "A reader for the benchmark. " * 4,
                    "years_of_practice": rng.randint(0, 30),
                    "rate_chat_cents": rng.randint(50, 5000),
                    "status": rng.choice(["online", "offline", "offline", "offline", "busy"]),
                    "last_seen_at": now,
                    "rating_average": round(rng.uniform(3, 5), 2),
                    "review_count": rng.randint(0, 200),
                    "search_text": " ".join([name, tagline, *(p.name for p in picks)]),
                }
            )
        profile_ids = (
            db.session.execute(
                sa.insert(ReaderProfile).returning(ReaderProfile.id, sort_by_parameter_order=True), profiles
            )
            .scalars()
            .all()
        )
        links = [
            {"reader_profile_id": pid, "specialty_id": pick.id}
            for pid, picks in zip(profile_ids, chosen, strict=True)
            for pick in picks
        ]
        db.session.execute(sa.insert(reader_profile_specialties), links)
        db.session.commit()
        db.session.execute(sa.text("ANALYZE reader_profiles, reader_profile_specialties, users"))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def browse_page(servers):
    """`GET /readers` as a visitor: online first, then rating; 12 of 1,000 readers with specialties."""
    servers.live()
    seed_readers()
    return page_beside_minimal(servers, "browse GET /readers (1,000 readers)", "/readers")


def browse_search(servers):
    """`GET /readers?q=tarot` (full-text, prefix) with the same 1,000 readers."""
    servers.live()
    seed_readers()
    return page_beside_minimal(servers, "browse search GET /readers?q=tarot", "/readers?q=tarot")


BENCH_AGENT = "soulseer-bench"


def browse_signed_in(servers):
    """`GET /readers` as a signed-in client: the cached list inside their own header, through Flask
    (session, Flask-Login, hooks, the header's balance and bell), as every signed-in page is served."""
    live = servers.live()
    seed_readers()
    cookie = signed_in_cookie(live.url, "bench-browse@example.test")
    headers = {"Cookie": cookie, "User-Agent": BENCH_AGENT}
    return page_beside_minimal(servers, "browse GET /readers, signed-in client", "/readers", headers=headers)


BENCH_PASSWORD = "bench-password-2026"


def signed_in_cookie(base_url, email, role="client"):
    """A client's (or `role`'s) session cookie as a browser holds it after signing in with the form:
    the one way the benchmarks get a signed-in session (Flask-Login ties the session to the
    browser's address and User-Agent, so every request of the load sends the same agent)."""
    return signed_in_cookies(base_url, [email], role)[email]


def signed_in_cookies(base_url, emails, role="client", threads=1):
    """{email: session cookie} for several new accounts: made in one go, then each signed in through
    the form (`threads` at a time)."""
    from concurrent.futures import ThreadPoolExecutor

    from soulseer import create_app
    from soulseer.demo.users import new_user
    from soulseer.extensions import db
    from soulseer.services.accounts import passwords

    app = create_app()
    with app.app_context():
        password_hash = passwords.hash_password(BENCH_PASSWORD)
        for email in emails:
            new_user(email, "Bench Browser", role, password_hash)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return dict(zip(emails, pool.map(lambda email: _sign_in(base_url, email), emails), strict=True))


def _sign_in(base_url, email):
    import http.cookiejar
    import urllib.parse
    import urllib.request

    from tests.conftest import csrf_token_from

    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    browser.addheaders = [("User-Agent", BENCH_AGENT)]
    token = csrf_token_from(browser.open(base_url + "/sign-in").read().decode())
    form = {"email": email, "password": BENCH_PASSWORD, "csrf_token": token}
    browser.open(base_url + "/sign-in", data=urllib.parse.urlencode(form).encode()).read()
    browser.open(base_url + "/readers").read()  # the first page settles the session
    return "; ".join(f"{c.name}={c.value}" for c in jar)
