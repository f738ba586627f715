"""The demo council's readiness history (a demo step, after the other apps' steps)."""


def seed(ctx: dict) -> None:
    from adoption import services

    services.snapshots_backfill(days=90)
    services.snapshots_take()
