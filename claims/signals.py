"""Cache invalidation only: a saved or deleted row that the public article page shows
bumps the render version of the articles it appears on, and every change to what the
public API shows bumps the public data version (``services.public_data_touch``, also
called by ``article_cache_touch``). No domain logic lives here.

Writes made with ``QuerySet.update()`` send no signal; services that use them call
``services.article_cache_touch`` themselves.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from claims import services
from claims.models import (
    Article,
    Citation,
    Claim,
    ClaimAppearance,
    Correction,
    Paragraph,
    Rating,
    RatingScale,
    RelatedLink,
    Source,
    Verdict,
)


@receiver([post_save, post_delete], sender=Paragraph)
@receiver([post_save, post_delete], sender=RelatedLink)
@receiver([post_save, post_delete], sender=Correction)
def article_part_changed(sender, instance, **kwargs) -> None:
    services.article_cache_touch(article_ids=[instance.article_id])


@receiver([post_save, post_delete], sender=Citation)
def citation_changed(sender, instance, **kwargs) -> None:
    services.article_cache_touch(
        article_ids=[instance.article_id] if instance.article_id else [],
        claim_ids=[instance.claim_id] if instance.claim_id else [],
    )


@receiver([post_save, post_delete], sender=ClaimAppearance)
def appearance_changed(sender, instance, **kwargs) -> None:
    article_ids = [instance.article_id] if instance.article_id else []
    services.article_cache_touch(article_ids=article_ids, claim_ids=[instance.claim_id])


@receiver([post_save, post_delete], sender=Claim)
def claim_changed(sender, instance, **kwargs) -> None:
    services.article_cache_touch(claim_ids=[instance.pk])


@receiver([post_save, post_delete], sender=Verdict)
def verdict_changed(sender, instance, **kwargs) -> None:
    services.article_cache_touch(claim_ids=[instance.claim_id])


@receiver([post_save, post_delete], sender=Source)
def source_changed(sender, instance, **kwargs) -> None:
    services.article_cache_touch(source_ids=[instance.pk])


@receiver(post_save, sender=Rating)
def rating_changed(sender, instance, **kwargs) -> None:
    claim_ids = Verdict.objects.filter(rating=instance).values_list("claim_id", flat=True)
    services.article_cache_touch(claim_ids=list(claim_ids))
    services.public_data_touch()  # the scales endpoint shows every rating


@receiver([post_save, post_delete], sender=Article)
@receiver([post_save, post_delete], sender=RatingScale)
def public_data_changed(sender, instance, **kwargs) -> None:
    """Published or taken off the site, retitled; a new scale version."""
    services.public_data_touch()
