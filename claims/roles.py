"""Staff roles as Django groups. The data migration and the tests both read ROLES."""

# Each role: the codenames of the permissions it holds ("app_label.codename").
ROLES: dict[str, list[str]] = {
    "Editor": [
        *(
            f"claims.{action}_{model}"
            for model in (
                "article",
                "paragraph",
                "relatedlink",
                "claim",
                "claimappearance",
                "citation",
                "source",
                "verdict",
            )
            for action in ("add", "change", "view")
        ),
        "claims.view_snapshot",
        "claims.view_rating",
        "claims.view_ratingscale",
        "claims.view_report",
        "claims.view_correction",
        "claims.publish_verdict",
        "claims.approve_verdict",
        "claims.fetch_source",
    ],
    "Reviewer": [
        "claims.view_article",
        "claims.view_claim",
        "claims.view_source",
        "claims.view_report",
        "claims.change_report",
        "claims.claim_report",
        "claims.add_correction",
        "claims.view_correction",
    ],
    "Moderator": [
        "claims.view_article",
        "claims.change_article",
        "claims.view_claim",
        "claims.view_source",
        "claims.fetch_source",
        "claims.view_snapshot",
        "claims.view_report",
        "claims.change_report",
        "claims.view_reporter_email",
        "claims.block_reporter",
        "claims.view_correction",
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "auth.view_group",
    ],
}
ADMIN_ROLE = "Admin"  # holds every permission
