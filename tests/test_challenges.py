"""Challenges to a rating: the public form, the workflow (received → acknowledged → under
review by two reviewers with no part in the version → decided), the target date,
overdue first on the reviewers' dashboard, the audit log, the decision emailed, and the
change log note."""

import time
from datetime import timedelta

from django.contrib.auth.models import Group
from django.core import mail, signing
from django.db import IntegrityError, transaction
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from summaries.editorial.challenges import (
    challenge_acknowledge,
    challenge_assign,
    challenge_decide,
    challenge_file,
)
from summaries.editorial.errors import NotAllowed, ServiceError
from summaries.feedback import spam
from summaries.models import AuditAction, AuditEvent, Challenge, ChallengeStatus
from tests.factories import make_complete_draft, make_user, publish

CHALLENGE = "/toolkit/street-lighting/challenge/"


def started(seconds_ago: float = 60) -> str:
    return signing.dumps(time.time() - seconds_ago, salt=spam.SALT)


class ChallengeWorld(TestCase):
    @classmethod
    def setUpTestData(cls):
        reviewers = Group.objects.get(name="Reviewers")
        # The author may publish too: what keeps them off the challenge is having written it.
        cls.author = make_user("author", groups=[reviewers])
        cls.publisher = make_user("publisher", groups=[reviewers])
        cls.one = make_user("one", groups=[reviewers])
        cls.two = make_user("two", groups=[reviewers])
        cls.live = publish(
            make_complete_draft("street-lighting", title="Street lighting", user=cls.author),
            user=cls.publisher,
        )

    def filed(self, **fields) -> Challenge:
        values = {
            "version": self.live,
            "rating": "effect",
            "rating_label": "Effect: Reduced crime",
            "reasons": "The review's effect is not significant.",
            "evidence": "",
            "email": "critic@example.org",
        }
        return challenge_file(**{**values, **fields})


class ChallengeFormTests(ChallengeWorld):
    def test_form_names_the_ratings_of_the_live_version(self):
        """The form offers each rating the summary shows, named as the page names it, and
        requires an address."""
        response = self.client.get(CHALLENGE)
        self.assertContains(response, '<option value="effect">Effect: Reduced crime</option>')
        self.assertContains(response, "Your email address")
        self.assertContains(response, "within 60 days")

    def test_a_challenge_is_received_with_its_target_date(self):
        """A challenge sent is kept as received, with a target 60 days on, in the audit
        log; the challenger is told what happens next."""
        data = {
            "rating": "quality",
            "reasons": "Most studies were small.",
            "evidence": "",
            "email": "Critic@Example.org",
            "website": "",
            "started": started(),
        }
        response = self.client.post(CHALLENGE, data)
        self.assertRedirects(response, CHALLENGE + "sent/")
        challenge = Challenge.objects.get()
        self.assertEqual(challenge.status, ChallengeStatus.RECEIVED)
        self.assertEqual(challenge.rating_label, "Quality of evidence: Moderate")
        self.assertEqual(challenge.email, "critic@example.org")
        self.assertEqual(challenge.target_on, timezone.localdate() + timedelta(days=60))
        self.assertTrue(AuditEvent.objects.filter(action=AuditAction.CHALLENGE_RECEIVED).exists())
        self.assertContains(self.client.get(CHALLENGE + "sent/"), "within 60 days")

    def test_bad_input_is_named(self):
        """No address, a rating the summary does not have, no reasons: each named, 400."""
        base = {"rating": "effect", "reasons": "Wrong.", "email": "a@example.org"}
        for changes, message in [
            ({"email": ""}, "This field is required."),
            ({"rating": "outcome:nope"}, "Select a valid choice."),
            ({"reasons": ""}, "This field is required."),
            ({"reasons": "a\x00b"}, "Null characters are not allowed."),
        ]:
            with self.subTest(changes=changes):
                data = {**base, **changes, "website": "", "started": started()}
                response = self.client.post(CHALLENGE, data)
                self.assertContains(response, message, status_code=400)
        self.assertFalse(Challenge.objects.exists())

    @override_settings(CHALLENGE_TARGET_DAYS=30)
    def test_the_target_is_a_setting(self):
        """CHALLENGE_TARGET_DAYS sets the target date."""
        self.assertEqual(self.filed().target_on, timezone.localdate() + timedelta(days=30))


class ChallengeWorkflowTests(ChallengeWorld):
    def test_the_whole_workflow_is_audited_and_the_decision_emailed(self):
        """Acknowledged, sent to two reviewers, decided by one of them: each step in the
        audit log; the decision emailed and the address deleted."""
        challenge = self.filed()
        challenge_acknowledge(challenge=challenge, user=self.one)
        challenge_assign(challenge=challenge, reviewers=[self.one, self.two], user=self.one)
        with self.captureOnCommitCallbacks(execute=True):
            challenge_decide(
                challenge=challenge,
                outcome=ChallengeStatus.NOT_UPHELD,
                decision="The effect is significant in Review one.",
                user=self.two,
            )
        challenge.refresh_from_db()
        self.assertEqual((challenge.status, challenge.email), (ChallengeStatus.NOT_UPHELD, ""))
        actions = list(
            AuditEvent.objects.filter(comment__startswith=str(challenge))
            .order_by("at", "id")
            .values_list("action", flat=True)
        )
        self.assertEqual(
            actions,
            [
                AuditAction.CHALLENGE_RECEIVED,
                AuditAction.CHALLENGE_ACKNOWLEDGED,
                AuditAction.CHALLENGE_REVIEW,
                AuditAction.CHALLENGE_DECIDED,
            ],
        )
        [message] = mail.outbox
        self.assertEqual(message.to, ["critic@example.org"])
        self.assertIn("Effect: Reduced crime: not upheld.", message.body)
        self.assertIn("The effect is significant in Review one.", message.body)

    def test_reviewers_who_wrote_or_reviewed_the_version_are_refused(self):
        """The version's author and its publisher cannot be among the two reviewers."""
        challenge = self.filed()
        for conflicted in (self.author, self.publisher):
            with self.subTest(user=conflicted.username):
                with self.assertRaisesMessage(ServiceError, "wrote or reviewed version 1"):
                    challenge_assign(
                        challenge=challenge, reviewers=[conflicted, self.two], user=self.one
                    )
        with self.assertRaisesMessage(ServiceError, "Choose two different reviewers."):
            challenge_assign(challenge=challenge, reviewers=[self.one, self.one], user=self.one)

    def test_only_the_two_reviewers_decide_and_a_decision_needs_words(self):
        """Someone else is refused; an empty decision is refused."""
        challenge = self.filed()
        challenge_assign(challenge=challenge, reviewers=[self.one, self.two], user=self.one)
        with self.assertRaises(NotAllowed):
            challenge_decide(
                challenge=challenge, outcome="upheld", decision="Yes.", user=self.publisher
            )
        with self.assertRaisesMessage(ServiceError, "Write the decision"):
            challenge_decide(challenge=challenge, outcome="upheld", decision=" ", user=self.one)

    def test_an_editor_cannot_work_on_challenges(self):
        """Editors are refused every step."""
        editor = make_user(groups=[Group.objects.get(name="Editors")])
        with self.assertRaises(NotAllowed):
            challenge_acknowledge(challenge=self.filed(), user=editor)

    def test_a_decision_that_led_to_a_change_is_in_the_change_log(self):
        """The summary's change log notes an upheld challenge that led to a change."""
        challenge = self.filed()
        challenge_assign(challenge=challenge, reviewers=[self.one, self.two], user=self.one)
        challenge_decide(
            challenge=challenge,
            outcome=ChallengeStatus.UPHELD,
            decision="Agreed.",
            led_to_change=True,
            change_log_note="The effect rating will be lowered in the next version.",
            user=self.one,
        )
        response = self.client.get("/toolkit/street-lighting/")
        self.assertContains(response, "Challenges that led to a change")
        self.assertContains(
            response, "challenge upheld. The effect rating will be lowered in the next version."
        )

    def test_the_database_keeps_the_rules(self):
        """An open challenge without an address, or a decided one without a decision,
        or under review without two reviewers, is refused by the database."""
        challenge = self.filed()
        for changes in (
            {"email": ""},
            {"status": ChallengeStatus.UPHELD},
            {"status": ChallengeStatus.UNDER_REVIEW},
        ):
            with self.subTest(changes=changes), self.assertRaises(IntegrityError):
                with transaction.atomic():
                    Challenge.objects.filter(pk=challenge.pk).update(**changes)


class ChallengeDashboardTests(ChallengeWorld):
    def test_overdue_challenges_come_first_for_reviewers(self):
        """The reviewers' dashboard lists open challenges, the overdue ones first, and says
        how many are overdue; the workflow page moves one on."""
        recent = self.filed(rating_label="Effect: recent")
        late = self.filed(rating_label="Effect: late")
        Challenge.objects.filter(pk=late.pk).update(
            target_on=timezone.localdate() - timedelta(days=3)
        )
        self.client.force_login(self.one)
        home = self.client.get(reverse("admin:index"))
        listed = [c.pk for c in home.context["queue"]["challenges"]["items"]]
        self.assertEqual(listed, [late.pk, recent.pk])
        self.assertContains(home, "2, 1 overdue")
        listing = self.client.get(reverse("admin:summaries_challenge_changelist"))
        self.assertContains(listing, '<td class="field-late">Overdue</td>', count=1, html=True)
        url = reverse("admin:summaries_challenge_workflow", args=[recent.pk])
        response = self.client.post(url, {"step": "acknowledge"})
        self.assertEqual(response.status_code, 302)
        recent.refresh_from_db()
        self.assertEqual(recent.status, ChallengeStatus.ACKNOWLEDGED)

    def test_the_workflow_offers_only_reviewers_with_no_part(self):
        """The reviewer choice lists neither the author nor the publisher."""
        challenge = self.filed()
        self.client.force_login(self.one)
        page = self.client.get(reverse("admin:summaries_challenge_workflow", args=[challenge.pk]))
        choices = {str(user) for user in page.context["assign"].fields["reviewer_one"].queryset}
        self.assertIn("two", choices)
        self.assertNotIn("publisher", choices)
        self.assertNotIn("author", choices)
