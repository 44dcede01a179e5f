"""Seed the rating scales: the Toolkit's eight-level effect scale, the quality of the
evidence, and how much is known on mechanism, moderators, implementation and economic
cost. They are ordinary rows afterwards: administrators may reword or extend them."""

from django.db import migrations

SCALES = [
    (
        "effect",
        "Effect on crime",
        "How effective is it?",
        "What the reviews found the intervention did to crime, pooled across their studies.",
        [
            ("reduced", "Reduced crime", "The evidence shows the intervention reduced crime overall.", "down"),
            ("reduced-some-increase", "Reduced crime, with some evidence of increase",
             "Overall the intervention reduced crime, but some studies found it increased crime.", "down-up"),
            ("tended-to-reduce", "Tended to reduce crime",
             "Studies tended to find reductions, but the overall effect was not statistically significant.", "down-faint"),
            ("mixed", "Mixed effects",
             "Some studies found reductions and others increases, with no clear overall direction.", "mixed"),
            ("no-effect", "No effect on crime",
             "The evidence shows the intervention made no statistically significant difference to crime.", "level"),
            ("tended-to-increase", "Tended to increase crime",
             "Studies tended to find increases, but the overall effect was not statistically significant.", "up-faint"),
            ("increased-some-reduction", "Increased crime, with some evidence of reduction",
             "Overall the intervention increased crime, but some studies found it reduced crime.", "up-down"),
            ("increased", "Increased crime", "The evidence shows the intervention increased crime overall.", "up"),
        ],
    ),
    (
        "quality",
        "Quality of evidence",
        "How strong is the evidence?",
        "How far the reviews' methods rule out bias that could explain the effect. It rates "
        "the review, not each study in it.",
        [
            ("very-strong", "Very strong", "The review was systematic enough to rule out almost all forms of bias.", "5"),
            ("strong", "Strong", "The review was systematic enough to rule out most forms of bias.", "4"),
            ("moderate", "Moderate", "The review was systematic enough to rule out many forms of bias, but not all.", "3"),
            ("limited", "Limited", "The review left several forms of bias that could explain the effect.", "2"),
            ("very-limited", "Very limited", "The review could rule out few forms of bias.", "1"),
        ],
    ),
    (
        "mechanism",
        "Mechanism",
        "How does it work?",
        "How much the evidence says about how the intervention brings about its effect.",
        [
            ("strong", "Strong", "The reviews tested how the intervention works.", "3"),
            ("moderate", "Moderate", "The reviews described how it might work, with some supporting evidence.", "2"),
            ("limited", "Limited", "The reviews suggested how it might work, but did not test it.", "1"),
            ("none", "No information", "The reviews say nothing about how it works.", "0"),
        ],
    ),
    (
        "moderators",
        "Moderators",
        "In which contexts does it work best?",
        "How much the evidence says about the contexts and features that change the effect.",
        [
            ("strong", "Strong", "The reviews tested which contexts and features change the effect.", "3"),
            ("moderate", "Moderate", "The reviews identified some contexts or features that change the effect.", "2"),
            ("limited", "Limited", "The reviews mentioned contexts that might matter, without testing them.", "1"),
            ("none", "No information", "The reviews say nothing about where it works best.", "0"),
        ],
    ),
    (
        "implementation",
        "Implementation",
        "What can be said about implementing it?",
        "How much the evidence says about putting the intervention into practice.",
        [
            ("strong", "Strong", "The reviews give practical, tested guidance on implementation.", "3"),
            ("moderate", "Moderate", "The reviews describe how it was implemented and some of the challenges.", "2"),
            ("limited", "Limited", "The reviews say little about implementation, or only speculate.", "1"),
            ("none", "No information", "The reviews say nothing about implementation.", "0"),
        ],
    ),
    (
        "economic-cost",
        "Economic cost",
        "How much might it cost?",
        "How much the evidence says about what the intervention costs and what it saves.",
        [
            ("strong", "Strong", "The reviews include a formal economic analysis of costs and benefits.", "3"),
            ("moderate", "Moderate", "The reviews report some costs, without a full economic analysis.", "2"),
            ("limited", "Limited", "The reviews mention costs only in passing.", "1"),
            ("none", "No information", "The reviews say nothing about costs or benefits.", "0"),
        ],
    ),
]


def seed(apps, schema_editor):
    Scale = apps.get_model("summaries", "Scale")
    ScaleLevel = apps.get_model("summaries", "ScaleLevel")
    for dimension, name, question, description, levels in SCALES:
        scale, _ = Scale.objects.get_or_create(
            dimension=dimension,
            defaults={"name": name, "question": question, "description": description},
        )
        for position, (slug, label, meaning, icon) in enumerate(levels, start=1):
            ScaleLevel.objects.get_or_create(
                scale=scale,
                slug=slug,
                defaults={"position": position, "label": label, "description": meaning, "icon": icon},
            )


class Migration(migrations.Migration):
    dependencies = [("summaries", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
