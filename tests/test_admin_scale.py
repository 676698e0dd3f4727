"""The rating scale in the admin: editing a scale that verdicts use makes a new version."""

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from claims import services
from claims.models import Rating, RatingScale


def admin_client() -> Client:
    admin = User.objects.create_superuser("chef", "chef@example.org", "pw")
    client = Client()
    client.force_login(admin)
    return client


def change_form_data(scale: RatingScale, **changes) -> dict:
    ratings = list(scale.ratings.order_by("position"))
    data = {
        "name": scale.name,
        "best_value": scale.best_value,
        "worst_value": scale.worst_value,
        "ratings-TOTAL_FORMS": len(ratings),
        "ratings-INITIAL_FORMS": len(ratings),
        "ratings-MIN_NUM_FORMS": 0,
        "ratings-MAX_NUM_FORMS": 1000,
    }
    for n, rating in enumerate(ratings):
        for field in ("position", "code", "label_nl", "label_en", "value", "color", "aliases"):
            data[f"ratings-{n}-{field}"] = getattr(rating, field)
        data[f"ratings-{n}-id"] = rating.pk
        data[f"ratings-{n}-scale"] = scale.pk
    data.update(changes)
    return data


def test_editing_a_scale_in_use_saves_a_new_version(seed_claim, scale, editor):
    verdict = services.verdict_publish(
        claim=seed_claim, rating=scale.ratings.get(code="mostly-true"), summary="Bijna."
    )
    url = reverse("admin:claims_ratingscale_change", args=[scale.pk])
    response = admin_client().post(
        url, change_form_data(scale, **{"ratings-1-label_nl": "Vrijwel waar"})
    )
    assert response.status_code == 302

    new = RatingScale.objects.get(name=scale.name, is_active=True)
    assert new.version == 2 and new.pk != scale.pk
    assert new.ratings.get(code="mostly-true").label_nl == "Vrijwel waar"
    assert new.ratings.count() == scale.ratings.count()
    verdict.refresh_from_db()
    assert verdict.rating.label_nl == "Grotendeels waar"  # the old verdict keeps its label
    assert verdict.rating.scale == scale and not RatingScale.objects.get(pk=scale.pk).is_active


def test_a_scale_nobody_uses_is_edited_in_place(scale):
    url = reverse("admin:claims_ratingscale_change", args=[scale.pk])
    response = admin_client().post(
        url, change_form_data(scale, **{"ratings-0-label_en": "Correct"})
    )
    assert response.status_code == 302
    assert RatingScale.objects.count() == 1
    assert Rating.objects.get(scale=scale, code="true").label_en == "Correct"
