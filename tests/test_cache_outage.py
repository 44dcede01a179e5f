"""With the cache server (Redis) stopped or hung, every page, the API, following, sign-in,
presence and saving answer as usual. Limits kept only in the cache let requests through;
django-axes still counts wrong passwords in the database.

Redis is a real redis-server, stopped for real (killed: connections are refused) and
paused for real (SIGSTOP: connections hang until the client's 0.5 s timeout).
"""

import time

import pytest
from axes.models import AccessAttempt
from django.core.cache import caches
from django.test import Client, TestCase, override_settings
from django.urls import reverse

from summaries.editorial.external_reviews import external_review_make, token_for
from summaries.editorial.services import draft_start_from
from summaries.models import FollowKind
from tests.factories import make_live, make_user
from tests.processes import RedisServer
from tests.test_admin import change_url, form_data
from tests.test_api import hold_the_clock

# A real redis-server killed and frozen, with timings: run one at a time (make test).
pytestmark = pytest.mark.slow


PASSWORD = "correct horse battery staple"


class CacheOutageTests(TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.redis = RedisServer()
        RedisServer.require(cls)
        cls.redis.start()
        cls.addClassCleanup(cls.redis.stop)

    @classmethod
    def setUpTestData(cls):
        cls.live = make_live("street-lighting", title="Street lighting")
        cls.admin = make_user("admin", superuser=True)
        cls.draft = draft_start_from(version=cls.live, user=cls.admin)

    def using_redis(self, **settings):
        caches.close_all()
        self.addCleanup(caches.close_all)
        return override_settings(CACHES=self.redis.caches(), **settings)

    def timed(self, client: Client, method: str, url: str, data=None):
        started = time.monotonic()
        response = getattr(client, method)(url, data or {})
        return response, time.monotonic() - started

    def everything(self) -> dict[str, tuple[int, float]]:
        """Each of the site's uses of the cache: its status and how long it took."""
        anonymous, staff = Client(), Client()
        staff.force_login(self.admin)
        results = {}

        def record(name, client, method, url, data=None):
            response, seconds = self.timed(client, method, url, data)
            results[name] = (response.status_code, round(seconds, 2))
            return response

        record("home", anonymous, "get", reverse("home"))
        record("list", anonymous, "get", reverse("summaries:list"))
        record("search", anonymous, "get", reverse("summaries:list") + "?q=lighting")
        record("summary", anonymous, "get", self.live.intervention.get_absolute_url())
        record("api list", anonymous, "get", "/api/v1/summaries/")
        record("api document", anonymous, "get", "/api/v1/openapi.json")
        record(
            "follow",
            anonymous,
            "post",
            "/follow/",
            {"email": "reader@example.org", "kind": FollowKind.SUMMARY, "slug": "street-lighting"},
        )
        record(
            "sign-in",
            Client(),
            "post",
            reverse("admin:login"),
            {"username": "admin", "password": PASSWORD, "next": "/admin/"},
        )
        form = record("presence (open a draft)", staff, "get", change_url(self.draft))
        data = form_data(form, "summaryversion_form")
        data["title"] = ["Street lighting, revised"]
        data["_save"] = ["Save"]
        record("save", staff, "post", change_url(self.draft), data)
        return results

    def baseline(self) -> dict[str, tuple[int, float]]:
        """The same requests with no cache server at all (the dummy cache): how long they
        take on this machine now, which a busy machine can make seconds."""
        dummy = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
        with override_settings(CACHES={"default": dummy, "signin": dummy}):
            return self.everything()

    def assert_as_usual(self, results, *, baseline, extra: float):
        """Every request answered as usual, each within ``extra`` seconds (plus half again
        its baseline time, for a busy machine's noise) of the same request without a cache
        server."""
        expected = {
            "home": 200,
            "list": 200,
            "search": 200,
            "summary": 200,
            "api list": 200,
            "api document": 200,
            "follow": 200,
            "sign-in": 302,
            "presence (open a draft)": 200,
            "save": 302,
        }
        self.assertEqual({name: status for name, (status, _) in results.items()}, expected)
        for name, (_, seconds) in results.items():
            usual = baseline[name][1]
            self.assertLess(
                seconds, usual * 1.5 + extra, f"{name} took {seconds} s, {usual} s without"
            )
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.title, "Street lighting, revised")

    def test_with_redis_running(self):
        """The same requests with Redis up: the cache is really used (the API's limit
        counts in it)."""
        baseline = self.baseline()
        hold_the_clock(self)
        with self.using_redis(API_RATE_LIMIT="3/minute"):
            self.assert_as_usual(self.everything(), baseline=baseline, extra=1)
            self.assertEqual(self.client.get("/api/v1/summaries/").status_code, 200)
            self.assertEqual(self.client.get("/api/v1/summaries/").status_code, 429)

    def test_with_redis_stopped(self):
        """Redis killed: everything answers as usual, and the outage is logged."""
        baseline = self.baseline()
        self.redis.stop()
        self.addCleanup(self.redis.start)
        with (
            self.using_redis(API_RATE_LIMIT="100/minute"),
            self.assertLogs("toolkit.guarded_cache", "WARNING") as logs,
        ):
            self.assert_as_usual(self.everything(), baseline=baseline, extra=1)
        self.assertIn("Cache unavailable", logs.output[0])

    def test_with_redis_hung(self):
        """Redis frozen (SIGSTOP): everything answers as usual, each request within a
        few of the client's 0.5 s timeouts, not one per cache call."""
        baseline = self.baseline()
        self.redis.pause()
        self.addCleanup(self.redis.resume)
        with self.using_redis(API_RATE_LIMIT="100/minute"), self.assertLogs("toolkit", "WARNING"):
            # Four timeouts at most: a page's cache read and write, then one more call
            # before the guarded cache stops asking.
            self.assert_as_usual(self.everything(), baseline=baseline, extra=2)

    def test_cache_only_limits_let_requests_through(self):
        """With Redis stopped the API's limit and the follow form's limit count nothing
        and refuse nobody, even past the limits."""
        self.redis.stop()
        self.addCleanup(self.redis.start)
        client = Client()
        follow = {"email": "reader@example.org", "kind": "summary", "slug": "street-lighting"}
        with (
            self.using_redis(
                API_RATE_LIMIT="1/minute",
                FOLLOW_THROTTLE_PER_CLIENT={"limit": 1, "period": 3600},
            ),
            self.assertLogs("toolkit", "WARNING"),
        ):
            api = [client.get("/api/v1/summaries/").status_code for _ in range(3)]
            follows = [client.post("/follow/", follow).status_code for _ in range(3)]
        self.assertEqual(api, [200, 200, 200])
        self.assertEqual(follows, [200, 200, 200])

    def test_external_comment_limits_let_comments_through(self):
        """With Redis stopped an external reviewer's comments are not counted, so not
        refused past the per-link and per-client limits: they reach the thread."""
        review = external_review_make(
            version=self.draft, user=self.admin, name="Dr Ada", email="ada@example.org"
        )
        url = f"/review/{token_for(review)}/"
        self.redis.stop()
        self.addCleanup(self.redis.start)
        client = Client()
        comment = {"name": "Dr Ada", "anchor": "version", "body": "Cite the 2019 review."}
        limit = {"limit": 1, "period": 3600}
        with (
            self.using_redis(
                EXTERNAL_COMMENT_THROTTLE_PER_LINK=limit,
                EXTERNAL_COMMENT_THROTTLE_PER_CLIENT=limit,
            ),
            self.assertLogs("toolkit", "WARNING"),
        ):
            codes = [client.post(url, comment).status_code for _ in range(3)]
        self.assertEqual(codes, [302, 302, 302])
        self.assertEqual(review.comments.count(), 3)

    def test_axes_still_counts_failed_sign_ins_in_the_database(self):
        """With Redis stopped, wrong passwords are still counted (in the database) and the
        fifth locks the username out from that address, right password or not."""
        self.redis.stop()
        self.addCleanup(self.redis.start)
        client = Client()
        login = reverse("admin:login")
        with self.using_redis(AXES_FAILURE_LIMIT=5), self.assertLogs("toolkit", "WARNING"):
            for _ in range(4):
                response = client.post(login, {"username": "admin", "password": "wrong"})
                self.assertEqual(response.status_code, 200)
            self.assertEqual(AccessAttempt.objects.get(username="admin").failures_since_start, 4)
            client.post(login, {"username": "admin", "password": "wrong"})
            response = client.post(login, {"username": "admin", "password": PASSWORD})
        self.assertEqual(response.status_code, 429)
