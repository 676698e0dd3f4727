"""The rating scale in the admin: editing a scale that verdicts use makes a new version."""

from django.urls import reverse

from claims import services
from claims.models import Rating, RatingScale


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


def test_editing_a_scale_in_use_saves_a_new_version(seed_claim, scale, admin_client):
    verdict = services.verdict_publish(
        claim=seed_claim, rating=scale.ratings.get(code="mostly-true"), summary="Bijna."
    )
    url = reverse("admin:claims_ratingscale_change", args=[scale.pk])
    response = admin_client.post(
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


def test_a_scale_nobody_uses_is_edited_in_place(scale, admin_client):
    url = reverse("admin:claims_ratingscale_change", args=[scale.pk])
    response = admin_client.post(url, change_form_data(scale, **{"ratings-0-label_en": "Correct"}))
    assert response.status_code == 302
    assert RatingScale.objects.count() == 1
    assert Rating.objects.get(scale=scale, code="true").label_en == "Correct"


def test_a_colour_that_is_not_hex_is_refused_with_a_message(scale, admin_client):
    url = reverse("admin:claims_ratingscale_change", args=[scale.pk])
    response = admin_client.post(url, change_form_data(scale, **{"ratings-0-color": "red;x:y"}))
    assert response.status_code == 200  # the form again
    assert "zes hexadecimale cijfers" in response.content.decode()
    assert Rating.objects.get(scale=scale, code="true").color == "#1f7a3a"
    form = admin_client.get(url).content.decode()
    assert 'type="color"' in form  # the browser's colour picker


def contrast(one: str, other: str) -> float:
    def luminance(color: str) -> float:
        channels = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted([luminance(one), luminance(other)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_a_ratings_label_is_readable_on_any_colour():
    # 4,096 colours across the cube, the demo's own, and the two extremes.
    steps = range(0, 256, 17)
    colours = [f"#{r:02x}{g:02x}{b:02x}" for r in steps for g in steps for b in steps]
    colours += ["#4f8a2b", "#8a6d00", "#b35900", "#777777", "#000000", "#ffffff"]
    worst = min(contrast(c, Rating(color=c).text_color) for c in colours)
    assert worst >= 4.5  # WCAG AA for normal text
    assert Rating(color="#4f8a2b").text_color == "#000000"
    assert Rating(color="#1f7a3a").text_color == "#ffffff"
