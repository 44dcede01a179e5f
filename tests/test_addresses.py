"""Numbers in addresses: anything that is not a row id or a version number the column can
hold is no address at all (404), on every pattern that takes one, before any query."""

from django.contrib.auth.models import Group
from django.test import TestCase
from django.urls import NoReverseMatch, reverse

from summaries.converters import ROW_ID_MAX, VERSION_NUMBER_MAX
from summaries.editorial import comments
from summaries.models import ReviewComment
from tests.factories import make_complete_draft, make_live, make_user, send_to_review
from tests.helpers import queries_of

# Past each column's range, and past every integer type a database has.
HUGE = ["2147483648", "9223372036854775807", "9223372036854775808", "1" + "0" * 30]
# Not a number at all, or not one a converter of digits should take.
NOT_NUMBERS = ["abc", "1.5", "-1", "1e3", "0x1", "%201", "1%20", "%EF%BC%91", "1;2", "%00"]


class VersionNumberTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_live("cctv", title="CCTV in car parks")

    def test_version_numbers_out_of_range_are_not_found(self):
        """A version page, its citation files and the API's version detail answer 404 for a
        number past the column's range, without looking for the summary or the version."""
        for number in HUGE:
            for url in (
                f"/toolkit/cctv/v/{number}/",
                f"/toolkit/cctv/v/{number}/cite.bib",
                f"/toolkit/cctv/v/{number}/cite.ris",
                f"/toolkit/cctv/v/{number}/cite.json",
                f"/api/v1/summaries/cctv/versions/{number}/",
            ):
                with self.subTest(url=url):
                    response = None

                    def get(url=url):
                        nonlocal response
                        response = self.client.get(url)

                    queries = queries_of(get)
                    self.assertEqual(response.status_code, 404)
                    # The API's middleware may read the content generation; nothing
                    # looks for a summary or a version.
                    self.assertEqual([q for q in queries if "summaryversion" in q], [])
                    self.assertEqual([q for q in queries if "publishedpage" in q], [])
                    self.assertEqual([q for q in queries if "intervention" in q], [])

    def test_api_answers_a_problem_document(self):
        """The API's 404 for such a number is a problem document, like any unknown address."""
        response = self.client.get(f"/api/v1/summaries/cctv/versions/{HUGE[-1]}/")
        self.assertEqual(response["Content-Type"], "application/problem+json")

    def test_the_largest_number_is_an_ordinary_miss(self):
        """The column's largest value is looked up and is simply not there."""
        for url in (
            f"/toolkit/cctv/v/{VERSION_NUMBER_MAX}/",
            f"/api/v1/summaries/cctv/versions/{VERSION_NUMBER_MAX}/",
        ):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.get("/toolkit/cctv/v/1/").status_code, 200)

    def test_no_address_is_made_for_an_impossible_number(self):
        """Reversing with a number out of range fails loudly instead of making a dead link."""
        with self.assertRaises(NoReverseMatch):
            reverse("summaries:version", kwargs={"slug": "cctv", "number": VERSION_NUMBER_MAX + 1})

    def test_openapi_documents_the_range(self):
        """The OpenAPI document says which version numbers exist."""
        document = self.client.get("/api/v1/openapi.json").json()
        operation = document["paths"]["/api/v1/summaries/{slug}/versions/{number}/"]["get"]
        [number] = [p for p in operation["parameters"] if p["name"] == "number"]
        self.assertEqual(number["schema"]["minimum"], 1)
        self.assertEqual(number["schema"]["maximum"], VERSION_NUMBER_MAX)


class CommentAddressTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.reviewer = make_user("reviewer", groups=[Group.objects.get(name="Reviewers")])
        cls.version = send_to_review(make_complete_draft())
        cls.comment = comments.comment_add(
            version=cls.version, user=cls.reviewer, anchor="title", body="Shorter?"
        )

    def setUp(self):
        self.client.force_login(self.reviewer)

    def addresses(self, version_id, comment_id):
        base = f"/admin/summaries/summaryversion/{version_id}"
        return [
            f"{base}/comments/add/",
            f"{base}/comments/{comment_id}/reply/",
            f"{base}/comments/{comment_id}/resolve/",
        ]

    def test_a_version_id_that_is_not_a_number_is_not_found(self):
        """A comment address whose version id is not a row id answers 404, whatever it is."""
        for bad in NOT_NUMBERS + HUGE:
            for address in self.addresses(bad, self.comment.pk):
                with self.subTest(address=address):
                    response = self.client.post(address, {"body": "Hi", "anchor": "title"})
                    self.assertEqual(response.status_code, 404)
        self.assertEqual(ReviewComment.objects.count(), 1)

    def test_a_comment_id_that_is_not_a_number_is_not_found(self):
        """The same for the comment's own id."""
        for bad in NOT_NUMBERS + HUGE:
            for address in self.addresses(self.version.pk, bad)[1:]:
                with self.subTest(address=address):
                    response = self.client.post(address, {"body": "Hi"})
                    self.assertEqual(response.status_code, 404)
        self.comment.refresh_from_db()
        self.assertFalse(self.comment.is_resolved)
        self.assertEqual(ReviewComment.objects.count(), 1)

    def test_the_ordinary_addresses_still_work(self):
        """A real version and comment id still reply."""
        reply = self.addresses(self.version.pk, self.comment.pk)[1]
        self.assertEqual(self.client.post(reply, {"body": "Done."}).status_code, 302)
        self.assertEqual(self.comment.replies.get().body, "Done.")

    def test_other_admin_addresses_with_huge_ids(self):
        """The review page, workflow actions, preview and a notification's link refuse a
        row id past the column's range without an error."""
        for path in ("review/", "preview/", "submit/", "new-draft/"):
            url = f"/admin/summaries/summaryversion/{ROW_ID_MAX + 1}/{path}"
            with self.subTest(url=url):
                self.assertIn(self.client.get(url).status_code, {302, 404})
        url = f"/admin/summaries/notification/{ROW_ID_MAX + 1}/open/"
        self.assertIn(self.client.get(url).status_code, {302, 404})
