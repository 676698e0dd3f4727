"""Shared fixtures: the personas, the seed, and real services.

Tests that need PostgreSQL, Redis, a live worker or a browser are skipped with a reason
when the service is absent, and fail instead when FACTCHECK_REQUIRE_SERVICES=1 (CI).

`make test` runs the suite in parallel (pytest-xdist), each test process with services
of its own, then the tests marked ``serial`` alone.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone

from claims import services
from claims.importers.seed import seed_read
from claims.models import Article, Source
from factcheck.celery import worker_command

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEED_PATH = SHARED / "seeds" / "000_1aac1ae9ab6f161f.txt"
DATA = SHARED / "data"
CHROMIUM = "/usr/bin/chromium"


def service_missing(reason: str) -> None:
    """Skip, or fail when CI demands every service."""
    if settings.FACTCHECK_REQUIRE_SERVICES:
        pytest.fail(f"required service missing: {reason}")
    pytest.skip(reason)


def shared_file(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        service_missing(f"{path} is not there (the shared test data sits beside the repo)")
    return path


# --- Each test process: a fast hasher, and under pytest-xdist services of its own ----


def pytest_configure(config: pytest.Config) -> None:
    """Passwords hash with a fast hasher: PBKDF2's work factor, right for real passwords,
    cost a quarter of a second per staff user made, over half of a serial run's time.
    Nothing here tests the hasher; the logins through the form still check a password.

    Under pytest-xdist, each test process gets services of its own: a folder under
    var/test (the embedded broker, task results, worker logs) and, with Redis, a database
    number of its own (broker, results and cache). The worker processes a test starts
    inherit both through the environment. On one broker, two test processes would take
    each other's tasks and run them against the wrong test database. (pytest-django
    already gives each process a test database of its own.)"""
    override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]).enable()
    worker = getattr(config, "workerinput", {}).get("workerid")
    if worker is not None:
        process_services_separate(int(worker.removeprefix("gw")))


def process_services_separate(number: int) -> None:
    """Move test process ``number`` to its own folder and Redis database: in the
    environment, for the worker processes it starts, and in its own settings. The
    settings module itself says which settings follow from those two variables: it is
    read once on the old environment and once on the new one, and what differs is
    overridden (DATABASES aside: pytest-django names each process's test database)."""
    before = settings_module_read()
    os.environ["FACTCHECK_VAR_DIR"] = str(settings.VAR_DIR / f"gw{number}")
    if os.environ.get("REDIS_URL"):
        os.environ["REDIS_URL"] = redis_database(os.environ["REDIS_URL"], 1 + number)
    after = settings_module_read()
    changed = {
        name: value
        for name, value in after.items()
        if name != "DATABASES" and value != before.get(name)
    }
    override_settings(**changed).enable()  # for the whole run; resets the cache handlers
    from factcheck.celery import app

    app.config_from_object("django.conf:settings", namespace="CELERY", force=True)


def settings_module_read() -> dict:
    """The settings module's values on the current environment (a fresh copy of it)."""
    spec = importlib.util.find_spec(os.environ["DJANGO_SETTINGS_MODULE"])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {name: value for name, value in vars(module).items() if name.isupper()}


def redis_database(url: str, offset: int) -> str:
    """``url`` with its database number moved up by ``offset``: base 8 gives 9, 10, ..."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{int(parts.path.strip('/') or 0) + offset}"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``serial`` restart services that other test processes use: never
    inside a parallel run. `make test` runs them in a second pass, alone."""
    if not hasattr(config, "workerinput"):
        return
    alone = pytest.mark.skip(reason="runs alone: `make test` runs it after the parallel pass")
    for item in items:
        if item.get_closest_marker("serial"):
            item.add_marker(alone)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database; on PostgreSQL, sessions that outlive the tests
    (a stopped worker's backend still exiting, a thread's connection) are ended before
    the database is dropped, so the drop does not fail with "being accessed by other
    users" and leave it behind."""
    yield
    if settings.DATABASE_IS_POSTGRES:
        from django.db import DatabaseError, connection

        with django_db_blocker.unblock():
            connection.close()  # ours may be one a server restart (test_outages) broke
            with contextlib.suppress(DatabaseError):  # tidying up must not fail the run
                postgres_sessions_end()


def postgres_sessions_end() -> None:
    """End every other session of the current database (to its clients, what a server
    restart does)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (Redis: only our keys; the broker shares it)."""
    from django.core.cache import cache

    if settings.REDIS_URL:
        client = cache._cache.get_client(write=True)
        for key in client.scan_iter("fc:*"):
            client.delete(key)
    else:
        cache.clear()


# --- Personas -----------------------------------------------------------------------
# One staff user per role and a test client logged in as each, like healthchecks' alice,
# bob and charlie, so a permission test is one line. The role groups come from
# claims.roles.roles_ensure, which runs after every migrate, including the flush that
# ends each transactional test (Django's flush sends post_migrate): no test restores them
# (tests/test_permissions.py proves it).


def make_staff(username: str, role: str) -> User:
    """A staff user in the ``role`` group, with the password ``pw-<username>``."""
    user = User.objects.create_user(
        username, f"{username}@example.org", "pw-" + username, is_staff=True
    )
    user.groups.add(Group.objects.get(name=role))
    return user


def logged_in(user: User) -> Client:
    """A test client with ``user``'s session (the persona clients; any other user)."""
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def reader() -> Client:
    return Client()


@pytest.fixture
def editor(db) -> User:
    return make_staff("editor", "Editor")


@pytest.fixture
def second_editor(db) -> User:
    """Another editor: the second pair of eyes that a verdict change needs."""
    return make_staff("editor2", "Editor")


@pytest.fixture
def reviewer(db) -> User:
    return make_staff("reviewer", "Reviewer")


@pytest.fixture
def moderator(db) -> User:
    return make_staff("moderator", "Moderator")


@pytest.fixture
def admin_user(db) -> User:
    """The Admin role: every permission, but no superuser. Overrides pytest-django's
    superuser, so that admin tests see what the newsroom's admins see."""
    return make_staff("admin", "Admin")


@pytest.fixture
def editor_client(editor) -> Client:
    return logged_in(editor)


@pytest.fixture
def reviewer_client(reviewer) -> Client:
    return logged_in(reviewer)


@pytest.fixture
def moderator_client(moderator) -> Client:
    return logged_in(moderator)


@pytest.fixture
def admin_client(admin_user) -> Client:
    return logged_in(admin_user)


# --- Data ---------------------------------------------------------------------------


@pytest.fixture
def seed_bytes() -> bytes:
    return shared_file("seeds", "000_1aac1ae9ab6f161f.txt").read_bytes()


@pytest.fixture
def seed_article(db, seed_bytes) -> Article:
    seed = seed_read(seed_bytes, max_bytes=settings.FACTCHECK_IMPORT_MAX_BYTES)
    return services.article_import(seed=seed).article


# --- Services -----------------------------------------------------------------------


@pytest.fixture
def postgres(db) -> None:
    if not settings.DATABASE_IS_POSTGRES:
        service_missing("needs PostgreSQL: set DATABASE_URL=postgres://...")


@pytest.fixture
def redis_url() -> str:
    if not settings.REDIS_URL:
        service_missing("needs Redis: set REDIS_URL=redis://...")
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        service_missing(f"Redis at {settings.REDIS_URL} is not answering: {exc}")
    return settings.REDIS_URL


def worker_env() -> dict[str, str]:
    """The environment for a worker process that sees the test database."""
    env = dict(os.environ)
    db = settings.DATABASES["default"]
    if settings.DATABASE_IS_POSTGRES:
        user = db.get("USER") or ""
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        auth = f"{user}{password}@" if user else ""
        host = f"{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"
        env["DATABASE_URL"] = f"postgres://{auth}{host}/{db['NAME']}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
    env["PYTHONUNBUFFERED"] = "1"
    return env


def wait_for(
    condition: Callable[[], object],
    *,
    what: str = "the condition to hold",
    timeout: float = 90,
    detail: Callable[[], str] | None = None,
):
    """Poll ``condition`` until it gives something true (a real worker's work, a process
    coming up) and return that. Otherwise fail, saying ``what`` did not happen, with the
    tail of ``detail()`` (a worker's log). Generous, because the machine is shared: a
    timeout only bounds how long a broken test hangs."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            tail = f"\n{detail()[-3000:]}" if detail is not None else ""
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}{tail}")
        time.sleep(0.1)
    return result


class WorkerProcess:
    """A real `celery worker` process on the configured broker."""

    def __init__(
        self, queues: str = "celery,fetch", concurrency: int = 2, env: dict | None = None
    ) -> None:
        """``env``: variables to set on top of the test's own (another REDIS_URL)."""
        self.log_path = settings.VAR_DIR / f"worker-{os.getpid()}-{time.monotonic_ns()}.log"
        self.args = worker_command(queues=queues, concurrency=concurrency)
        self.env = {**worker_env(), **(env or {})}
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> WorkerProcess:
        self.log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            self.args,
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_for(
                lambda: self.proc.poll() is not None or b" ready." in self.log_path.read_bytes(),
                what="the Celery worker to start",
                timeout=timeout,
                detail=self.output,
            )
            assert self.proc.poll() is None, f"the Celery worker exited:\n{self.output()[-3000:]}"
        except AssertionError:
            self.kill()
            raise
        return self

    def stop(self, timeout: float = 30) -> None:
        """A warm shutdown, as a process supervisor asks for it: SIGTERM to the main
        process, which lets running tasks finish and then ends its pool. (SIGTERM to the
        whole process group can kill a pool child while it holds the pool's queue lock;
        the main process then waits for that lock forever.)"""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout)
        self.kill()

    def kill(self) -> None:
        """SIGKILL to the worker and its pool at once: a crash, or a test that is over
        (a warm shutdown takes seconds and is no part of what such a test proves)."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)  # the group lives while its leader does
            self.proc.wait(10)
        if self.proc is not None:
            self.log.close()

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture
def celery_worker(transactional_db) -> Iterator[WorkerProcess]:
    worker = WorkerProcess().start()
    yield worker
    worker.kill()


# --- fetch workers (tests/test_tasks_sources.py, tests/test_outages.py) ----------------


def fetch_queue_purge() -> None:
    """Messages other tests sent (no worker was running then) must not leak in here."""
    from factcheck.celery import app

    with app.connection_for_write() as conn:
        for queue in ("fetch", "celery"):
            with contextlib.suppress(Exception):  # the queue does not exist yet
                conn.default_channel.queue_purge(queue)


@pytest.fixture
def worker_settings(source_server, monkeypatch, settings):
    """Short leases and retries, for the worker processes and for this process alike."""
    for name, value in {
        "FACTCHECK_SOURCE_LEASE_SECONDS": 4,
        "FACTCHECK_SOURCE_RETRY_BASE": 1,
        "FACTCHECK_FETCH_DOMAIN_INTERVAL_MS": 0,
    }.items():
        monkeypatch.setenv(name, str(value))
        setattr(settings, name, value)
    return source_server


@pytest.fixture
def fetch_worker(worker_settings, transactional_db) -> Iterator[WorkerProcess]:
    fetch_queue_purge()
    worker = WorkerProcess(queues="fetch,celery", concurrency=2).start()
    yield worker
    worker.kill()


def make_source(server, path: str) -> Source:
    url = server.url(path)
    return Source.objects.create(
        key=url, url=url, state=Source.State.WAITING, next_check_at=timezone.now()
    )


def state_of(source: Source) -> str:
    return Source.objects.get(pk=source.pk).state


# --- Browser ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        service_missing(f"needs Debian's Chromium at {CHROMIUM} (apt-get install chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "nl-NL"}


def browser_log_in(page, live_server, client: Client) -> None:
    """Give the browser the session of a logged-in test client (a persona), for a
    journey that starts behind the login. Journeys through the login form use the form."""
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


# --- desk ---------------------------------------------------------------------------


@pytest.fixture
def scale(db):
    """The demo's verdict scale (active, version 1)."""
    from claims.management.commands.demo import SCALE
    from claims.models import Rating, RatingScale

    scale = RatingScale.objects.create(name="Factcheck", version=1, best_value=5, worst_value=1)
    for position, (code, nl, en, value, color) in enumerate(SCALE):
        Rating.objects.create(
            scale=scale,
            code=code,
            label_nl=nl,
            label_en=en,
            value=value,
            color=color,
            position=position,
        )
    return scale


@pytest.fixture
def seed_claim(seed_article, editor):
    """A claim on the seed's "circa 20%" passage, by the editor."""
    paragraph = seed_article.paragraphs.get(position=2)
    return services.claim_create(
        text="Rusland bezet circa 20% van het Oekraïense grondgebied.",
        article=seed_article,
        paragraph=paragraph,
        quote="de circa 20% van het Oekraïense grondgebied",
        claimant="Joeri Oesjakov",
        claim_date=seed_article.published_at.date(),
        created_by=editor,
    ).claim


# --- sources ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def _source_servers():
    from tests.sourceserver import SourceServer

    pages = shared_file("data", "html")
    server, canary = SourceServer(pages), SourceServer(pages)
    yield server, canary
    server.stop()
    canary.stop()


@pytest.fixture
def source_server(_source_servers, settings, monkeypatch):
    """A real HTTP server on loopback that the fetcher may reach (it is in
    FACTCHECK_FETCH_ALLOW, also for worker processes started by the test)."""
    server, _ = _source_servers
    server.reset()
    settings.FACTCHECK_FETCH_ALLOW = [server.pair]
    monkeypatch.setenv("FACTCHECK_FETCH_ALLOW", server.pair)
    return server


@pytest.fixture
def canary_server(_source_servers):
    """A server on another loopback port that nothing may reach: it counts every hit."""
    _, canary = _source_servers
    canary.reset()
    yield canary
    assert canary.hits == [], f"the canary was reached: {canary.hits}"


# --- reports ------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fresh_counters():
    """Rate-limit and view counters start at zero (with Redis, _fresh_cache already
    deleted them: they share the "fc:" prefix)."""
    from django.core.cache import caches

    if not settings.REDIS_URL:
        caches["counters"].clear()


def report_form_data(**fields) -> dict:
    """A "found an error?" submission as a reader's browser sends it: the form was
    served a minute ago (its signed time stamp), the honeypot left empty."""
    from claims.forms import report_form_token

    return {"started": report_form_token(time.time() - 60), **fields}


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def broker_unreachable():
    """Point this process's Celery app at a closed port: sending a task fails as it does
    when Redis is down. Yields a function that brings the real broker back."""
    saved = celery_broker_point_at(f"redis://127.0.0.1:{free_port()}/0")
    restored = False

    def bring_back() -> None:
        nonlocal restored
        if not restored:
            celery_broker_point_at(*saved)
            restored = True

    yield bring_back
    bring_back()


def celery_broker_point_at(url: str, options: dict | None = None) -> tuple[str, dict]:
    """Send this process's tasks to ``url`` from now on; returns what it was, to restore."""
    from factcheck.celery import app

    saved = (app.conf.broker_url, app.conf.broker_transport_options)
    app.conf.broker_url = url
    app.conf.broker_transport_options = options or {"socket_connect_timeout": 1}
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None
    return saved


# --- evidence (tests/test_evidence_*.py, tests/test_tasks_evidence.py) ------------------


@pytest.fixture(scope="session")
def _archive_server():
    from tests.archiveserver import ArchiveServer

    server = ArchiveServer()
    yield server
    server.stop()


@pytest.fixture
def archive_server(_archive_server, source_server, settings, monkeypatch):
    """A fake Save Page Now 2 on loopback, allowed beside the source server (also for
    worker processes the test starts), with archiving pointed at it. Elsewhere archiving
    is off in tests (pyproject.toml), so nothing ever asks the real archive."""
    server = _archive_server
    server.reset()
    allowed = [source_server.pair, server.pair]
    settings.FACTCHECK_FETCH_ALLOW = allowed
    settings.FACTCHECK_ARCHIVE_SPN_URL = server.base
    monkeypatch.setenv("FACTCHECK_FETCH_ALLOW", ",".join(allowed))
    monkeypatch.setenv("FACTCHECK_ARCHIVE_SPN_URL", server.base)
    # No waiting for the archive's turns here; the limit has its own tests.
    from claims.services import evidence

    settings.FACTCHECK_ARCHIVE_PER_MINUTE = 6000
    monkeypatch.setattr(evidence, "ANONYMOUS_PER_MINUTE", 6000)
    return server
